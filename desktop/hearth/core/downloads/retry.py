"""When to try a failed request again, how long to wait, and what to tell the user when not to.

Why Hearth has its own: ``huggingface_hub`` retries a few errors inside one call, but a download that runs
for an hour meets more (a dropped Wi-Fi, a 429 storm, a CDN hiccup). Hearth retries any network error and
429/5xx with exponential backoff and jitter (so many clients do not retry in lockstep), honours
``Retry-After`` in seconds *or* as an HTTP date (``huggingface_hub`` only reads seconds), and never retries
what waiting cannot fix: 401/403/404, gated repos, offline mode. The attempt count restarts whenever bytes
arrive, so a flaky but moving download is never given up on.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from hearth.core.downloads.errors import DownloadError

__all__ = ["RetryPolicy", "as_download_error", "parse_retry_after"]

_RETRIABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
_DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff settings; tests pass tiny delays. ``max_attempts`` counts attempts in a row without progress."""

    max_attempts: int = 8
    base_delay_s: float = 1.0
    max_delay_s: float = 60.0
    jitter: float = 0.5
    max_retry_after_s: float = 900.0

    def delay(self, attempt: int, error: DownloadError, rand: Callable[[], float] = random.random) -> float | None:
        """Seconds to wait before attempt ``attempt + 1``, or ``None`` to give up.

        Backoff doubles from ``base_delay_s`` up to ``max_delay_s``; ``jitter`` takes up to that fraction off
        at random. A ``Retry-After`` is a floor (capped at ``max_retry_after_s``), never shortened by jitter.
        """
        if not error.retriable or attempt >= self.max_attempts:
            return None
        backoff = min(self.max_delay_s, self.base_delay_s * 2 ** max(0, attempt - 1))
        backoff *= 1.0 - self.jitter * rand()
        if error.retry_after is not None:
            return max(backoff, min(error.retry_after, self.max_retry_after_s))
        return backoff


def parse_retry_after(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds from now: ``"120"`` or ``"Wed, 21 Oct 2015 07:28:00 GMT"``; ``None`` if absent."""
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def as_download_error(error: BaseException, repo_id: str, filename: str, endpoint: str | None = None) -> DownloadError:
    """Classify any exception from a transfer into a :class:`DownloadError` with a message a user can act on."""
    import httpx2
    from huggingface_hub.errors import (
        EntryNotFoundError,
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    if isinstance(error, DownloadError):
        return error
    page = f"{(endpoint or _DEFAULT_ENDPOINT).rstrip('/')}/{repo_id}"
    if isinstance(error, GatedRepoError):
        status = error.response.status_code if error.response is not None else 401
        if status == 403:
            return DownloadError(
                f"{repo_id} is gated and your token has no access: accept the licence on {page} "
                "with the account of the token set in Settings"
            )
        return DownloadError(f"{repo_id} is gated: accept the licence on {page} and set a token in Settings")
    if isinstance(error, RepositoryNotFoundError):
        return DownloadError(f"Repository {repo_id} not found on the Hub (if it is private, set a token in Settings)")
    if isinstance(error, RevisionNotFoundError):
        return DownloadError(f"Revision not found in {repo_id}: {_first_line(error)}")
    if isinstance(error, EntryNotFoundError):
        return DownloadError(f"File {filename} not found in {repo_id}")
    if isinstance(error, OfflineModeIsEnabled):
        return DownloadError("Offline mode is on (HF_HUB_OFFLINE): turn it off to download")
    if isinstance(error, HfHubHTTPError):
        response = error.response
        status = response.status_code if response is not None else 0
        if status in _RETRIABLE_STATUS:
            retry_after = parse_retry_after(response.headers) if response is not None else None
            return DownloadError(f"The Hub is busy (HTTP {status}), retrying", retriable=True, retry_after=retry_after)
        if status == 401:
            return DownloadError("The Hub rejected the token: check it in Settings")
        return DownloadError(f"The Hub answered HTTP {status} for {filename}: {_first_line(error)}")
    if isinstance(error, httpx2.UnsupportedProtocol | httpx2.LocalProtocolError | httpx2.TooManyRedirects):
        return DownloadError(f"Cannot download {filename}: {error}")
    if isinstance(error, httpx2.TransportError | ConnectionError | TimeoutError):
        return DownloadError(f"Network error ({type(error).__name__}), retrying: {error}", retriable=True)
    return DownloadError(f"Unexpected error downloading {filename}: {type(error).__name__}: {error}")


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
