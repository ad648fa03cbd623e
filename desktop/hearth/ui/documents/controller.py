"""The Documents page's short jobs on workers: list, save, remove, watch flag, skipped files, test search.

Why here and not in the page: each touches SQLite or Chroma (disk, and the first call opens Chroma), so none may
run on the main thread; a new test search cancels the one it supersedes so a slow answer never replaces a newer one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from hearth.core.docs.collections import CollectionSpec
from hearth.ui.documents.services import DocsServices
from hearth.ui.workers import TaskHandle, run_in_thread


class DocsController(QObject):
    """Results arrive as signals on the main thread.

    Signals:
        listed(object): every :class:`CollectionStatus`, sorted by name.
        saved(object): a collection was added or edited; its :class:`CollectionStatus`.
        statusReady(object): a refreshed :class:`CollectionStatus` (after an index run, a watch toggle).
        removed(str): the collection's index was deleted (its folders were not touched).
        skippedReady(str, object): the collection's skipped files (a list of :class:`SkippedFile`).
        searched(str, str, object): collection, query and the ranked passages.
        failed(str): a sentence for the user.
    """

    listed = Signal(object)
    saved = Signal(object)
    statusReady = Signal(object)
    removed = Signal(str)
    skippedReady = Signal(str, object)
    searched = Signal(str, str, object)
    failed = Signal(str)

    def __init__(self, services: DocsServices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._tasks: list[TaskHandle[Any]] = []
        self._search: TaskHandle[Any] | None = None

    def load(self) -> None:
        self._start(self.services.statuses, self.listed.emit, "Could not read your collections")

    def save(self, spec: CollectionSpec, previous: str | None = None) -> None:
        self._start(lambda: self.services.save(spec, previous), self.saved.emit, f"Could not save {spec.name}")

    def refresh(self, name: str) -> None:
        services = self.services
        self._start(lambda: services.status(services.store.get(name)), self.statusReady.emit, "Could not read status")
        self._start(lambda: services.skipped(name), lambda s: self.skippedReady.emit(name, s), "Could not read status")

    def set_watching(self, name: str, on: bool) -> None:
        services = self.services
        self._start(
            lambda: services.status(services.set_watching(name, on)), self.statusReady.emit, "Could not save it"
        )

    def remove(self, name: str) -> None:
        self._start(lambda: self.services.remove(name), lambda _r: self.removed.emit(name), f"Could not remove {name}")

    def search(self, name: str, query: str) -> None:
        """Rank passages for ``query``; a search still running is superseded."""
        if self._search is not None:
            self._search.cancel()
        services = self.services
        self._search = self._start(
            lambda: services.search(name, query),
            lambda passages: self.searched.emit(name, query, passages),
            "The search failed",
        )

    def wait(self, timeout: float = 30.0) -> bool:
        return all(task.wait(timeout) for task in self._tasks)

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()

    def _start(self, fn: Callable[[], Any], done: Callable[[Any], None], what: str) -> TaskHandle[Any]:
        task = run_in_thread(fn, done, lambda exc: self.failed.emit(f"{what}: {exc}"), context=self, name="hearth-docs")
        self._tasks = [t for t in self._tasks if t.running()] + [task]
        return task
