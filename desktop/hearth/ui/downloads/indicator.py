"""The status bar's download line, "Downloading 2 files · 45%": visible from every page, a click opens Library.

Why in the status bar: downloads take minutes to hours and the user goes on browsing Discover or chatting; one
quiet link-coloured line says that work is going on (and when it failed), without a dialog or a badge that begs
for attention. A label and not a button: the theme gives every button a frame, which would shout here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QMouseEvent, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from hearth.ui.downloads.formatting import summary_text
from hearth.ui.downloads.model import DownloadsModel


class DownloadsIndicator(QLabel):
    """Follows ``model``'s summary; hidden when no download is active, paused or failed.

    Signals:
        clicked(): the user clicked the line (the window shows the Library's Downloads card).
    """

    clicked = Signal()

    def __init__(self, model: DownloadsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Show downloads in the Library")
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.setForegroundRole(QPalette.ColorRole.Link)
        self.setContentsMargins(8, 0, 12, 0)
        model.summaryChanged.connect(self.refresh)
        model.rowsRemoved.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        text = summary_text(*self._model.summary())
        self.setText(f"↓  {text}" if text.startswith("Downloading") else text)
        self.setAccessibleName(text or "No downloads")
        self.setVisible(bool(text))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: object) -> None:
        if getattr(event, "key", lambda: None)() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
            return
        super().keyPressEvent(event)  # type: ignore[arg-type]
