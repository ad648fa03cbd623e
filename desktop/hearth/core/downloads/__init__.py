"""Resumable, verified downloads from the Hugging Face Hub into Hearth's models folder.

Why Hearth has its own downloader (rather than ``hf_hub_download``): see :mod:`.transfer`. The pieces:

* :class:`DownloadQueue` — jobs (a file, or all shards of a model) on worker threads, persisted across
  restarts, pause/resume/cancel/retry, coalesced progress events for the UI;
* :func:`download_files` — one job run to the end on the calling thread (``hearth pull``);
* :func:`safe_destination` — where an untrusted Hub file name may go, or :class:`UnsafePathError`;
* :func:`check_free_space` — the up-front "will it fit" check the UI can run before queueing.
"""

from __future__ import annotations

from pathlib import Path

from hearth.core.downloads.disk import check_free_space, safety_margin
from hearth.core.downloads.errors import (
    ChecksumMismatch,
    DiskFull,
    DownloadError,
    DownloadStopped,
    IncompleteBody,
    NotEnoughSpace,
)
from hearth.core.downloads.job import DownloadJob, JobStatus
from hearth.core.downloads.progress import ProgressMeter, ProgressSample
from hearth.core.downloads.queue import DownloadQueue, Listener, TokenProvider
from hearth.core.downloads.retry import RetryPolicy, parse_retry_after
from hearth.core.downloads.runner import download_files
from hearth.core.downloads.safe_paths import UnsafePathError, part_path, safe_destination
from hearth.core.downloads.transfer import RemoteFile, TransferOptions, TransferResult, resolve_files, transfer_file
from hearth.core.paths import AppPaths

__all__ = [
    "ChecksumMismatch",
    "DiskFull",
    "DownloadError",
    "DownloadJob",
    "DownloadQueue",
    "DownloadStopped",
    "IncompleteBody",
    "JobStatus",
    "Listener",
    "NotEnoughSpace",
    "ProgressMeter",
    "ProgressSample",
    "RemoteFile",
    "RetryPolicy",
    "TokenProvider",
    "TransferOptions",
    "TransferResult",
    "UnsafePathError",
    "check_free_space",
    "default_state_file",
    "download_files",
    "parse_retry_after",
    "part_path",
    "resolve_files",
    "safe_destination",
    "safety_margin",
    "transfer_file",
]


def default_state_file(paths: AppPaths) -> Path:
    """The queue's file in the data folder (next to, not inside, the models folder, which the user may move)."""
    return paths.data_dir / "downloads.json"
