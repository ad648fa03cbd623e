"""A whole download (one file or all shards of a model) run to the end on the calling thread, with retries.

Why apart from the queue: ``hearth pull`` needs the same resolve → space check → transfer-with-retries
sequence without a queue, threads or a state file (a second process must never rewrite the app's queue).
The queue's workers call :func:`download_files` too, so both resume each other's ``.part`` files.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from hearth.core.downloads.disk import check_free_space
from hearth.core.downloads.errors import DownloadError, DownloadStopped
from hearth.core.downloads.retry import RetryPolicy, as_download_error
from hearth.core.downloads.safe_paths import part_path
from hearth.core.downloads.transfer import (
    RemoteFile,
    Token,
    TransferOptions,
    TransferResult,
    resolve_files,
    transfer_file,
    verify_existing,
)

__all__ = ["download_files"]

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Attempts:
    """Retries ``fn`` per the policy; the attempt count restarts whenever the download moved forward."""

    def __init__(
        self,
        policy: RetryPolicy,
        stop: threading.Event,
        sleep: Callable[[float], object] | None,
        progress: Callable[[], int],
        on_retry: Callable[[DownloadError, float], None],
        endpoint: str | None,
    ) -> None:
        self.policy, self.stop, self.progress, self.on_retry, self.endpoint = policy, stop, progress, on_retry, endpoint
        self.sleep = sleep if sleep is not None else stop.wait

    def run(self, fn: Callable[[], T], repo_id: str, filename: str) -> T:
        attempt, mark = 0, self.progress()
        while True:
            try:
                return fn()
            except DownloadStopped:
                raise
            except Exception as exc:  # classified below; unknown errors are not retried
                error = as_download_error(exc, repo_id, filename, self.endpoint)
                if isinstance(exc, DownloadError) and not error.retriable:
                    raise
                now = self.progress()
                attempt = 1 if now > mark else attempt + 1
                mark = now
                delay = self.policy.delay(attempt, error)
                if delay is None:
                    raise error from exc
                log.info("download of %s/%s: %s; retry %d in %.1f s", repo_id, filename, error, attempt, delay)
                self.on_retry(error, delay)
                self.sleep(delay)
                if self.stop.is_set():
                    raise DownloadStopped from exc


def _part_size(destination: Path) -> int:
    try:
        return part_path(destination).stat().st_size
    except OSError:
        return 0


def download_files(
    repo_id: str,
    filenames: Sequence[str],
    destinations: Sequence[Path],
    *,
    revision: str = "main",
    token: Token = None,
    endpoint: str | None = None,
    stop: threading.Event | None = None,
    on_resolved: Callable[[list[RemoteFile]], None] = lambda remote: None,
    on_progress: Callable[[int], None] = lambda done: None,
    on_retry: Callable[[DownloadError, float], None] = lambda error, delay: None,
    options: TransferOptions | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], object] | None = None,
) -> list[TransferResult]:
    """Resolve, check the free space, then fetch each file in turn (shards in order), resuming parts.

    ``revision`` may be a branch or a commit; the files are pinned to the commit it resolves to. Progress is
    the byte count of the whole set on disk. ``sleep(seconds)`` waits between retries (default: on ``stop``,
    so a pause interrupts a backoff). Raises :class:`DownloadStopped` or a :class:`DownloadError`.
    """
    options = options or TransferOptions()
    stop = stop or threading.Event()
    done = [0]
    attempts = _Attempts(policy or RetryPolicy(), stop, sleep, lambda: done[0], on_retry, endpoint)
    remotes = attempts.run(
        lambda: resolve_files(repo_id, filenames, revision, token, endpoint, options.connect_timeout_s),
        repo_id,
        filenames[0],
    )
    results: list[TransferResult | None] = [
        verify_existing(r, d, stop) for r, d in zip(remotes, destinations, strict=True)
    ]
    missing = sum(
        r.size - min(_part_size(d), r.size)
        for r, d, ok in zip(remotes, destinations, results, strict=True)
        if ok is None
    )
    what = filenames[0] if len(filenames) == 1 else f"{filenames[0]} and {len(filenames) - 1} more shards"
    check_free_space(destinations[0].parent, missing, what, options.disk_usage)
    on_resolved(remotes)
    before = 0
    for index, (remote, destination) in enumerate(zip(remotes, destinations, strict=True)):
        if stop.is_set():
            raise DownloadStopped
        if results[index] is None:

            def progress(n: int, base: int = before) -> None:
                done[0] = base + n
                on_progress(done[0])

            results[index] = transfer_file(
                remote,
                destination,
                token=token,
                endpoint=endpoint,
                stop=stop,
                on_progress=progress,
                options=options,
                retry=lambda attempt, name=remote.filename: attempts.run(attempt, repo_id, name),  # type: ignore[misc]
            )
        before += remote.size
        done[0] = before
        on_progress(before)
    return [r for r in results if r is not None]
