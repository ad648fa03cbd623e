"""One thread that performs every write to the conversation store, in order, results handed back on the main thread.

Why one thread: SQLite allows one writer, the store's docstring asks for it, and serialized writes keep the
order the user acted in (send, then stop, then regenerate) without locks in the UI. Why not ``run_in_thread``:
a thread per job would let two writes race. Quick reads stay on the main thread (the store allows it).
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)
Job = tuple[Callable[[], Any], Callable[[Any], None] | None, Callable[[BaseException], None] | None]


class _Emitter(QObject):
    """No thread affinity: emitted from the worker thread, received on the main thread.

    Signals:
        finished(object, object, object): (job, result, exception or None).
    """

    finished = Signal(object, object, object)


class StoreWorker(QObject):
    """Runs ``submit``-ted callables one at a time on a single thread.

    Signals:
        failed(str): a job without its own error handler failed; the text is for the user.
    """

    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._emitter = _Emitter()
        self._emitter.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        self._emitter.moveToThread(None)  # type: ignore[arg-type]
        self._pending = 0
        self._thread: threading.Thread | None = threading.Thread(target=self._run, name="hearth-chat-store")
        self._thread.start()

    def submit(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Queue ``fn``; ``on_done(result)`` or ``on_error(exc)`` runs on the main thread afterwards."""
        if self._thread is None:
            raise RuntimeError("the store worker was shut down")
        self._pending += 1
        self._jobs.put((fn, on_done, on_error))

    def busy(self) -> bool:
        """Jobs queued or whose results are not delivered yet (tests wait for this to become False)."""
        return self._pending > 0

    def shutdown(self, timeout: float = 10.0) -> None:
        """Finish the queued jobs, then end the thread (their callbacks no longer run)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._jobs.put(None)
        thread.join(timeout)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            fn = job[0]
            try:
                result = fn()
            except Exception as exc:
                log.warning("chat store job failed: %s", exc, exc_info=True)
                self._emitter.finished.emit(job, None, exc)
            else:
                self._emitter.finished.emit(job, result, None)

    @Slot(object, object, object)
    def _deliver(self, job: Job, result: Any, exc: BaseException | None) -> None:
        self._pending -= 1
        if self._thread is None:
            return
        _fn, on_done, on_error = job
        if exc is None:
            if on_done is not None:
                on_done(result)
        elif on_error is not None:
            on_error(exc)
        else:
            self.failed.emit(str(exc) or type(exc).__name__)
