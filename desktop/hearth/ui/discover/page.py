"""The Discover page: the search field for the Hugging Face Hub and what this computer can run.

Searching is not wired to the Hub yet; pressing Enter says so instead of pretending. No network here.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLineEdit, QVBoxLayout, QWidget

from hearth.core import hardware
from hearth.core.units import format_bytes
from hearth.ui.resources import icon
from hearth.ui.widgets.empty_state import EmptyState
from hearth.ui.widgets.labels import styled, text_label
from hearth.ui.widgets.page_header import PageHeader

NOT_CONNECTED = "Searching the Hub is not connected in this build yet, so nothing was sent over the network."


class DiscoverPage(QWidget):
    """Search field, a one-line summary of this computer, and an empty state explaining what comes next."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_field = styled(QLineEdit(), "searchField")
        self.search_field.setPlaceholderText("Search the Hugging Face Hub for GGUF models")
        self.search_field.setClearButtonEnabled(True)
        self._search_action = self.search_field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search_field.returnPressed.connect(self._on_search)
        self.machine_label = text_label(_machine_summary(), "mutedLabel", wrap=True)
        self.notice_label = text_label(role="mutedLabel", wrap=True)
        self.notice_label.hide()
        self.empty_state = EmptyState(
            "discover",
            "Find a model to run privately",
            "Type a model name such as “Qwen2.5 7B Instruct” or “Llama 3.2 3B” and press Enter. Only the "
            "search and the download use the internet; the model then runs entirely on this computer.",
            "Start typing a model name",
        )
        self.empty_state.actionTriggered.connect(lambda: self.search_field.setFocus(Qt.FocusReason.OtherFocusReason))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 16)
        layout.setSpacing(12)
        layout.addWidget(PageHeader("Discover", "Find models on the Hugging Face Hub and see which ones fit."))
        layout.addSpacing(6)
        layout.addWidget(self.search_field)
        layout.addWidget(self.machine_label)
        layout.addWidget(self.notice_label)
        layout.addWidget(self.empty_state, 1)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._search_action.setIcon(icon("search", self.palette().color(QPalette.ColorRole.PlaceholderText)))
        super().changeEvent(event)

    def _on_search(self) -> None:
        if self.search_field.text().strip():
            self.notice_label.setText(NOT_CONNECTED)
            self.notice_label.show()


def _machine_summary() -> str:
    """psutil reads counters the OS already keeps: cheap enough to build the page with."""
    memory = hardware.memory()
    cores = hardware.cpu().physical_cores
    cpu = f" · {cores} CPU cores" if cores else ""
    return (
        f"This computer: {format_bytes(memory.total_bytes)} memory{cpu}. "
        "Hearth will mark which files fit before you download anything."
    )
