"""The Documents page: private Q&A over the user's folders. Its first step is a chat model to answer."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hearth.ui.widgets.empty_state import EmptyState
from hearth.ui.widgets.page_header import PageHeader


class DocumentsPage(QWidget):
    """Document collections; for now its empty state, which explains the feature and the first step.

    Signals:
        sectionRequested(str): the user asked to go to another section (``"discover"``).
    """

    sectionRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_state = EmptyState(
            "documents",
            "Ask questions about your own files",
            "Point Hearth at a folder of notes, PDFs or text files. It indexes them on this computer and "
            "answers with the passages it used, so you can check every claim. Nothing leaves your computer."
            "\n\nAnswers are written by a chat model running here, so the first step is to download one.",
            "Get a chat model",
        )
        self.empty_state.actionTriggered.connect(lambda: self.sectionRequested.emit("discover"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 16)
        layout.addWidget(PageHeader("Documents", "Private questions and answers over your folders."))
        layout.addWidget(self.empty_state, 1)
