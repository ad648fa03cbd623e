"""The passage a citation points at, highlighted in its file, with an "Open file" button.

Why a dialog and not just opening the file: a PDF viewer lands on page 1 and a text editor on line 1; showing the
passage itself, exactly as the model was given it, lets the user check the claim at once. ``open_url`` is
injectable so tests never launch an application.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QTextBrowser, QVBoxLayout, QWidget

from hearth.core.docs.retriever import Passage
from hearth.ui.widgets.labels import error_label, show_message, text_label

OpenUrl = Callable[[QUrl], bool]
HIGHLIGHT = "#ffe58a"


def passage_html(passage: Passage, highlight: str = HIGHLIGHT) -> str:
    """The passage on a highlighted background, paragraphs kept."""
    body = html.escape(passage.text.strip()).replace("\n", "<br>")
    return f'<p><span style="background-color:{highlight}; color:#1d1b19;">{body}</span></p>'


class SourceViewer(QDialog):
    """Shows one cited passage; "Open file" opens the document in the user's default app."""

    def __init__(
        self, number: int, passage: Passage, open_url: OpenUrl = QDesktopServices.openUrl, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.passage, self._open_url = passage, open_url
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"Source [{number}] — {Path(passage.relative_path).name}")
        self.resize(640, 460)
        heading = f" — {passage.heading}" if passage.heading else ""
        self.where = text_label(passage.location() + heading, "cardTitle", wrap=True, selectable=True)
        self.path = text_label(passage.path, "mutedLabel", wrap=True, selectable=True)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        self.text.setHtml(passage_html(passage))
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton("Open file")
        self.buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(self.open_file)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.where)
        layout.addWidget(self.path)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def highlighted_text(self) -> str:
        return self.text.toPlainText()

    def open_file(self) -> None:
        if not Path(self.passage.path).exists():
            show_message(self.error, f"{self.passage.path} is no longer there; re-index the collection.")
            return
        if not self._open_url(QUrl.fromLocalFile(self.passage.path)):
            show_message(self.error, f"No application could open {self.passage.path}.")
