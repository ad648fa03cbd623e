"""Reads the GGUF headers of a repo's files on worker threads, a few at a time, and drops them all on leave.

Why a limit of three: each read is a couple of ranged requests to the Hub; a repo with twenty quants must not
open twenty connections at once (the Hub rate-limits), yet one at a time would make the fit column crawl.
Headers are cached on disk by sha256, so opening the repo again costs no request at all.
"""

from __future__ import annotations

import functools
import threading
from collections import deque
from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from hearth.core.gguf import GGUFHeader, HeaderReadCancelled
from hearth.core.hub import HubRequestCancelled, QuantFile
from hearth.ui.workers import TaskHandle, run_in_thread

MAX_CONCURRENT = 3
ReadHeader = Callable[[str, QuantFile, str | None, threading.Event], GGUFHeader]


class HeaderLoader(QObject):
    """Queue of header reads for one repo at a time.

    Signals:
        headerReady(str, GGUFHeader): the file (its ``QuantFile.name``) and its header.
        headerFailed(str, BaseException): the file and why its header could not be read.
        finished(): nothing is queued or running any more for the current repo.
    """

    headerReady = Signal(str, object)
    headerFailed = Signal(str, object)
    finished = Signal()

    def __init__(self, read: ReadHeader, parent: QObject | None = None, *, max_concurrent: int = MAX_CONCURRENT):
        super().__init__(parent)
        self._read = read
        self._max = max_concurrent
        self._queue: deque[QuantFile] = deque()
        self._running: dict[str, TaskHandle[GGUFHeader]] = {}
        self._all: list[TaskHandle[GGUFHeader]] = []
        self._repo: tuple[str, str | None] = ("", None)

    def load(self, repo_id: str, revision: str | None, files: Sequence[QuantFile]) -> None:
        """Read the headers of ``files`` (replacing whatever was loading for another repo)."""
        self.cancel()
        self._repo = (repo_id, revision)
        self._queue.extend(files)
        self._fill()

    def cancel(self) -> None:
        """Forget the queue and cancel running reads; their results, if any arrive, are ignored."""
        self._queue.clear()
        for task in self._running.values():
            task.cancel()
        self._running.clear()

    def is_idle(self) -> bool:
        return not self._queue and not self._running

    def running_count(self) -> int:
        return len(self._running)

    def wait(self, timeout: float = 10.0) -> bool:
        """Join every worker started (tests, shutdown)."""
        return all(task.wait(timeout) for task in self._all)

    def _fill(self) -> None:
        repo_id, revision = self._repo
        while self._queue and len(self._running) < self._max:
            file = self._queue.popleft()
            cancel = threading.Event()
            task = run_in_thread(
                functools.partial(self._read, repo_id, file, revision, cancel),
                functools.partial(self._done, file.name),
                functools.partial(self._failed, file.name),
                context=self,
                cancel_event=cancel,
                name="gguf-header",
            )
            self._running[file.name] = task
            self._all = [t for t in self._all if t.running()] + [task]

    def _done(self, name: str, header: GGUFHeader) -> None:
        self._running.pop(name, None)
        self.headerReady.emit(name, header)
        self._next()

    def _failed(self, name: str, error: BaseException) -> None:
        self._running.pop(name, None)
        if not isinstance(error, HeaderReadCancelled | HubRequestCancelled):
            self.headerFailed.emit(name, error)
        self._next()

    def _next(self) -> None:
        self._fill()
        if self.is_idle():
            self.finished.emit()
