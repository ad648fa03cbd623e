"""The title block at the top of a page, so every section introduces itself the same way."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from hearth.ui.widgets.labels import text_label


class PageHeader(QWidget):
    """A large title and one muted line saying what the page is for."""

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = text_label(title, "pageTitle")
        self.subtitle_label = text_label(subtitle, "pageSubtitle", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.title_label)
        layout.addWidget(self.subtitle_label)
