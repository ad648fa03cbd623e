"""A download as the queue, the UI and the state file see it: one immutable snapshot per change.

Why frozen: the queue hands snapshots to listeners on worker threads; a snapshot that cannot change under
the UI's feet needs no lock. The JSON form is what survives a restart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

__all__ = ["DownloadJob", "JobStatus", "job_from_json", "job_to_json"]


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    PAUSED = "paused"
    FAILED = "failed"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """Nothing more will happen without the user (``paused`` and ``failed`` can be resumed)."""
        return self in (JobStatus.PAUSED, JobStatus.FAILED, JobStatus.DONE, JobStatus.CANCELLED)


@dataclass(frozen=True)
class DownloadJob:
    """One download: a file or all shards of a model, which start, pause and finish together.

    ``bytes_total`` is 0 until the Hub was asked for sizes; ``sha256s`` are the published hashes once known
    (``""`` for small files the Hub only identifies by git blob id). ``error`` is the last thing that went
    wrong, worded for the user; it stays while retrying. ``resumed_from_bytes`` is what was already on disk
    when the job last started.
    """

    id: str
    repo_id: str
    files: tuple[str, ...]
    destinations: tuple[Path, ...]
    revision: str = "main"
    commit: str | None = None
    status: JobStatus = JobStatus.QUEUED
    bytes_done: int = 0
    bytes_total: int = 0
    error: str | None = None
    sha256s: tuple[str, ...] = ()
    verified: bool = False
    speed_bps: float = 0.0
    eta_s: float | None = None
    resumed_from_bytes: int = 0
    created_at: float = 0.0

    @property
    def fraction(self) -> float | None:
        """Progress from 0 to 1, ``None`` while the size is unknown."""
        return min(1.0, self.bytes_done / self.bytes_total) if self.bytes_total else None

    def replace(self, **changes: Any) -> DownloadJob:
        return dataclasses.replace(self, **changes)


_PERSISTED = ("id", "repo_id", "revision", "commit", "status", "bytes_done", "bytes_total", "error", "verified")


def job_to_json(job: DownloadJob) -> dict[str, Any]:
    data: dict[str, Any] = {name: getattr(job, name) for name in _PERSISTED}
    data["status"] = str(job.status)
    data["files"] = list(job.files)
    data["destinations"] = [str(p) for p in job.destinations]
    data["sha256s"] = list(job.sha256s)
    data["created_at"] = job.created_at
    return data


def job_from_json(data: dict[str, Any]) -> DownloadJob:
    """Rebuild a job; a job that was running when the app stopped comes back queued (it resumes by itself)."""
    status = JobStatus(data.get("status", "queued"))
    if status is JobStatus.RUNNING:
        status = JobStatus.QUEUED
    return DownloadJob(
        id=str(data["id"]),
        repo_id=str(data["repo_id"]),
        files=tuple(str(f) for f in data["files"]),
        destinations=tuple(Path(p) for p in data["destinations"]),
        revision=str(data.get("revision") or "main"),
        commit=data.get("commit"),
        status=status,
        bytes_done=int(data.get("bytes_done", 0)),
        bytes_total=int(data.get("bytes_total", 0)),
        error=data.get("error"),
        sha256s=tuple(str(s) for s in data.get("sha256s", ())),
        verified=bool(data.get("verified", False)),
        created_at=float(data.get("created_at", 0.0)),
    )
