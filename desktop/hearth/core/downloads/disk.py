"""Will it fit? Free-space checks before a download starts or resumes, and the message when the disk fills.

Why a margin: filling a disk to the last byte breaks far more than the download (the OS, the browser, the
chat database), so Hearth keeps ``max(1 GiB, 2 % of the disk)`` free and refuses up front rather than
failing at 97 %. ``disk_usage`` is injectable so tests can pretend a disk is full.
"""

from __future__ import annotations

import errno
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hearth.core.downloads.errors import DiskFull, NotEnoughSpace
from hearth.core.units import format_bytes

__all__ = ["DiskUsage", "check_free_space", "disk_full_error", "is_disk_full", "safety_margin"]

DiskUsage = Callable[[Path], Any]  # returns an object with .total and .free, like shutil.disk_usage
_GIB = 1024**3


def safety_margin(total_bytes: int) -> int:
    """Bytes kept free on a disk of ``total_bytes``: 1 GiB or 2 %, whichever is larger."""
    return max(_GIB, total_bytes // 50)


def _existing_folder(folder: Path) -> Path:
    """The folder itself or its nearest existing parent (the models folder may not exist yet)."""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def check_free_space(folder: Path, needed_bytes: int, what: str, disk_usage: DiskUsage = shutil.disk_usage) -> None:
    """Raise :class:`NotEnoughSpace` unless ``needed_bytes`` fit in ``folder`` with the safety margin to spare."""
    usage = disk_usage(_existing_folder(folder))
    margin = safety_margin(int(usage.total))
    if needed_bytes + margin <= usage.free:
        return
    raise NotEnoughSpace(
        f"Not enough disk space for {what}: it needs {format_bytes(needed_bytes)} and {format_bytes(usage.free)} "
        f"is free in {folder} (Hearth keeps {format_bytes(margin)} spare). Free some space or choose another "
        "models folder in Settings."
    )


def is_disk_full(error: BaseException) -> bool:
    """Whether an exception is the OS saying the disk (or the user's quota) is full."""
    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)


def disk_full_error(folder: Path, remaining_bytes: int, disk_usage: DiskUsage = shutil.disk_usage) -> DiskFull:
    """The :class:`DiskFull` to pause with: how much to free so the rest fits with the margin."""
    try:
        usage = disk_usage(_existing_folder(folder))
        to_free = max(0, remaining_bytes + safety_margin(int(usage.total)) - int(usage.free))
    except OSError:
        to_free = remaining_bytes
    return DiskFull(f"Disk full: free {to_free / 1e9:.1f} GB in {folder} and resume")
