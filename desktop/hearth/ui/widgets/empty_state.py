"""What a page shows before it has anything to show: what the section is for and what to click first."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from hearth.ui.resources import icon
from hearth.ui.widgets.labels import text_label

_ICON_PX = 64
_TEXT_WIDTH = 500


class EmptyState(QWidget):
    """A centred icon, title, explanation and one primary button.

    An empty page is the first thing a new user sees in every section, so it must say what the section
    will do and offer the next step, never just "nothing here".

    Signals:
        actionTriggered(): the primary button was clicked.
    """

    actionTriggered = Signal()

    def __init__(self, icon_name: str, title: str, text: str, action_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._icon_name = icon_name
        self.icon_label = text_label(align=Qt.AlignmentFlag.AlignCenter)
        self.title_label = text_label(title, "emptyTitle", wrap=True, align=Qt.AlignmentFlag.AlignCenter)
        self.text_label = text_label(text, "emptyText", wrap=True, selectable=True, align=Qt.AlignmentFlag.AlignCenter)
        self.action_button = QPushButton(action_text)
        self.action_button.setProperty("primary", True)
        self.action_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.action_button.clicked.connect(self.actionTriggered)
        self._buttons = QHBoxLayout()
        self._buttons.setSpacing(10)
        self._buttons.addStretch(1)
        self._buttons.addWidget(self.action_button)
        self._buttons.addStretch(1)

        # The column gets its width from the stretches around it, not from an alignment flag: a word-wrapped
        # QLabel added with an alignment is sized by its sizeHint and loses the lines that do not fit.
        column = QVBoxLayout()
        column.setSpacing(14)
        column.addWidget(self.icon_label)
        column.addSpacing(4)
        column.addWidget(self.title_label)
        column.addWidget(self.text_label)
        column.addSpacing(10)
        column.addLayout(self._buttons)
        body = QWidget()
        body.setLayout(column)
        body.setMaximumWidth(_TEXT_WIDTH)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(body, 100)
        row.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.addStretch(2)
        layout.addLayout(row)
        layout.addStretch(3)
        self._paint_icon()

    def add_action(self, text: str) -> QPushButton:
        """A secondary button beside the primary one; the caller connects it."""
        button = QPushButton(text)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        self._buttons.insertWidget(self._buttons.count() - 1, button)
        return button

    def set_text(self, text: str) -> None:
        self.text_label.setText(text)

    def changeEvent(self, event: QEvent) -> None:
        """Recolour the icon when the theme switches: it is a pixmap, the palette does not reach it."""
        if event.type() == QEvent.Type.PaletteChange:
            self._paint_icon()
        super().changeEvent(event)

    def _paint_icon(self) -> None:
        accent = self.palette().color(QPalette.ColorRole.Accent)
        self.icon_label.setPixmap(icon(self._icon_name, accent).pixmap(_ICON_PX, _ICON_PX))
