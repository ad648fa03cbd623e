"""The ``.part`` file being written: its bytes, how many there are, and their hash, kept in step.

Why a class of its own: three things must always agree — the bytes on disk, the offset the next ``Range``
asks for, and the hash of exactly those bytes — through resumes, retries, a server that ignores ``Range``
(start over) and a full disk (cut back to the last whole write). Hashing runs on a helper thread fed in
order with the bytes already written (``hashlib`` releases the GIL), so on a fast link verification costs
almost nothing: the network, the disk and the hash work at the same time.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, BinaryIO

from hearth.core.downloads.disk import disk_full_error, is_disk_full
from hearth.core.downloads.errors import ChecksumMismatch, DownloadError, DownloadStopped

if TYPE_CHECKING:
    from hearth.core.downloads.transfer import RemoteFile, TransferOptions

__all__ = ["Hasher", "PartFile"]

_RESET = object()
_WRITEBACK_EVERY = 32 << 20
_FADVISE = getattr(os, "posix_fadvise", None)
_DONE = object()


class Hasher:
    """sha256 of the bytes fed so far (plus the git blob sha1 for small files the Hub publishes no sha256 for).

    After :meth:`start`, :meth:`feed` and :meth:`reset` are queued to a helper thread, in order; :meth:`close`
    waits for it. The queue is bounded so a slow CPU slows the download instead of filling memory.
    """

    def __init__(self, remote: RemoteFile, on_hashed: Callable[[int], None] | None = None) -> None:
        self.remote = remote
        self.on_hashed = on_hashed  # called on the helper thread with the count of bytes hashed so far
        self.hashed = 0
        self._queue: queue.Queue[object] = queue.Queue(maxsize=64)
        self._thread: threading.Thread | None = None
        self._reset()

    def _reset(self) -> None:
        self.hashed = 0
        self.sha256 = hashlib.sha256()
        use_git = self.remote.sha256 is None and self.remote.blob_id is not None
        self.git = hashlib.sha1(b"blob %d\x00" % self.remote.size, usedforsecurity=False) if use_git else None

    def _update(self, data: bytes | memoryview) -> None:
        self.sha256.update(data)
        if self.git is not None:
            self.git.update(data)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="hearth-download-hash", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (item := self._queue.get()) is not _DONE:
            if item is _RESET:
                self._reset()
            else:
                self._update(item)  # type: ignore[arg-type]
                self.hashed += len(item)  # type: ignore[arg-type]
                if self.on_hashed is not None:
                    self.on_hashed(self.hashed)

    def feed(self, data: bytes | memoryview) -> None:
        if self._thread is None:
            self._update(data)
        else:
            self._queue.put(data)

    def reset(self) -> None:
        if self._thread is None:
            self._reset()
        else:
            self._queue.put(_RESET)

    def close(self) -> None:
        """Wait until everything fed is hashed and end the helper thread (idempotent)."""
        if self._thread is not None:
            self._queue.put(_DONE)
            self._thread.join()
            self._thread = None

    def check(self) -> bool:
        """``True`` if a published hash was compared (and matched); raises :class:`ChecksumMismatch` otherwise."""
        self.close()
        remote = self.remote
        if remote.sha256 is not None:
            if self.sha256.hexdigest() != remote.sha256.lower():
                raise ChecksumMismatch(
                    f"Checksum mismatch for {remote.filename}: got sha256 {self.sha256.hexdigest()[:12]}…, the Hub "
                    f"published {remote.sha256[:12]}…. The partial file was deleted; retry to download it again."
                )
            return True
        if self.git is not None and remote.blob_id is not None:
            if self.git.hexdigest() != remote.blob_id.lower():
                raise ChecksumMismatch(
                    f"Checksum mismatch for {remote.filename} (git blob id). The partial file was deleted; retry."
                )
            return True
        return False


def rehash(handle: BinaryIO, hasher: Hasher, stop: threading.Event, chunk_size: int) -> int:
    """Feed a file's bytes to ``hasher`` from the start (the hash state is never persisted); returns its size."""
    handle.seek(0)
    size = 0
    while chunk := handle.read(chunk_size):
        if stop.is_set():
            raise DownloadStopped
        hasher.feed(chunk)
        size += len(chunk)
    return size


class PartFile:
    """``<file>.part`` open for appending, locked against other processes, with its size and hash in step."""

    def __init__(self, path: Path, remote: RemoteFile, options: TransferOptions) -> None:
        self.path, self.remote, self.options = path, remote, options
        self.hasher = Hasher(remote, self._written_back)
        self.offset = 0
        self._handle: BinaryIO | None = None
        self._flushed = 0

    def __enter__(self) -> PartFile:
        self._handle = self.options.open_part(self.path)
        try:
            _lock(self._handle, self.path)
        except BaseException:
            self._handle.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.hasher.close()
        if self._handle is not None:
            self._handle.close()

    @property
    def handle(self) -> BinaryIO:
        assert self._handle is not None, "use PartFile as a context manager"
        return self._handle

    def load(self, stop: threading.Event) -> int:
        """Hash what a previous run left (in this thread), drop it if it is longer than the file, start hashing."""
        self.offset = rehash(self.handle, self.hasher, stop, self.options.chunk_size)
        if self.offset > self.remote.size:
            self.restart()
        self.hasher.start()
        return self.offset

    def _written_back(self, hashed: int) -> None:
        """Start writing hashed bytes to disk every 32 MiB (Linux), so the final fsync is short and a
        multi-gigabyte download does not push the user's other files out of the page cache."""
        if hashed < self._flushed:
            self._flushed = 0  # restarted from zero
        if hashed - self._flushed >= _WRITEBACK_EVERY and self.options.fsync and _FADVISE is not None:
            with contextlib.suppress(OSError, ValueError):
                _FADVISE(self.handle.fileno(), self._flushed, hashed - self._flushed, os.POSIX_FADV_DONTNEED)
            self._flushed = hashed

    def restart(self) -> None:
        """Empty the part: what is in it cannot be extended (the server ignored our ``Range``)."""
        self.handle.truncate(0)
        self.handle.seek(0)
        self.hasher.reset()
        self.offset = 0

    def append(self, piece: bytes) -> None:
        """Write and hash ``piece``; on a full disk cut the part back to what was written and raise DiskFull."""
        if self.offset + len(piece) > self.remote.size:
            raise DownloadError(f"The server sent more than the {self.remote.size:,} bytes of {self.remote.filename}")
        view = memoryview(piece)
        while view:
            try:
                written = self.handle.write(view)
            except OSError as error:
                if not is_disk_full(error):
                    raise
                with contextlib.suppress(OSError):
                    self.handle.truncate(self.offset)
                folder, left = self.path.parent, self.remote.size - self.offset
                raise disk_full_error(folder, left, self.options.disk_usage) from error
            written = len(view) if written is None else written
            self.hasher.feed(piece if written == len(piece) else bytes(view[:written]))
            self.offset += written
            view = view[written:]

    def verify(self) -> bool:
        """Finish hashing and compare; a mismatch deletes the part (its bytes cannot be trusted)."""
        try:
            return self.hasher.check()
        except ChecksumMismatch:
            self.handle.close()
            self.path.unlink(missing_ok=True)
            raise


def _lock(handle: BinaryIO, part: Path) -> None:
    """One writer per part file, even across processes (the app and ``hearth pull``): POSIX ``flock``."""
    try:
        import fcntl
    except ImportError:  # Windows: not locked (yet)
        return
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError as error:
        raise DownloadError(f"{part.name} is being downloaded by another Hearth process") from error
