"""One message as HTML for the message view: who spoke, the Markdown, its actions, branches and reply stats.

Actions are links (``edit:<id>``, ``regenerate:<id>``, ``continue:<id>``, ``branch:<id>``, ``copy:<id>:<n>``)
so that one QTextBrowser shows the whole conversation: scrolling, selecting across messages and searching in
it come for free, and a long conversation costs one document instead of a widget tree per message.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from hearth.core.chat import Message, ReplyStats
from hearth.ui.chat.markdown import Rendered, render_markdown


@dataclass(frozen=True)
class Look:
    """Colours taken from the palette when the view renders; ``dark`` picks the code style."""

    dark: bool
    text: str
    muted: str
    link: str
    bubble: str
    error: str


@dataclass(frozen=True)
class Branches:
    """Where a message sits among its siblings: ``index`` of ``count`` (1-based), neighbours' ids."""

    index: int
    count: int
    previous: int | None
    next: int | None


def stats_text(stats: ReplyStats, status: str) -> str:
    """The muted line under a reply: "0.21 s to first token · 64.8 tok/s · 128 tokens · stopped"."""
    parts = []
    if stats.ttft_ms is not None:
        parts.append(f"{stats.ttft_ms / 1000:.2f} s to first token")
    if stats.tokens_per_s:
        parts.append(f"{stats.tokens_per_s:.1f} tok/s")
    if stats.completion_tokens is not None:
        parts.append(f"{stats.completion_tokens} token{'s' if stats.completion_tokens != 1 else ''}")
    if stats.finish_reason == "cancelled":
        parts.append("stopped")
    elif stats.finish_reason == "length":
        parts.append("cut at the token limit")
    elif status == "interrupted":
        parts.append("interrupted")
    return " · ".join(parts)


def _link(href: str, label: str, look: Look) -> str:
    return f'<a href="{href}" style="color:{look.link}; text-decoration:none;">{label}</a>'


def _branch_switcher(message: Message, branches: Branches | None, look: Look) -> str:
    if branches is None or branches.count < 2:
        return ""
    back = _link(f"branch:{branches.previous}", "&lsaquo;", look) if branches.previous is not None else "&lsaquo;"
    forward = _link(f"branch:{branches.next}", "&rsaquo;", look) if branches.next is not None else "&rsaquo;"
    return f"{back}&nbsp;{branches.index}/{branches.count}&nbsp;{forward}"


def actions_html(message: Message, branches: Branches | None, last: bool, busy: bool, look: Look) -> str:
    """The small line of links under a message (none while a reply streams, to avoid racing it)."""
    items = [_branch_switcher(message, branches, look)]
    if not busy:
        if message.role == "user":
            items.append(_link(f"edit:{message.id}", "Edit", look))
        elif message.role == "assistant":
            items.append(_link(f"copymessage:{message.id}", "Copy", look))
            if last:
                items.append(_link(f"regenerate:{message.id}", "Regenerate", look))
                if message.status != "complete" or message.stats.finish_reason == "length":
                    items.append(_link(f"continue:{message.id}", "Continue", look))
    line = " &nbsp;·&nbsp; ".join(i for i in items if i)
    return f'<p style="margin-top:2px; margin-bottom:0px; color:{look.muted};">{line}</p>' if line else ""


def body_html(message: Message, look: Look) -> Rendered:
    """The message text: Markdown for replies; the user's text as typed (escaped, line breaks kept)."""
    if message.role == "user":
        text = html.escape(message.content).replace("\n", "<br>")
        return Rendered(f'<p style="margin:0;">{text}</p>', ())
    rendered = render_markdown(message.content, message.id, look.dark)
    if not message.content and message.status == "streaming":
        return Rendered(f'<p style="margin:0; color:{look.muted};">…</p>', ())
    return rendered


def message_html(
    message: Message,
    body: Rendered,
    branches: Branches | None,
    *,
    last: bool,
    busy: bool,
    look: Look,
    sources: str = "",
) -> str:
    """The whole message: a speaker line, the body, its cited sources, errors, stats and actions."""
    who = "You" if message.role == "user" else "Assistant"
    head = f'<p style="margin-top:14px; margin-bottom:4px; font-weight:600; color:{look.muted};">{who}</p>'
    content = body.html
    if message.role == "user":
        content = (
            f'<table width="100%" cellpadding="10" cellspacing="0" bgcolor="{look.bubble}"><tr><td>'
            f"{content}</td></tr></table>"
        )
    extra = sources
    if message.error:
        extra += f'<p style="margin-top:4px; margin-bottom:0; color:{look.error};">{html.escape(message.error)}</p>'
    if message.role == "assistant" and message.status != "streaming":
        stats = stats_text(message.stats, message.status)
        if stats:
            extra += f'<p style="margin-top:4px; margin-bottom:0; color:{look.muted}; font-size:small;">{stats}</p>'
    return head + content + extra + actions_html(message, branches, last, busy, look)
