"""How a download is put into words: ``1.2 GiB of 4.7 GiB``, ``18.3 MiB/s · 3 min left``, ``Paused``.

Why one place: the panel's rows, the tooltips and the status-bar line say the same thing in the same words.
"""

from __future__ import annotations

import re

from hearth.core.downloads import DownloadJob, JobStatus
from hearth.core.units import format_bytes

_SHARD = re.compile(r"-0*1-of-(\d+)(?=\.gguf$)", re.IGNORECASE)


def file_label(job: DownloadJob) -> str:
    """The first file's name without folders; a split model is named once with its number of parts."""
    name = job.files[0].rsplit("/", 1)[-1]
    if len(job.files) > 1:
        return f"{_SHARD.sub('', name)} ({len(job.files)} parts)"
    return name


def duration_text(seconds: float) -> str:
    """``45 s``, ``3 min``, ``1 h 20 min``: an ETA is a guess, so it is rounded like one."""
    seconds = max(0, int(seconds + 0.5))
    if seconds < 60:
        return f"{seconds} s"
    minutes = (seconds + 30) // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def progress_text(job: DownloadJob) -> str:
    """``1.2 GiB of 4.7 GiB`` (or just what is done while the size is unknown)."""
    if job.bytes_total:
        return f"{format_bytes(job.bytes_done)} of {format_bytes(job.bytes_total)}"
    return format_bytes(job.bytes_done) if job.bytes_done else ""


def status_text(job: DownloadJob) -> str:
    """One line for the row's right-hand side: speed and time left, or the state and its reason."""
    if job.status is JobStatus.RUNNING:
        if job.error:  # retrying after a network error: say so, it explains the stall
            return job.error
        if not job.bytes_total:
            return "Starting…"
        parts = [f"{format_bytes(job.speed_bps)}/s" if job.speed_bps else ""]
        parts.append(f"{duration_text(job.eta_s)} left" if job.eta_s is not None else "")
        return " · ".join(p for p in parts if p) or "Downloading…"
    if job.status is JobStatus.QUEUED:
        return "Waiting for the download before it"
    if job.status is JobStatus.PAUSED:
        return f"Paused: {job.error}" if job.error else "Paused"
    if job.status is JobStatus.FAILED:
        return f"Failed: {job.error}" if job.error else "Failed"
    if job.status is JobStatus.DONE:
        return "Verified and in your Library" if job.verified else "Downloaded, in your Library"
    return "Cancelled"


def summary_text(active: int, fraction: float | None, paused: int, failed: int) -> str:
    """The status bar's line: ``Downloading 2 files · 45%``; empty when there is nothing to say."""
    if active:
        noun = "file" if active == 1 else "files"
        percent = f" · {fraction * 100:.0f}%" if fraction is not None else ""
        return f"Downloading {active} {noun}{percent}"
    if failed:
        return f"{failed} download{'s' if failed > 1 else ''} failed"
    if paused:
        return f"{paused} download{'s' if paused > 1 else ''} paused"
    return ""
