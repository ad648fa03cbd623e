"""The ways a download ends early, each with a message a user can act on.

Why one small hierarchy: the queue decides *what happens next* from the type alone (retry later, pause
until the user frees space, fail until the user changes something), and the UI shows ``str(error)``
as is, so every message says what happened and what to do.
"""

from __future__ import annotations

__all__ = [
    "ChecksumMismatch",
    "DiskFull",
    "DownloadError",
    "DownloadStopped",
    "IncompleteBody",
    "NotEnoughSpace",
]


class DownloadError(Exception):
    """A download failed; ``retriable`` errors are retried with backoff, at the earliest after ``retry_after``."""

    def __init__(self, message: str, *, retriable: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retriable = retriable
        self.retry_after = retry_after


class IncompleteBody(DownloadError):
    """The server closed the body before the announced size: resumable from what was written."""

    def __init__(self, message: str) -> None:
        super().__init__(message, retriable=True)


class ChecksumMismatch(DownloadError):
    """The bytes do not hash to the sha256 the Hub published; the partial file was deleted."""


class NotEnoughSpace(DownloadError):
    """Refused before writing: the rest of the download plus a safety margin does not fit on the disk."""


class DiskFull(DownloadError):
    """The disk filled up while writing; the partial file is kept, valid up to the last written byte."""


class DownloadStopped(Exception):
    """Raised inside a transfer when its stop event is set (pause, cancel or shutdown): the caller knows which."""
