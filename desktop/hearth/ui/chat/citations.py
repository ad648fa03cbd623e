"""Which document passages a reply was given, and how they show under it: a numbered "Sources" block.

The log holds the sources of this session's replies; they are also saved in the reply's stats
(``ReplyStats.sources``) when it finishes, and read back from there for replies of earlier sessions, so citations
keep working after a restart. Each entry links ``source:<message id>:<n>`` so the message view can open the viewer
for exactly that passage.
"""

from __future__ import annotations

import dataclasses
import html
from dataclasses import dataclass, field
from pathlib import Path

from hearth.core.chat import Message, ReplyStats
from hearth.core.docs.retriever import Passage
from hearth.ui.chat.message_html import Look

SNIPPET_CHARS = 180


@dataclass(frozen=True)
class ReplySources:
    """The passages numbered [1], [2]… in the prompt of one reply, or the note saying none matched."""

    collections: tuple[str, ...]
    passages: tuple[Passage, ...] = ()
    note: str | None = None


def no_match_note(collections: tuple[str, ...]) -> str:
    names = " or ".join(collections)
    return f"No passages in {names} matched; answering without documents."


@dataclass
class SourcesLog:
    """Reply id → :class:`ReplySources`, plus the sources prepared for the reply about to start."""

    by_reply: dict[int, ReplySources] = field(default_factory=dict)
    pending: ReplySources | None = None

    def attach(self, reply_id: int) -> None:
        """The reply the pending sources were prepared for has started: they belong to it now."""
        if self.pending is not None:
            self.by_reply[reply_id] = self.pending
            self.pending = None

    def get(self, reply_id: int) -> ReplySources | None:
        return self.by_reply.get(reply_id)

    def with_sources(self, reply_id: int, stats: ReplyStats) -> ReplyStats:
        """``stats`` plus this reply's sources, so they are saved with it."""
        sources = self.by_reply.get(reply_id)
        if sources is None:
            return stats
        saved = [dataclasses.asdict(p) for p in sources.passages]
        return dataclasses.replace(stats, sources=saved, sources_note=sources.note)

    def html_for(self, message: Message, look: Look) -> str:
        """The block shown under ``message`` (empty for messages without sources)."""
        if message.role != "assistant":
            return ""
        sources = self.by_reply.get(message.id) or self._restored(message)
        return sources_html(message.id, sources, look) if sources is not None else ""

    def _restored(self, message: Message) -> ReplySources | None:
        """Sources saved with a reply of an earlier session (unreadable entries are dropped, not fatal)."""
        stats = message.stats
        if stats.sources is None and stats.sources_note is None:
            return None
        passages = []
        for raw in stats.sources or []:
            try:
                passages.append(Passage(**raw))
            except TypeError:
                continue
        restored = ReplySources(collections=(), passages=tuple(passages), note=stats.sources_note)
        self.by_reply[message.id] = restored
        return restored


def entry_title(passage: Passage) -> str:
    """``invoices.txt, lines 3–4``: the file name (not its folders) and where in it."""
    name = Path(passage.relative_path).name
    return name + passage.location()[len(passage.relative_path) :]


def sources_html(message_id: int, sources: ReplySources, look: Look) -> str:
    if not sources.passages:
        note = html.escape(sources.note or "")
        return f'<p style="margin-top:6px; margin-bottom:0; color:{look.muted}; font-style:italic;">{note}</p>'
    rows = []
    for n, passage in enumerate(sources.passages, start=1):
        snippet = " ".join(passage.text.split())
        if len(snippet) > SNIPPET_CHARS:
            snippet = snippet[: SNIPPET_CHARS - 1] + "…"
        title = html.escape(entry_title(passage))
        link = f'<a href="source:{message_id}:{n}" style="color:{look.link}; text-decoration:none;">[{n}] {title}</a>'
        rows.append(
            f'<p style="margin-top:2px; margin-bottom:0;">{link}<br>'
            f'<span style="color:{look.muted}; font-size:small;">{html.escape(snippet)}</span></p>'
        )
    head = f'<p style="margin-top:8px; margin-bottom:2px; font-weight:600; color:{look.muted};">Sources</p>'
    return head + "".join(rows)
