"""The Library page: every GGUF on this computer (Hearth's, the HF cache's, LM Studio's...), downloads on top.

A scan runs on a worker each time the page is shown and on "Rescan"; headers come from a cache, so rescanning an
unchanged library reads no model file. Until a scan finds something the page keeps its empty state, which names
the models folder and leads to Discover.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from hearth.core.library import LocalModel
from hearth.core.settings import Settings, SettingsStore
from hearth.core.units import format_bytes
from hearth.ui.library.confirm import Confirm, ask_to_delete, delete_question
from hearth.ui.library.controller import LibraryController
from hearth.ui.library.library_model import LibraryModel, LibraryRole
from hearth.ui.library.list_view import ActionBar, LibraryList
from hearth.ui.library.services import LibraryServices, models_size
from hearth.ui.resources import icon
from hearth.ui.settings_events import SettingsEvents
from hearth.ui.widgets.empty_state import EmptyState
from hearth.ui.widgets.labels import error_label, show_message, styled, text_label
from hearth.ui.widgets.open_folder import open_folder
from hearth.ui.widgets.page_header import PageHeader

_RESCAN_FIELDS = frozenset({"models_dir", "data_dir", "extra_model_folders"})


class LibraryPage(QWidget):
    """Local models with their fit, filterable; Chat, Show in folder and Delete act on the selected one.

    Args:
        store, events: settings (models folder, extra folders, context length) and their change signal.
        services: the library and machine; by default the app's, from ``store``.
        downloads: the Downloads panel to show above the list (the main window owns the queue).
        confirm: ``confirm(parent, title, text) -> bool`` before a delete; tests pass one that answers.

    Signals:
        sectionRequested(str): the user asked to go to another section (``"discover"``).
        chatRequested(str): the user wants to chat with the model at this path.
    """

    sectionRequested = Signal(str)
    chatRequested = Signal(str)

    def __init__(
        self,
        store: SettingsStore,
        events: SettingsEvents,
        *,
        services: LibraryServices | None = None,
        downloads: QWidget | None = None,
        confirm: Confirm = ask_to_delete,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._confirm = confirm
        self.model = LibraryModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(LibraryRole.SearchText)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.controller = LibraryController(
            services or LibraryServices.for_store(store), self.model, lambda: self._store.settings.context_length, self
        )
        self.downloads = downloads
        self._build(downloads)
        self.controller.busyChanged.connect(self._busy_changed)
        self.controller.scanned.connect(lambda _count: self._show_state())
        self.controller.added.connect(self._added)
        self.controller.deleted.connect(self._deleted)
        self.controller.failed.connect(lambda text: show_message(self.error_label, text))
        self.model.rowsRemoved.connect(lambda *_: self._show_state())
        self.model.rowsInserted.connect(lambda *_: self._show_state())
        events.changed.connect(self._on_settings_changed)
        self._describe_folder()
        self._show_state()

    def _build(self, downloads: QWidget | None) -> None:
        self.empty_state = EmptyState("library", "No models yet", "", "Find a model in Discover")
        self.empty_state.actionTriggered.connect(lambda: self.sectionRequested.emit("discover"))
        self.open_folder_button = self.empty_state.add_action("Open models folder")
        self.open_folder_button.clicked.connect(lambda: self._open(self._store.folders().models_dir))
        self.rescan_button = QPushButton("Rescan")
        self.rescan_button.setToolTip("Look again in every models folder")
        self.rescan_button.clicked.connect(self.rescan)
        self.filter_field = styled(QLineEdit(), "searchField")
        self.filter_field.setPlaceholderText("Filter by name, quant, architecture or app")
        self.filter_field.setClearButtonEnabled(True)
        self.filter_field.setAccessibleName("Filter models")
        self.filter_field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter_field.textChanged.connect(self._filter)
        self.list = LibraryList()
        self.list.setModel(self.proxy)
        self.list.activatedRow.connect(self._chat_row)
        self.list.selectionModel().selectionChanged.connect(self._selection_changed)
        self.action_bar = ActionBar()
        self.action_bar.chat_button.clicked.connect(self.chat_selected)
        self.action_bar.folder_button.clicked.connect(self.show_selected_in_folder)
        self.action_bar.delete_button.clicked.connect(self.delete_selected)
        self.no_match_label = text_label(role="mutedLabel", wrap=True)
        self.no_match_label.hide()
        self.status_label = text_label(role="mutedLabel", wrap=True)
        self.error_label = error_label()

        listing = QWidget()
        column = QVBoxLayout(listing)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(10)
        column.addWidget(self.filter_field)
        column.addWidget(self.no_match_label)
        column.addWidget(self.list, 1)
        column.addWidget(self.action_bar)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(listing)
        self.listing = listing

        header = QHBoxLayout()
        header.addWidget(PageHeader("Library", "Models on this computer, ready to load."), 1)
        header.addWidget(self.rescan_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 16)
        layout.setSpacing(14)
        layout.addLayout(header)
        if downloads is not None:
            layout.addWidget(downloads)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)

    # --- public ---------------------------------------------------------------------------------------------

    def rescan(self) -> None:
        """Look in every folder again, on a worker; the list updates when it is done."""
        show_message(self.error_label, None)
        self.controller.scan()

    def add_downloaded(self, path: str) -> None:
        """Show a finished download (its first file) without a rescan."""
        self.controller.add_file(Path(path))

    def selected_model(self) -> LocalModel | None:
        index = self.list.currentIndex()
        return index.data(LibraryRole.Model) if index.isValid() else None

    def select_path(self, path: str) -> bool:
        """Select the row of the model at ``path`` (False when it is not listed or filtered out)."""
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(LibraryRole.Path) == path:
                self.list.select_row(row)
                return True
        return False

    def chat_selected(self) -> None:
        model = self.selected_model()
        if model is not None and model.valid:
            self.chatRequested.emit(str(model.path))

    def show_selected_in_folder(self) -> None:
        model = self.selected_model()
        if model is not None:
            self._open(model.path.parent)

    def delete_selected(self) -> None:
        """Ask, then delete Hearth's own model on a worker; other apps' models are never deleted."""
        model = self.selected_model()
        if model is None or model.origin != "hearth":
            return
        if self._confirm(self, "Delete model", delete_question(model)):
            self.controller.delete(model)

    def shutdown(self) -> None:
        self.controller.cancel()

    def wait_for_workers(self, timeout: float = 10.0) -> bool:
        return self.controller.wait(timeout)

    # --- events ---------------------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.controller.is_scanning():
            self.rescan()

    def _on_settings_changed(self, _settings: Settings, changed: frozenset[str]) -> None:
        if changed & _RESCAN_FIELDS:
            self._describe_folder()
            if self.controller.scan_count or self.controller.is_scanning():
                self.rescan()
        elif "context_length" in changed and self.model.rowCount():
            self.controller.refit()

    def _describe_folder(self) -> None:
        folder = self._store.folders().models_dir
        self.empty_state.set_text(
            f"Hearth keeps models in {folder}.\n\nFind one in Discover: Hearth shows which files fit this "
            "computer before you download. Models from LM Studio, GPT4All, Ollama and the Hugging Face cache "
            "show up here too, and you can copy .gguf files into that folder."
        )

    def _show_state(self) -> None:
        count = self.model.rowCount()
        self.stack.setCurrentWidget(self.listing if count else self.empty_state)
        self.rescan_button.setVisible(True)
        self._describe_status()

    def _describe_status(self) -> None:
        if self.controller.is_scanning():
            self.status_label.setText("Looking for models in Hearth's folder and other apps' folders…")
            return
        models = self.model.models()
        if not models and not self.controller.scan_count:
            self.status_label.setText("")
            return
        broken = sum(1 for m in models if not m.valid)
        noun = "model" if len(models) == 1 else "models"
        text = f"{len(models)} {noun} · {format_bytes(models_size(models))} on disk"
        if broken:
            text += f" · {broken} cannot be loaded"
        places = len(self.controller.services.roots())
        self.status_label.setText(f"{text} · looked in {places} places")

    def _busy_changed(self, busy: bool) -> None:
        self.rescan_button.setEnabled(not busy)
        self.rescan_button.setText("Scanning…" if busy else "Rescan")
        self._describe_status()

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        none = bool(text.strip()) and self.proxy.rowCount() == 0
        self.no_match_label.setText(f"No model matches “{text.strip()}”." if none else "")
        self.no_match_label.setVisible(none)
        self.action_bar.show_model(self.selected_model())

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.action_bar.show_model(self.selected_model())

    def _chat_row(self, row: int) -> None:
        self.list.select_row(row)
        self.chat_selected()

    def _added(self, model: LocalModel) -> None:
        self.status_label.setText(f"{model.display_name} was added to your Library.")

    def _deleted(self, model: LocalModel, freed: int) -> None:
        self.action_bar.show_model(self.selected_model())
        self._describe_status()
        self.status_label.setText(f"Deleted {model.display_name} and freed {format_bytes(freed)}.")

    def _open(self, folder: Path) -> None:
        show_message(self.error_label, open_folder(folder))
