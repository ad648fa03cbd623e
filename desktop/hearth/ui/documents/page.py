"""The Documents page: collections of the user's folders, indexed on this computer for private Q&A.

Pieces: :class:`DocsController` (short jobs), :class:`IndexQueue` (index runs, one at a time, progress ≤ 4/s),
:class:`CollectionWatchers` (re-index on change) and :class:`CollectionDetail` (the selected collection). The
page wires them to the list; :meth:`DocumentsPage.shutdown` stops the watchers and joins every worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hearth.core.docs.index import IndexProgress, IndexResult
from hearth.core.docs.retriever import Passage
from hearth.core.docs.types import SkippedFile
from hearth.ui.documents.collection_dialog import ChooseFolder, CollectionDialog, ask_for_folder
from hearth.ui.documents.collections_model import CollectionRole, CollectionsModel
from hearth.ui.documents.confirm import Confirm, ask_to_remove, remove_question
from hearth.ui.documents.controller import DocsController
from hearth.ui.documents.delegate import CollectionDelegate
from hearth.ui.documents.detail import CollectionDetail
from hearth.ui.documents.index_queue import IndexQueue
from hearth.ui.documents.services import CollectionStatus, DocsServices
from hearth.ui.documents.watchers import CollectionWatchers
from hearth.ui.widgets.empty_state import EmptyState
from hearth.ui.widgets.labels import error_label, show_message, text_label
from hearth.ui.widgets.page_header import PageHeader

EditDialog = Callable[[CollectionDialog], bool]


class DocumentsPage(QWidget):
    """Collections list + the selected one's detail; an empty state until the first collection exists.

    Args:
        services: the documents core (the main window shares one with Chat).
        choose_folder: the folder chooser of the add/edit dialog (tests return a path).
        run_dialog: shows the add/edit dialog, True when saved (tests fill it and return True).
        confirm: ``confirm(parent, title, text) -> bool`` before a remove.
        embedders: ``() -> [(label, .gguf path)]`` embedding models from the Library to offer.

    Signals:
        sectionRequested(str): the user asked to go to another section.
        collectionsChanged(object): the collection names now listed (Chat's picker follows).
    """

    sectionRequested = Signal(str)
    collectionsChanged = Signal(object)

    def __init__(
        self,
        services: DocsServices,
        *,
        choose_folder: ChooseFolder = ask_for_folder,
        run_dialog: EditDialog = lambda d: d.exec() == CollectionDialog.DialogCode.Accepted,
        confirm: Confirm = ask_to_remove,
        embedders: Callable[[], Sequence[tuple[str, str]]] = list,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self._choose, self._run_dialog, self._confirm, self._embedders = choose_folder, run_dialog, confirm, embedders
        self.model = CollectionsModel(self)
        self.controller = DocsController(services, self)
        self.queue = IndexQueue(services, self)
        self.watchers = CollectionWatchers(parent=self)
        self._progress: dict[str, IndexProgress] = {}
        self._pending_remove: set[str] = set()
        self._renaming: str | None = None
        self._build()
        c = self.controller
        c.listed.connect(self._listed)
        c.saved.connect(self._saved)
        c.statusReady.connect(self._status_ready)
        c.removed.connect(self._removed)
        c.skippedReady.connect(self._skipped_ready)
        c.searched.connect(self._searched)
        c.failed.connect(lambda text: show_message(self.error, text))
        self.queue.progress.connect(self._on_progress)
        self.queue.started.connect(lambda name: self._on_progress(name, IndexProgress(0, 0, 0, 0.0, None)))
        self.queue.finished.connect(self._index_finished)
        self.queue.failed.connect(self._index_failed)
        self.queue.pausedChanged.connect(lambda _p: self._show_selected())
        self.watchers.changed.connect(lambda name, paths: self.queue.enqueue(name, paths))
        self._show_state()
        self.controller.load()

    def _build(self) -> None:
        self.empty_state = EmptyState(
            "documents",
            "Ask questions about your own files",
            "Point Hearth at a folder of notes, PDFs or text files. It indexes them on this computer, and in Chat "
            "the model answers from the passages it found, citing each one so you can check every claim. "
            "Nothing leaves your computer.",
            "Add a folder",
        )
        self.empty_state.actionTriggered.connect(self._empty_action)
        self.empty_add_button = self.empty_state.add_action("Add a folder")
        self.empty_add_button.clicked.connect(self.add_collection)
        self.empty_add_button.hide()
        self._chat_model = True
        self.add_button = QPushButton("Add a folder")
        self.add_button.clicked.connect(self.add_collection)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(CollectionDelegate(self.list))
        self.list.setAccessibleName("Collections")
        self.list.selectionModel().selectionChanged.connect(self._selection_changed)
        self.detail = CollectionDetail()
        d = self.detail
        d.index_button.clicked.connect(self.index_selected)
        d.edit_button.clicked.connect(self.edit_selected)
        d.remove_button.clicked.connect(self.remove_selected)
        d.pause_button.clicked.connect(lambda: self.queue.set_paused(not self.queue.paused()))
        d.cancel_button.clicked.connect(lambda: self.queue.cancel(self.selected_name()))
        d.watch.toggled.connect(self._watch_toggled)
        d.search.returnPressed.connect(self.search_selected)
        self.error = error_label()
        self.status_line = text_label("", "mutedLabel", wrap=True)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 600])
        self.listing = splitter
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(splitter)
        header = QHBoxLayout()
        header.addWidget(PageHeader("Documents", "Private questions and answers over your folders."), 1)
        header.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 16)
        layout.setSpacing(14)
        layout.addLayout(header)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.status_line)

    # --- public ---------------------------------------------------------------------------------------------

    def selected_name(self) -> str | None:
        index = self.list.currentIndex()
        return index.data(CollectionRole.Name) if index.isValid() else None

    def select(self, name: str) -> bool:
        row = self.model.row_of(name)
        if row >= 0:
            self.list.setCurrentIndex(self.model.index(row))
        return row >= 0

    def set_chat_model_available(self, available: bool) -> None:
        """Without a chat model nothing can answer: the empty state's first step is then to get one."""
        self._chat_model = available
        self.empty_state.action_button.setText("Add a folder" if available else "Get a chat model")
        self.empty_add_button.setVisible(not available)

    def add_collection(self) -> None:
        dialog = CollectionDialog(
            self, taken=self.model.names(), embedders=self._embedders(), choose_folder=self._choose
        )
        if not self.model.names():
            dialog.choose_folder()  # the empty state's button means "pick a folder": start there
        if self._run_dialog(dialog):
            self.controller.save(dialog.spec())

    def edit_selected(self) -> None:
        status = self._selected_status()
        if status is None:
            return
        dialog = CollectionDialog(
            self, spec=status.spec, taken=self.model.names(), embedders=self._embedders(), choose_folder=self._choose
        )
        if self._run_dialog(dialog):
            self._renaming = status.name
            self.controller.save(dialog.spec(), previous=status.name)

    def remove_selected(self) -> None:
        status = self._selected_status()
        if status is None or not self._confirm(self, "Remove collection", remove_question(status)):
            return
        self.watchers.stop(status.name)
        if self.queue.queued(status.name):  # the running index finishes its file first, then the index goes
            self._pending_remove.add(status.name)
            self.queue.cancel(status.name)
        else:
            self.controller.remove(status.name)

    def index_selected(self) -> None:
        name = self.selected_name()
        if name is not None:
            show_message(self.error, None)
            self.queue.enqueue(name)

    def search_selected(self) -> None:
        name, query = self.selected_name(), self.detail.search.text().strip()
        if name is not None and query:
            self.detail.search_note.setText("Searching…")
            self.detail.search_note.show()
            self.controller.search(name, query)

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Stop watchers and index runs and join every worker; then the owner closes the services."""
        self.watchers.stop_all()
        done = self.queue.shutdown(timeout)
        self.controller.cancel()
        return self.controller.wait(timeout) and done

    def _empty_action(self) -> None:
        if self._chat_model:
            self.add_collection()
        else:
            self.sectionRequested.emit("discover")

    # --- results --------------------------------------------------------------------------------------------

    def _listed(self, statuses: list[CollectionStatus]) -> None:
        self.model.set_statuses(statuses)
        for status in statuses:
            if status.watching:
                self._start_watch(status)
        if statuses and not self.list.currentIndex().isValid():
            self.select(statuses[0].name)
        self._collections_changed()

    def _saved(self, status: CollectionStatus) -> None:
        renamed, self._renaming = self._renaming, None
        if renamed is not None and renamed != status.name:
            self.model.remove(renamed)
        self.model.upsert(status)
        self.select(status.name)
        self._collections_changed()
        self.status_line.setText(f"Saved {status.name}. Click Index now to read its files.")
        if status.watching:
            self._start_watch(status)

    def _status_ready(self, status: CollectionStatus) -> None:
        self.model.upsert(status)
        self._show_selected()

    def _removed(self, name: str) -> None:
        self.model.remove(name)
        self._progress.pop(name, None)
        self.status_line.setText(f"Removed the index of {name}. Your files were not touched.")
        self._collections_changed()
        self._show_selected()

    def _skipped_ready(self, name: str, skipped: list[SkippedFile]) -> None:
        if name == self.selected_name():
            self.detail.show_skipped(skipped)

    def _searched(self, name: str, query: str, passages: list[Passage]) -> None:
        if name == self.selected_name():
            self.detail.show_results(query, passages)

    def _on_progress(self, name: str, progress: IndexProgress) -> None:
        self._progress[name] = progress
        if name == self.selected_name():
            self.detail.show_progress(progress, self.queue.paused())

    def _index_finished(self, name: str, result: IndexResult) -> None:
        self._progress.pop(name, None)
        if name in self._pending_remove:
            self._pending_remove.discard(name)
            self.controller.remove(name)
            return
        verb = "Stopped indexing" if result.cancelled else "Indexed"
        self.status_line.setText(
            f"{verb} {name}: {result.files_indexed} files read, {result.chunks} chunks, "
            f"{len(result.skipped)} skipped, in {result.seconds:.1f} s."
        )
        self.controller.refresh(name)
        self._show_selected()

    def _index_failed(self, name: str, text: str) -> None:
        self._progress.pop(name, None)
        show_message(self.error, text)
        self._show_selected()

    # --- helpers --------------------------------------------------------------------------------------------

    def _selected_status(self) -> CollectionStatus | None:
        index = self.list.currentIndex()
        return index.data(CollectionRole.Status) if index.isValid() else None

    def _selection_changed(self, _s: QItemSelection, _d: QItemSelection) -> None:
        self.detail.show_results("", [])
        self.detail.search.clear()
        self._show_selected()
        name = self.selected_name()
        if name is not None:
            self.controller.refresh(name)

    def _show_selected(self) -> None:
        status = self._selected_status()
        self.detail.setEnabled(status is not None)
        if status is None:
            self.detail.show_progress(None)
            return
        self.detail.show_status(status)
        self.detail.show_progress(self._progress.get(status.name), self.queue.paused())

    def _show_state(self) -> None:
        has = self.model.rowCount() > 0
        self.stack.setCurrentWidget(self.listing if has else self.empty_state)
        self.add_button.setVisible(has)

    def _collections_changed(self) -> None:
        self._show_state()
        self.collectionsChanged.emit(self.model.names())

    def _watch_toggled(self, on: bool) -> None:
        status = self._selected_status()
        if status is None:
            return
        if on:
            self._start_watch(status)
        else:
            self.watchers.stop(status.name)
        self.controller.set_watching(status.name, on)

    def _start_watch(self, status: CollectionStatus) -> None:
        try:
            self.watchers.start(status.name, status.spec.folders)
        except OSError as exc:
            show_message(self.error, f"Could not watch {status.name}: {exc}")
