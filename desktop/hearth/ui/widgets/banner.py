"""A one-line notice above a page's content ("Hub unreachable", "This model is gated") with an optional button.

Why links open externally: a banner's link is always a web page (a licence to accept, a model page) and the
label must never navigate Hearth itself; Qt opens it in the user's browser only when clicked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from hearth.ui.widgets.labels import text_label


class Banner(QWidget):
    """Hidden until :meth:`show_message`; the text may hold ``<a href>`` links (rich text).

    Signals:
        actionTriggered(): the button beside the text was clicked.
    """

    actionTriggered = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = text_label(role="noticeBanner", wrap=True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setOpenExternalLinks(True)
        self.label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.button = QPushButton()
        self.button.clicked.connect(self.actionTriggered)
        self.button.hide()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def show_message(self, html: str, action: str | None = None) -> None:
        """Show ``html`` (escape any user or Hub text first), with a button labelled ``action`` if given."""
        self.label.setText(html)
        self.button.setText(action or "")
        self.button.setVisible(bool(action))
        self.show()

    def clear(self) -> None:
        self.label.clear()
        self.hide()

    def text(self) -> str:
        return self.label.text()
