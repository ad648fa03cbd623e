"""The Qt face of the core :class:`DownloadQueue`: its listener events become main-thread signals, batched.

Why a bridge: the queue calls listeners on its dispatcher thread, and widgets may only be touched on the main
thread. The listener only records the newest snapshot per job and, once per batch, pokes the main thread with a
queued signal; the main thread hands a batch on at most every ``interval_ms`` (250 ms: four refreshes a second,
like qutebrowser's download timer), so a fast link or many jobs cannot flood the event loop. State changes
(done, failed) ride the same batches: at worst a quarter second late.

The poke goes through a tiny signal-only object with no thread affinity (as in :mod:`hearth.ui.workers`): the
dispatcher may emit it even while the bridge is being destroyed, and Qt then simply drops the call.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from hearth.core.downloads import DownloadJob, DownloadQueue, JobStatus

log = logging.getLogger(__name__)
INTERVAL_MS = 250


class _Poke(QObject):
    """Emitted from the dispatcher thread; never receives events, so any thread may emit it.

    Signals:
        poked(): new snapshots are waiting.
    """

    poked = Signal()


class DownloadsBridge(QObject):
    """Adapts a queue for widgets; every method must be called on the main thread.

    Signals:
        jobsChanged(object): a list of the newest :class:`DownloadJob` snapshots (one per changed job).
        jobFinished(object): a job reached ``done`` (its files are in place); sent once per job.
        jobRemoved(str): the id of a job the queue forgot.
    """

    jobsChanged = Signal(object)
    jobFinished = Signal(object)
    jobRemoved = Signal(str)

    def __init__(self, queue: DownloadQueue, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.queue = queue
        self._interval_s = interval_ms / 1000
        self._lock = threading.Lock()
        self._pending: dict[str, DownloadJob] = {}
        self._poke_sent = False
        self._last_flush = 0.0
        self._finished: set[str] = {j.id for j in queue.jobs() if j.status is JobStatus.DONE}
        self.flush_count = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._flush)
        self._poke = _Poke()
        self._poke.poked.connect(self._on_poke, Qt.ConnectionType.QueuedConnection)
        self._poke.moveToThread(None)  # type: ignore[arg-type]  # emitted from the dispatcher thread
        self._unsubscribe: Callable[[], None] | None = queue.subscribe(self._on_job)

    # --- commands (main thread) ----------------------------------------------------------------------------

    def jobs(self) -> list[DownloadJob]:
        return self.queue.jobs()

    def enqueue(self, repo_id: str, files: str | tuple[str, ...], revision: str = "main") -> DownloadJob:
        return self.queue.enqueue(repo_id, files, revision)

    def pause(self, job_id: str) -> None:
        self.queue.pause(job_id)

    def resume(self, job_id: str) -> None:
        self.queue.resume(job_id)

    retry = resume

    def cancel(self, job_id: str) -> None:
        """Stop the job and delete its part files; the row goes once the queue confirms."""
        self.queue.cancel(job_id)

    def remove(self, job_id: str) -> None:
        """Forget a finished, failed or cancelled job (its files stay)."""
        try:
            self.queue.remove(job_id)
        except (KeyError, ValueError) as exc:
            log.info("cannot remove download %s: %s", job_id, exc)
            return
        with self._lock:
            self._pending.pop(job_id, None)
        self.jobRemoved.emit(job_id)

    def close(self) -> None:
        """Stop listening (the window is closing); the queue itself is shut down by its owner."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        self._timer.stop()

    # --- dispatcher thread ---------------------------------------------------------------------------------

    def _on_job(self, job: DownloadJob) -> None:
        with self._lock:
            self._pending[job.id] = job
            if self._poke_sent:
                return
            self._poke_sent = True
        self._poke.poked.emit()

    # --- main thread ---------------------------------------------------------------------------------------

    @Slot()
    def _on_poke(self) -> None:
        if self._timer.isActive():
            return
        wait_s = self._last_flush + self._interval_s - time.monotonic()
        if wait_s <= 0:
            self._flush()
        else:
            self._timer.start(max(1, int(wait_s * 1000)))

    @Slot()
    def _flush(self) -> None:
        with self._lock:
            batch = list(self._pending.values())
            self._pending.clear()
            self._poke_sent = False
        self._last_flush = time.monotonic()
        if not batch:
            return
        self.flush_count += 1
        self.jobsChanged.emit(batch)
        for job in batch:
            if job.status is JobStatus.DONE and job.id not in self._finished:
                self._finished.add(job.id)
                self.jobFinished.emit(job)
            elif job.status is not JobStatus.DONE:
                self._finished.discard(job.id)
            if job.status is JobStatus.CANCELLED:  # its parts are gone: nothing left to show or resume
                self.remove(job.id)
