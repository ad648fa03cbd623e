"""What Discover tells the user when the Hub says no: each message says what happened and what to do next."""

from __future__ import annotations

import time
from html import escape

from hearth.core.hub import GatedRepo, HubUnreachable, NotFound, RateLimited, TokenRejected
from hearth.core.hub_errors import HUB_WEB

UNREACHABLE_TITLE = "Hub unreachable"
UNREACHABLE_TEXT = (
    "Hearth cannot reach the Hugging Face Hub. Check your internet connection, then try again. "
    "Models you already downloaded keep working offline."
)


def gated_html(repo_id: str, link: str | None = None, has_token: bool = False) -> str:
    """Rich text for a gated repo: accept the licence on the model page, then (or also) add a token."""
    url = escape(link or f"{HUB_WEB}/{repo_id}")
    page = f'<a href="{url}">the model page</a>'
    if has_token:
        return (
            f"<b>{escape(repo_id)} is gated.</b> Your Hugging Face token has no access yet: accept the licence on "
            f"{page} with the account the token belongs to, then try again."
        )
    return (
        f"<b>{escape(repo_id)} is gated.</b> To download it or check how its files fit, accept the licence on "
        f"{page}, then add your Hugging Face token in Settings."
    )


def error_html(error: BaseException, repo_id: str = "") -> str:
    """Rich text for any Hub error on a repo page."""
    if isinstance(error, GatedRepo):
        return gated_html(error.repo_id, error.link, error.has_token)
    if isinstance(error, HubUnreachable):
        return f"<b>{UNREACHABLE_TITLE}.</b> Check your connection, then try again."
    if isinstance(error, TokenRejected | RateLimited | NotFound):
        return escape(str(error))
    return escape(f"Something went wrong talking to the Hub: {error}")


def error_title(error: BaseException) -> str:
    """A short heading for a full-page error state."""
    if isinstance(error, HubUnreachable):
        return UNREACHABLE_TITLE
    if isinstance(error, RateLimited):
        return "Too many requests"
    if isinstance(error, TokenRejected):
        return "Token refused"
    if isinstance(error, NotFound):
        return "Not found"
    return "Search failed"


def error_text(error: BaseException) -> str:
    """The body under :func:`error_title`."""
    if isinstance(error, HubUnreachable):
        return UNREACHABLE_TEXT
    return str(error)


def saved_html(fetched_at: float | None, what: str = "results") -> str:
    """The banner over answers served from the offline cache: what is shown and how old it is."""
    when = "earlier"
    if fetched_at is not None:
        minutes = max(0, int((time.time() - fetched_at) // 60))
        if minutes < 1:
            when = "a moment ago"
        elif minutes < 120:
            when = f"{minutes} min ago"
        else:
            when = f"on {time.strftime('%d %b at %H:%M', time.localtime(fetched_at))}"
    return f"<b>{UNREACHABLE_TITLE}</b> — showing {what} saved {when}."
