"""The few things that go wrong talking to the Hub, as Hearth errors whose message tells the user what to do.

Why translate: ``huggingface_hub`` raises a dozen exception types (and ``httpx2`` a dozen more for the network),
with messages written for developers ("401 Client Error ... Request ID ..."). The UI and the CLI show one of
five situations, each with a next step; everything else is a plain :class:`HubError` with the original text.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

HUB_WEB = "https://huggingface.co"


class HubError(Exception):
    """Something went wrong talking to the Hub; ``str(error)`` is a sentence for the user."""


class HubUnreachable(HubError):
    """No answer at all: offline, DNS, refused, timed out.

    ``cached`` is the last answer saved for the same request (a ``SearchPage`` or ``RepoDetails`` marked
    ``from_cache``), or ``None``: the UI shows it under the message instead of an empty page.
    """

    def __init__(self, detail: str = "", cached: Any = None) -> None:
        message = "Hub unreachable — check your connection"
        if cached is not None:
            message += "; cached results are shown"
        super().__init__(f"{message} ({detail})" if detail else message)
        self.detail = detail
        self.cached = cached

    def with_cached(self, cached: Any) -> HubUnreachable:
        """The same error carrying ``cached`` (its message then says cached results are shown)."""
        error = HubUnreachable(self.detail, cached)
        error.__cause__ = self.__cause__
        return error


class HubRequestCancelled(Exception):
    """The caller's cancel event was set (e.g. search-as-you-type superseded the request): not an error to show."""


class GatedRepo(HubError):
    """The repo needs its licence accepted on the website, and a token, before its files can be read."""

    def __init__(self, repo_id: str, *, has_token: bool, endpoint: str | None = None) -> None:
        link = f"{(endpoint or HUB_WEB).rstrip('/')}/{repo_id}"
        if has_token:
            text = (
                f"{repo_id} is gated and your token has no access yet: accept the licence on the model page {link} "
                "(with the account the token belongs to), then try again"
            )
        else:
            text = f"{repo_id} is gated: accept the licence on the model page {link} and add your token in Settings"
        super().__init__(text)
        self.repo_id = repo_id
        self.link = link
        self.has_token = has_token


class TokenRejected(HubError):
    """The Hub refused the token itself (revoked, mistyped)."""

    def __init__(self) -> None:
        super().__init__("The Hub refused your Hugging Face token — check or replace it in Settings")


class NotFound(HubError):
    """No such repo, revision or file (or a private repo this token cannot see)."""


class RateLimited(HubError):
    """Too many requests; ``retry_after`` is in seconds when the Hub said."""

    def __init__(self, retry_after: int | None) -> None:
        when = f"in {retry_after} s" if retry_after is not None else "in a minute"
        super().__init__(f"The Hub is limiting requests from this computer — try again {when}")
        self.retry_after = retry_after


def _retry_after(value: str | None) -> int | None:
    try:
        return max(0, int(value)) if value is not None else None
    except ValueError:
        return None


def translate(
    error: BaseException, *, repo_id: str | None = None, has_token: bool = False, endpoint: str | None = None
) -> HubError | None:
    """The Hearth error for a ``huggingface_hub``/``httpx2``/``OSError`` exception, ``None`` if it is not one."""
    import httpx2
    from huggingface_hub import errors

    if isinstance(error, HubError):
        return error
    if isinstance(error, errors.GatedRepoError):
        return GatedRepo(repo_id or error.repo_id or "this repo", has_token=has_token, endpoint=endpoint)
    if isinstance(error, errors.RevisionNotFoundError):
        return NotFound(f"{repo_id or 'The repo'} has no such branch, tag or commit")
    if isinstance(error, errors.RemoteEntryNotFoundError):
        return NotFound(f"That file is not in {repo_id or 'the repo'}")
    if isinstance(error, errors.RepositoryNotFoundError):
        hint = "" if has_token else " (if it is private, add a token that can read it in Settings)"
        return NotFound(f"No model {repo_id or ''} on the Hub{hint}".replace("  ", " "))
    if isinstance(error, errors.OfflineModeIsEnabled):
        return HubUnreachable("offline mode is on (HF_HUB_OFFLINE)")
    if isinstance(error, errors.HfHubHTTPError):
        status = error.response.status_code
        if status == 429:
            return RateLimited(_retry_after(error.response.headers.get("Retry-After")))
        if status == 401:
            return TokenRejected()
        if status == 404:
            return NotFound(f"Not found on the Hub: {repo_id or error.response.url}")
        if status >= 500:
            return HubUnreachable(f"the Hub answered {status}; try again later")
        return HubError(f"The Hub answered {status}: {error.server_message or 'no details'}")
    if isinstance(error, httpx2.TransportError | ConnectionError | TimeoutError):
        return HubUnreachable(type(error).__name__)
    return None


@contextlib.contextmanager
def hub_errors(*, repo_id: str | None = None, has_token: bool = False, endpoint: str | None = None) -> Iterator[None]:
    """Re-raise Hub and network errors inside the block as :class:`HubError` subclasses (chained)."""
    try:
        yield
    except HubError:
        raise
    except Exception as error:
        mapped = translate(error, repo_id=repo_id, has_token=has_token, endpoint=endpoint)
        if mapped is None:
            raise
        raise mapped from error
