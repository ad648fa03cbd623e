"""The Library page: models on this computer. Until one exists it says where they will live."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hearth.core.settings import Settings, SettingsStore
from hearth.ui.settings_events import SettingsEvents
from hearth.ui.widgets.empty_state import EmptyState
from hearth.ui.widgets.labels import error_label, show_message
from hearth.ui.widgets.open_folder import open_folder
from hearth.ui.widgets.page_header import PageHeader

_FOLDER_FIELDS = frozenset({"models_dir", "data_dir"})


class LibraryPage(QWidget):
    """Installed models; for now its empty state, which names the models folder.

    Signals:
        sectionRequested(str): the user asked to go to another section (``"discover"``).
    """

    sectionRequested = Signal(str)

    def __init__(self, store: SettingsStore, events: SettingsEvents, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self.empty_state = EmptyState(
            "library",
            "No models yet",
            "",
            "Find a model in Discover",
        )
        self.empty_state.actionTriggered.connect(lambda: self.sectionRequested.emit("discover"))
        self.open_folder_button = self.empty_state.add_action("Open models folder")
        self.open_folder_button.clicked.connect(self._open_models_folder)
        self.error_label = error_label()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 16)
        layout.addWidget(PageHeader("Library", "Models on this computer, ready to load."))
        layout.addWidget(self.empty_state, 1)
        layout.addWidget(self.error_label)
        events.changed.connect(self._on_settings_changed)
        self._describe_folder()

    def _describe_folder(self) -> None:
        folder = self._store.folders().models_dir
        self.empty_state.set_text(
            f"Hearth keeps models in {folder}.\n\nFind one in Discover: Hearth shows which files fit this "
            "computer before you download. You can also copy .gguf files into that folder."
        )

    def _on_settings_changed(self, _settings: Settings, changed: frozenset[str]) -> None:
        if changed & _FOLDER_FIELDS:
            self._describe_folder()

    def _open_models_folder(self) -> None:
        show_message(self.error_label, open_folder(self._store.folders().models_dir))
