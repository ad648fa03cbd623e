"""The download queue: jobs run one or two at a time on worker threads, survive restarts, and report calmly.

Why this shape: a model is gigabytes, so downloads outlive windows and app sessions. Each running job has
its own plain ``threading.Thread`` (a transfer blocks on the network) and a stop ``Event`` checked per piece
for pause, cancel and shutdown. Listeners and the state file are served by one more thread (:mod:`.events`):
events reach listeners in the order the changes happened, a slow listener never slows a transfer, and
neither the caller of :meth:`DownloadQueue.pause` (the UI's main thread) nor a worker waits for a disk
write of the queue file. Progress is coalesced to one event per ``progress_interval_s`` per job; state
changes always get through. Listeners run on the dispatcher thread: a Qt adapter re-emits them as signals.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from hearth.core.downloads.errors import DiskFull, DownloadError, DownloadStopped
from hearth.core.downloads.events import EventDispatcher, Listener
from hearth.core.downloads.job import DownloadJob, JobStatus
from hearth.core.downloads.progress import ProgressMeter
from hearth.core.downloads.retry import RetryPolicy
from hearth.core.downloads.runner import download_files
from hearth.core.downloads.safe_paths import part_path, safe_destination
from hearth.core.downloads.store import load_jobs, save_jobs
from hearth.core.downloads.transfer import RemoteFile, TransferOptions

__all__ = ["DownloadJob", "DownloadQueue", "JobStatus", "Listener", "TokenProvider"]

log = logging.getLogger(__name__)
TokenProvider = Callable[[], str | bool | None]
_ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.PAUSED)


@dataclasses.dataclass
class _Entry:
    job: DownloadJob
    meter: ProgressMeter
    stop: threading.Event = dataclasses.field(default_factory=threading.Event)
    intent: str | None = None  # why ``stop`` was set: "pause", "cancel" or "shutdown"
    thread: threading.Thread | None = None


def _on_disk(destination: Path) -> int:
    for path in (destination, part_path(destination)):
        try:
            return path.stat().st_size
        except OSError:
            continue
    return 0


class DownloadQueue:
    """Downloads from the Hub into ``models_dir``, persisted in ``state_file``; see the module docstring."""

    def __init__(
        self,
        models_dir: Path,
        state_file: Path,
        *,
        max_concurrent: int = 1,
        token: TokenProvider = lambda: None,
        endpoint: str | None = None,
        options: TransferOptions | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], object] | None = None,
        progress_interval_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.models_dir, self.state_file = models_dir, state_file
        self._token, self._endpoint, self._sleep, self._clock = token, endpoint, sleep, clock
        self._options, self._policy = options or TransferOptions(), policy or RetryPolicy()
        self._interval = progress_interval_s
        self._lock = threading.Condition(threading.RLock())
        self._entries: dict[str, _Entry] = {}
        self._dirty = False
        self._closed = False
        self._max = 1
        for job in load_jobs(state_file):
            if job.status in _ACTIVE:
                job = job.replace(bytes_done=sum(_on_disk(d) for d in job.destinations))
            self._entries[job.id] = _Entry(job, ProgressMeter(progress_interval_s))
        self._events = EventDispatcher(self._save_if_dirty)
        self.set_max_concurrent(max_concurrent)

    # --- public API ----------------------------------------------------------------------------------------

    def enqueue(self, repo_id: str, files: str | Sequence[str], revision: str = "main") -> DownloadJob:
        """Queue a file, or all shards of a model as one job; raises :class:`UnsafePathError` for hostile names.

        Queuing what is already queued returns the existing job; a file claimed by another active job is refused.
        """
        names = (files,) if isinstance(files, str) else tuple(files)
        if not names:
            raise ValueError("nothing to download: no file names")
        destinations = tuple(safe_destination(self.models_dir, repo_id, name) for name in names)
        with self._lock:
            self._check_open()
            for entry in self._entries.values():
                if entry.job.status in _ACTIVE and set(entry.job.destinations) & set(destinations):
                    if entry.job.repo_id == repo_id and entry.job.files == names:
                        return entry.job
                    raise ValueError(f"{entry.job.files[0]} is already being downloaded")
            job = DownloadJob(uuid.uuid4().hex[:12], repo_id, names, destinations, revision, created_at=time.time())
            job = job.replace(bytes_done=sum(_on_disk(d) for d in destinations))
            self._entries[job.id] = _Entry(job, ProgressMeter(self._interval))
            self._changed(job)
            self._schedule()
            return self._entries[job.id].job

    def pause(self, job_id: str) -> DownloadJob:
        """Stop a queued or running job, keeping its part files; :meth:`resume` continues from them."""
        return self._stop_or_set(job_id, "pause", JobStatus.PAUSED, (JobStatus.QUEUED, JobStatus.RUNNING))

    def cancel(self, job_id: str) -> DownloadJob:
        """Stop a job and delete its part files (finished files stay)."""
        with self._lock:
            job = self._entries[job_id].job
            if job.status in (JobStatus.QUEUED, JobStatus.PAUSED, JobStatus.FAILED):
                self._delete_parts(job)
        return self._stop_or_set(job_id, "cancel", JobStatus.CANCELLED, (*_ACTIVE, JobStatus.FAILED))

    def resume(self, job_id: str) -> DownloadJob:
        """Queue a paused, failed or cancelled job again (it resumes from its parts, if any)."""
        with self._lock:
            self._check_open()
            entry = self._entries[job_id]
            if entry.job.status in (JobStatus.PAUSED, JobStatus.FAILED, JobStatus.CANCELLED):
                entry.intent = None
                self._set(entry, status=JobStatus.QUEUED, error=None)
                self._schedule()
            elif entry.job.status is JobStatus.RUNNING and entry.intent == "pause":
                entry.intent = None  # still winding down: the worker requeues it on exit
            return entry.job

    retry = resume

    def remove(self, job_id: str) -> None:
        """Forget a done, failed or cancelled job (its files stay where they are)."""
        with self._lock:
            if self._entries[job_id].job.status in _ACTIVE:
                raise ValueError("pause or cancel the download first")
            del self._entries[job_id]
            self._dirty = True
            self._events.request_save()

    def jobs(self) -> list[DownloadJob]:
        with self._lock:
            return sorted((e.job for e in self._entries.values()), key=lambda j: j.created_at)

    def get(self, job_id: str) -> DownloadJob:
        with self._lock:
            return self._entries[job_id].job

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(job)`` (on the dispatcher thread) for every change; returns the unsubscribe function."""
        return self._events.subscribe(listener)

    def set_max_concurrent(self, count: int) -> None:
        """1 or 2 downloads at a time: more rarely helps one disk and one link, and slows each one down."""
        with self._lock:
            self._max = max(1, min(2, int(count)))
            self._schedule()

    def wait(self, job_id: str, timeout: float | None = None) -> DownloadJob:
        """Block until the job is done, failed, paused or cancelled (or ``timeout``); returns its snapshot."""
        with self._lock:
            self._lock.wait_for(lambda: self._entries[job_id].job.status.finished, timeout)
            return self._entries[job_id].job

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until listeners have seen every change so far and the state file is written; ``False`` on timeout."""
        return self._events.drain(timeout)

    def shutdown(self, wait: bool = True) -> None:
        """Stop every transfer (running jobs come back queued next time), flush the state file, end threads."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = []
            for entry in self._entries.values():
                if entry.thread is not None:
                    entry.intent = "shutdown"
                    entry.stop.set()
                    threads.append(entry.thread)
        if wait:
            for thread in threads:
                thread.join()
        self._events.close(wait)

    def __enter__(self) -> DownloadQueue:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    # --- internals (call with the lock held unless said otherwise) ------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("the download queue is shut down")

    def _set(self, entry: _Entry, **changes: object) -> None:
        entry.job = entry.job.replace(**changes)
        self._changed(entry.job)

    def _changed(self, job: DownloadJob) -> None:
        self._dirty = True
        self._events.publish(job)
        self._lock.notify_all()

    def _stop_or_set(self, job_id: str, intent: str, status: JobStatus, allowed: tuple[JobStatus, ...]) -> DownloadJob:
        with self._lock:
            entry = self._entries[job_id]
            if entry.job.status not in allowed:
                return entry.job
            if entry.thread is not None:
                entry.intent = intent
                entry.stop.set()
            else:
                self._set(entry, status=status, speed_bps=0.0, eta_s=None)
            return entry.job

    def _delete_parts(self, job: DownloadJob) -> None:
        for destination in job.destinations:
            part_path(destination).unlink(missing_ok=True)

    def _schedule(self) -> None:
        running = sum(1 for e in self._entries.values() if e.thread is not None)
        for entry in sorted(self._entries.values(), key=lambda e: e.job.created_at):
            if running >= self._max or self._closed:
                return
            if entry.job.status is JobStatus.QUEUED and entry.thread is None:
                entry.stop = threading.Event()
                entry.intent = None
                entry.meter.restart(self._clock(), entry.job.bytes_done)
                self._set(entry, status=JobStatus.RUNNING, error=None)
                entry.thread = threading.Thread(
                    target=self._work, args=(entry,), name=f"hearth-download-{entry.job.id}", daemon=True
                )
                entry.thread.start()
                running += 1

    # --- worker thread ----------------------------------------------------------------------------------------

    def _work(self, entry: _Entry) -> None:
        job = entry.job
        status, error, results = JobStatus.DONE, None, []
        try:
            results = download_files(
                job.repo_id,
                job.files,
                job.destinations,
                revision=job.commit or job.revision,
                token=self._token(),
                endpoint=self._endpoint,
                stop=entry.stop,
                on_resolved=lambda remote: self._resolved(entry, remote),
                on_progress=lambda done: self._progress(entry, done),
                on_retry=lambda err, delay: self._retrying(entry, err, delay),
                options=self._options,
                policy=self._policy,
                sleep=self._sleep,
            )
        except DownloadStopped:
            status = JobStatus.QUEUED
        except DiskFull as exc:
            status, error = JobStatus.PAUSED, str(exc)
        except DownloadError as exc:
            status, error = JobStatus.FAILED, str(exc)
        except Exception as exc:  # a bug must not kill the queue silently: it shows on the job
            log.exception("download %s failed", job.id)
            status, error = JobStatus.FAILED, f"Unexpected error: {type(exc).__name__}: {exc}"
        with self._lock:
            cancelled = entry.intent == "cancel"
        if cancelled and status is not JobStatus.DONE:
            self._delete_parts(job)
        with self._lock:
            if status is not JobStatus.DONE:
                status = {"pause": JobStatus.PAUSED, "cancel": JobStatus.CANCELLED}.get(entry.intent or "", status)
            changes: dict[str, object] = {"status": status, "error": error, "speed_bps": 0.0, "eta_s": None}
            if results:
                changes |= {
                    "bytes_done": sum(r.size_bytes for r in results),
                    "sha256s": tuple(r.sha256 for r in results),
                    "verified": all(r.verified for r in results),
                }
            entry.thread = None
            self._set(entry, **changes)
            self._schedule()

    def _resolved(self, entry: _Entry, remote: list[RemoteFile]) -> None:
        resumed = sum(min(_on_disk(d), r.size) for d, r in zip(entry.job.destinations, remote, strict=True))
        with self._lock:
            self._set(
                entry,
                commit=remote[0].commit,
                bytes_total=sum(r.size for r in remote),
                sha256s=tuple(r.sha256 or "" for r in remote),
                resumed_from_bytes=resumed,
                bytes_done=resumed,
            )

    def _progress(self, entry: _Entry, done: int) -> None:
        with self._lock:
            sample = entry.meter.update(self._clock(), done, entry.job.bytes_total)
            if sample is not None:
                entry.job = entry.job.replace(bytes_done=done, speed_bps=sample.speed_bps, eta_s=sample.eta_s)
                self._events.publish(entry.job)

    def _retrying(self, entry: _Entry, error: DownloadError, delay: float) -> None:
        with self._lock:
            self._set(entry, error=f"{error} (retrying in {delay:.0f} s)")
            entry.meter.restart(self._clock(), entry.job.bytes_done)

    # --- dispatcher thread ------------------------------------------------------------------------------------

    def _save_if_dirty(self) -> None:
        with self._lock:
            if not self._dirty:
                return
            self._dirty = False
            jobs = sorted((e.job for e in self._entries.values()), key=lambda j: j.created_at)
        try:
            save_jobs(self.state_file, jobs)
        except OSError:
            log.exception("could not save the download queue to %s", self.state_file)
