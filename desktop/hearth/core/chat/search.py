"""Full-text search over conversation titles and message text (SQLite FTS5).

Why the query is rebuilt rather than passed through: FTS5's syntax treats ``"``, ``*``, ``AND``/``OR``/``NOT``,
``NEAR``, ``:`` and parentheses as operators, so ``c++ "unbalanced`` typed into a search box would be a syntax
error. Every word the user typed becomes a quoted prefix term (``"word"*``): operators lose their meaning,
and a half-typed last word already matches, which is what search-as-you-type needs. Terms are ANDed.

Old branches are searched too: a hit carries the message id, and the UI can switch to the branch holding it.
"""

from __future__ import annotations

import re
import sqlite3

from hearth.core.chat.records import SearchHit

# Control characters cannot be typed into a chat, so the UI can HTML-escape a snippet and then replace these
# with <b>…</b> without ambiguity.
MARK_START = "\x02"
MARK_END = "\x03"

_WORD = re.compile(r"\w+", re.UNICODE)


def match_expression(text: str) -> str | None:
    """The FTS5 MATCH expression for what the user typed, or None when it holds no searchable word."""
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words)  # \w never contains a double quote: nothing to escape


# Rank inside the FTS table first and join only the best rows: three times faster than joining every match
# (10k matching messages: 18 ms instead of 60 ms).
_TITLE_HITS = """
    SELECT c.id, NULL, c.title, hit.marked FROM (
        SELECT rowid, rank, highlight(conversations_fts, 0, :start, :end) AS marked
        FROM conversations_fts WHERE conversations_fts MATCH :query ORDER BY rank LIMIT :limit
    ) AS hit JOIN conversations AS c ON c.id = hit.rowid
    ORDER BY hit.rank
"""
_MESSAGE_HITS = """
    SELECT m.conversation_id, m.id, c.title, hit.marked FROM (
        SELECT rowid, rank, snippet(messages_fts, 0, :start, :end, '…', 16) AS marked
        FROM messages_fts WHERE messages_fts MATCH :query ORDER BY rank LIMIT :limit
    ) AS hit
        JOIN messages AS m ON m.id = hit.rowid
        JOIN conversations AS c ON c.id = m.conversation_id
    ORDER BY hit.rank
"""


def search(conn: sqlite3.Connection, text: str, *, limit: int = 50) -> list[SearchHit]:
    """Title hits first (a title names the whole chat), then message hits, each best match first."""
    query = match_expression(text)
    if query is None or limit <= 0:
        return []
    params = {"query": query, "start": MARK_START, "end": MARK_END, "limit": limit}
    rows = conn.execute(_TITLE_HITS, params).fetchall()
    rows += conn.execute(_MESSAGE_HITS, {**params, "limit": limit - len(rows)}).fetchall() if len(rows) < limit else []
    return [SearchHit(conversation_id=r[0], message_id=r[1], title=r[2], snippet=r[3]) for r in rows]
