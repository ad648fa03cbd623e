"""The Chat page. Without a loaded model there is nothing to talk to, so it points to the Library."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hearth.ui.widgets.empty_state import EmptyState


class ChatPage(QWidget):
    """Conversations with the loaded model; for now its empty state.

    Signals:
        sectionRequested(str): the user asked to go to another section (``"library"``).
    """

    sectionRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_state = EmptyState(
            "chat",
            "Load a model to start chatting",
            "Pick a downloaded model in your Library and load it. The model runs on this computer: "
            "your conversations are never sent anywhere.",
            "Choose a model",
        )
        self.empty_state.actionTriggered.connect(lambda: self.sectionRequested.emit("library"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 16)
        layout.addWidget(self.empty_state)
