"""Index jobs, one at a time, on a worker; progress polled at most four times a second.

Why one at a time: Chroma and each collection's SQLite file want one writer (Anki's collection executor has
``max_workers=1``), and the watcher's re-index of a changed file must never race a full run. Why polling: the core
reports progress after every file, thousands a second on small notes; the worker only stores the latest snapshot
and a 250 ms timer on the main thread shows it, so a fast index cannot flood the event loop.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from hearth.core.docs.index import IndexProgress, IndexResult
from hearth.ui.documents.services import DocsServices
from hearth.ui.workers import TaskHandle, run_in_thread

POLL_MS = 250


@dataclass
class IndexJob:
    """A queued run; ``only_paths`` None means the whole collection (else the watcher's changed paths)."""

    name: str
    only_paths: set[str] | None = None
    cancel: threading.Event = field(default_factory=threading.Event)


class IndexQueue(QObject):
    """Runs :class:`IndexJob` s serially through :meth:`DocsServices.index`.

    Signals:
        started(str): a collection's run began.
        progress(str, object): the latest :class:`IndexProgress` of the running collection (≤ 4 per second).
        finished(str, object): the run ended with this :class:`IndexResult` (``cancelled`` when stopped).
        failed(str, str): the run failed; the sentence to show.
        pausedChanged(bool): the running job was paused or resumed.
    """

    started = Signal(str)
    progress = Signal(str, object)
    finished = Signal(str, object)
    failed = Signal(str, str)
    pausedChanged = Signal(bool)

    def __init__(self, services: DocsServices, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._queue: deque[IndexJob] = deque()
        self.current: IndexJob | None = None
        self._task: TaskHandle[Any] | None = None
        self._pause = threading.Event()
        self._latest: IndexProgress | None = None
        self._shown: IndexProgress | None = None
        self._latest_lock = threading.Lock()
        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._closed = False

    def busy(self) -> bool:
        return self.current is not None

    def queued(self, name: str) -> bool:
        return any(j.name == name for j in self._queue) or (self.current is not None and self.current.name == name)

    def enqueue(self, name: str, only_paths: set[str] | None = None) -> None:
        """Queue a run; a queued run of the same collection absorbs this one (a full run covers any paths)."""
        if self._closed:
            return
        for job in self._queue:
            if job.name == name:
                if job.only_paths is not None:
                    job.only_paths = None if only_paths is None else job.only_paths | only_paths
                return
        self._queue.append(IndexJob(name, set(only_paths) if only_paths is not None else None))
        self._next()

    def paused(self) -> bool:
        return self._pause.is_set()

    def set_paused(self, paused: bool) -> None:
        if paused == self._pause.is_set():
            return
        if paused:
            self._pause.set()
        else:
            self._pause.clear()
        self.pausedChanged.emit(paused)

    def cancel(self, name: str | None = None) -> None:
        """Stop ``name``'s run (queued or running), or the running one; finished files stay indexed."""
        if name is not None:
            self._queue = deque(j for j in self._queue if j.name != name)
        if self.current is not None and (name is None or self.current.name == name):
            self.current.cancel.set()
            self.set_paused(False)

    def shutdown(self, timeout: float = 30.0) -> bool:
        """Drop queued runs, stop the running one and join it (the window is closing; tests)."""
        self._closed = True
        self._queue.clear()
        if self.current is not None:
            self.current.cancel.set()
        self._pause.clear()
        self._timer.stop()
        return self._task.wait(timeout) if self._task is not None else True

    def wait(self, timeout: float = 30.0) -> bool:
        return self._task.wait(timeout) if self._task is not None else True

    # --- main thread ----------------------------------------------------------------------------------------

    def _next(self) -> None:
        if self.current is not None or not self._queue or self._closed:
            return
        job = self.current = self._queue.popleft()
        with self._latest_lock:
            self._latest = self._shown = None
        services, pause = self.services, self._pause

        def work() -> IndexResult:
            return services.index(job.name, self._note, pause, job.cancel, job.only_paths)

        self._task = run_in_thread(
            work, lambda r: self._done(job, r), lambda e: self._failed(job, e), context=self, name="hearth-docs-index"
        )
        self._timer.start()
        self.started.emit(job.name)

    def _note(self, progress: IndexProgress) -> None:
        """Called on the worker after every file: keep only the newest snapshot."""
        with self._latest_lock:
            self._latest = progress

    def _poll(self) -> None:
        with self._latest_lock:
            latest = self._latest
        if latest is not None and latest is not self._shown and self.current is not None:
            self._shown = latest
            self.progress.emit(self.current.name, latest)

    def _end(self) -> None:
        self._poll()
        self._timer.stop()
        self.current = None
        self.set_paused(False)

    def _done(self, job: IndexJob, result: IndexResult) -> None:
        self._end()
        self.finished.emit(job.name, result)
        self._next()

    def _failed(self, job: IndexJob, error: BaseException) -> None:
        self._end()
        self.failed.emit(job.name, f"Could not index {job.name}: {error}")
        self._next()
