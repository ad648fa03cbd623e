"""One file from the Hub to ``<file>.part`` to ``<file>``: resumable, hashed while written, renamed atomically.

Why Hearth owns the transfer instead of calling ``hf_hub_download``: since 1.18 ``huggingface_hub`` writes
to a per-process temporary file and deletes it when anything fails, so a 20 GB download cut at 90 % by a
closed laptop, a killed app or a full disk starts again from zero. Hearth keeps what ``huggingface_hub``
is good at — the resolve URL, its headers (user agent, token), ``HF_ENDPOINT``, proxies, offline mode and
the metadata (size, ETag, commit, the LFS sha256) with typed errors for gated/missing repos — and writes the
bytes itself: appended to ``<file>.part`` in the destination folder, resumed with ``Range: bytes=N-`` (also
after a restart: the part on disk *is* the state), hashed with sha256 as they are written (a resume re-reads
the part to rebuild the hash, which is sequential and fast), fsynced and moved into place with
``os.replace`` only once the hash matches. A mismatch deletes the part: its bytes cannot be trusted.

Every piece is written as it arrives (no buffering in Python), so a killed process loses only what the
kernel had not yet handed over, and a full disk leaves a part that is valid up to its last byte.
The download is pinned to the commit the metadata reported, so a push to ``main`` mid-download cannot
splice two versions of a file. An LFS file redirected to a CDN on another host is fetched *without* the
Authorization header, as ``huggingface_hub`` does.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from hearth.core.downloads.disk import DiskUsage
from hearth.core.downloads.errors import ChecksumMismatch, DownloadError, DownloadStopped, IncompleteBody
from hearth.core.downloads.part_file import Hasher, PartFile, rehash
from hearth.core.downloads.safe_paths import part_path

__all__ = [
    "RemoteFile",
    "TransferOptions",
    "TransferResult",
    "open_part",
    "resolve_files",
    "transfer_file",
    "verify_existing",
]

Token = str | bool | None
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


def open_part(path: Path) -> BinaryIO:
    """Open (or create) a part file for reading and writing, unbuffered: every write reaches the OS at once."""
    return path.open("a+b", buffering=0)  # append mode: every write lands at the end, after what is there


@dataclass(frozen=True)
class TransferOptions:
    """Knobs a test or a benchmark turns: timeouts, read size, the part opener (to inject a full disk), fsync."""

    chunk_size: int = 1 << 20
    connect_timeout_s: float = 10.0
    read_timeout_s: float = 60.0
    open_part: Callable[[Path], BinaryIO] = field(default=open_part)
    disk_usage: DiskUsage = field(default=shutil.disk_usage)
    fsync: bool = True


@dataclass(frozen=True)
class RemoteFile:
    """A file on the Hub as Hearth will fetch it: pinned to ``commit``, with the hash to check it against."""

    repo_id: str
    filename: str
    commit: str
    size: int
    sha256: str | None = None  # the LFS content hash (large files)
    blob_id: str | None = None  # the git blob sha1 (small files kept in git)


@dataclass(frozen=True)
class TransferResult:
    """A finished file: where, how big, its sha256, whether a published hash was checked, what was reused."""

    path: Path
    size_bytes: int
    sha256: str
    verified: bool
    resumed_from_bytes: int
    fetched_bytes: int


def resolve_files(
    repo_id: str, filenames: Sequence[str], revision: str, token: Token, endpoint: str | None, timeout_s: float = 10.0
) -> list[RemoteFile]:
    """Metadata for every file: a HEAD (commit, and the gated check) then one ``paths-info`` call for all files."""
    from huggingface_hub import HfApi, RepoFile, get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(repo_id, filenames[0], revision=revision, endpoint=endpoint)
    meta = get_hf_file_metadata(url, token=token, endpoint=endpoint, timeout=timeout_s)
    commit = meta.commit_hash or revision
    infos = HfApi(endpoint=endpoint).get_paths_info(repo_id, list(filenames), revision=commit, token=token)
    by_path = {info.path: info for info in infos if isinstance(info, RepoFile)}
    remote = []
    for name in filenames:
        info = by_path.get(name)
        if info is None:
            raise DownloadError(f"File {name} not found in {repo_id}")
        sha256 = info.lfs.sha256 if info.lfs is not None else None
        remote.append(RemoteFile(repo_id, name, commit, int(info.size), sha256, info.blob_id))
    return remote


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # Windows cannot open a folder; its rename is durable enough
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def verify_existing(
    remote: RemoteFile, destination: Path, stop: threading.Event, chunk_size: int = 1 << 20
) -> TransferResult | None:
    """A destination already in place with the right size and hash (a re-queued job): no download needed."""
    try:
        if destination.stat().st_size != remote.size or part_path(destination).exists():
            return None
    except OSError:
        return None
    hasher = Hasher(remote)
    with destination.open("rb") as handle:
        rehash(handle, hasher, stop, chunk_size)
    try:
        verified = hasher.check()
    except ChecksumMismatch:
        return None  # a different file under that name: download over it
    return TransferResult(destination, remote.size, hasher.sha256.hexdigest(), verified, remote.size, 0)


def transfer_file(
    remote: RemoteFile,
    destination: Path,
    *,
    token: Token = None,
    endpoint: str | None = None,
    stop: threading.Event | None = None,
    on_progress: Callable[[int], None] = lambda done: None,
    options: TransferOptions | None = None,
    retry: Callable[[Callable[[], int]], int] = lambda attempt: attempt(),
) -> TransferResult:
    """Download ``remote`` to ``destination`` through ``<destination>.part``, resuming what is already there.

    ``retry(attempt)`` runs ``attempt`` (one GET from the current end of the part) until it succeeds; the part
    and its hash carry over between attempts, so a retry costs one request, not a re-read of the part.
    ``on_progress(bytes_of_this_file_on_disk)`` is called from this thread for every piece written. Raises
    :class:`DownloadStopped` when ``stop`` is set (the part is kept), :class:`DiskFull` (part kept, valid),
    :class:`ChecksumMismatch` (part deleted), and whatever ``retry`` gives up with (part kept).
    """
    options = options or TransferOptions()
    stop = stop or threading.Event()
    destination.parent.mkdir(parents=True, exist_ok=True)
    part_file = part_path(destination)
    fetched = 0

    def attempt() -> int:
        nonlocal fetched
        fetched += _fetch(remote, part, token, endpoint, stop, on_progress, options)
        return part.offset

    with PartFile(part_file, remote, options) as part:
        resumed_from = part.load(stop)
        on_progress(resumed_from)
        if part.offset < remote.size:
            retry(attempt)
        verified = part.verify()
        if options.fsync:
            os.fsync(part.handle.fileno())
        sha256 = part.hasher.sha256.hexdigest()
    part_file.replace(destination)
    if options.fsync:
        _fsync_folder(destination.parent)
    return TransferResult(destination, remote.size, sha256, verified, resumed_from, fetched)


def _fetch(
    remote: RemoteFile,
    part: PartFile,
    token: Token,
    endpoint: str | None,
    stop: threading.Event,
    on_progress: Callable[[int], None],
    options: TransferOptions,
) -> int:
    """One GET from the end of the part to the end of the file; returns the body bytes received."""
    import httpx2
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

    url = hf_hub_url(remote.repo_id, remote.filename, revision=remote.commit, endpoint=endpoint)
    # A HEAD per attempt: a CDN's signed URL expires, so it is never stored.
    meta = get_hf_file_metadata(url, token=token, endpoint=endpoint, timeout=options.connect_timeout_s)
    target = meta.location or url
    headers: dict[str, Any] = build_hf_headers(token=token)
    headers["Accept-Encoding"] = "identity"  # byte offsets must be offsets in the file, not in a gzip stream
    if _origin(target) != _origin(url):
        headers.pop("authorization", None)  # never send the token off the Hub (httpx also strips it on redirects)
    offset = part.offset
    if offset:
        headers["Range"] = f"bytes={offset}-"
    timeout = httpx2.Timeout(options.read_timeout_s, connect=options.connect_timeout_s)
    received = 0
    with get_session().stream("GET", target, headers=headers, timeout=timeout, follow_redirects=True) as response:
        if response.status_code >= 400:
            response.read()
            hf_raise_for_status(response)
        if offset and not _resumes_at(response, offset, remote.size):
            part.restart()  # the server ignored or misread the Range: the part cannot be extended
            on_progress(0)
            if response.status_code != 200:
                raise IncompleteBody(f"The server did not resume {remote.filename} at the right byte; restarting")
        for piece in response.iter_bytes():
            if stop.is_set():
                raise DownloadStopped
            part.append(piece)
            received += len(piece)
            on_progress(part.offset)
    if part.offset != remote.size:
        raise IncompleteBody(f"Connection closed at {part.offset:,} of {remote.size:,} bytes of {remote.filename}")
    return received


def _resumes_at(response: Any, offset: int, size: int) -> bool:
    """Whether a ranged answer is a 206 whose ``Content-Range`` starts at ``offset`` of a file of ``size``."""
    match = _CONTENT_RANGE.fullmatch(response.headers.get("Content-Range", "").strip())
    if response.status_code != 206 or match is None:
        return False
    return int(match.group(1)) == offset and match.group(3) in (str(size), "*")
