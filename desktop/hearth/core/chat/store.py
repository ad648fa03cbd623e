"""Conversations, their branching messages and streamed replies, in one SQLite file in the data folder.

Threads: one connection (``check_same_thread=False``) behind a re-entrant lock. The UI is expected to send
writes through a single worker thread (like Anki's collection executor) and may call the quick reads
(``conversation``, ``messages``, ``list_conversations``, ``search``) from the main thread; the lock serializes
them, and since every write is one short transaction a read waits at most for one batch commit.

Streaming: ``append_reply`` only buffers, and writes the buffered text at most every ``flush_interval_s``
(0.25 s): a reply is safe up to the last flush if the app or engine dies, and a fast model costs four small
commits a second, not one per token. Call ``flush()`` from a timer if deltas can stop arriving mid-reply.
Only one process should have the file open: opening turns every "streaming" reply into "interrupted", which
is right after a crash and wrong if another Hearth is still writing one.

Measured with ``python tests/core/test_chat_store.py`` (Linux, SSD, Python 3.11, SQLite 3.40, a busy machine):
appending 2,000 deltas costs ~2 ms with the 0.25 s buffer, and ~200 ms (0.1 ms per commit) when every delta
is committed (``flush_interval_s=0``). Searching 10,000 messages (5.5 MB file) takes under 1 ms for a rare
word and 15-30 ms for a word in every message (all matches are ranked; the top 50 are returned).
"""

from __future__ import annotations

import enum
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from hearth.core.chat import export
from hearth.core.chat.base import CONVERSATION_COLUMNS, MESSAGE_COLUMNS, conversation_from_row
from hearth.core.chat.errors import NotFound
from hearth.core.chat.records import Conversation, Message, Role, SamplingSettings, SearchHit, dumps
from hearth.core.chat.replies import ReplyWriter
from hearth.core.chat.search import search as fts_search
from hearth.core.chat.titles import DEFAULT_TITLE

FILE_NAME = "conversations.sqlite3"
_THREAD = f"""
    WITH RECURSIVE thread(id, depth) AS (
        SELECT active_leaf_id, 0 FROM conversations WHERE id = ? AND active_leaf_id IS NOT NULL
        UNION ALL
        SELECT m.parent_id, thread.depth + 1 FROM messages AS m JOIN thread ON m.id = thread.id
        WHERE m.parent_id IS NOT NULL
    )
    SELECT {MESSAGE_COLUMNS} FROM thread JOIN messages AS m ON m.id = thread.id ORDER BY thread.depth DESC
"""
_NEWEST_LEAF = """
    WITH RECURSIVE down(id, depth) AS (
        SELECT ?, 0
        UNION ALL
        SELECT (SELECT max(c.id) FROM messages AS c WHERE c.parent_id = down.id), depth + 1 FROM down
        WHERE down.id IS NOT NULL
    )
    SELECT id FROM down WHERE id IS NOT NULL ORDER BY depth DESC LIMIT 1
"""


class _Keep(enum.Enum):
    KEEP = enum.auto()


KEEP = _Keep.KEEP  # "leave this field as it is" where None is a meaningful value


class ConversationStore(ReplyWriter):
    """The conversation database.

    After opening, ``moved_aside`` names a damaged file that was replaced by an empty one and ``recovered``
    lists replies a crash cut short: both worth telling the user about.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        flush_interval_s: float = 0.25,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(path, flush_interval_s=flush_interval_s, clock=clock)
        try:
            self.recovered = self.recover_interrupted()
        except BaseException:
            self.close()
            raise

    @classmethod
    def in_data_dir(cls, data_dir: Path, **options: Any) -> ConversationStore:
        """The store at its usual place, ``<data folder>/conversations.sqlite3``."""
        return cls(data_dir / FILE_NAME, **options)

    # -- conversations -------------------------------------------------------------------------------------

    def create_conversation(
        self,
        title: str = "",
        *,
        model_path: str = "",
        system_prompt: str = "",
        sampling: SamplingSettings | None = None,
        preset_id: int | None = None,
    ) -> Conversation:
        """Without a title the conversation is named after its first user message."""
        now = self._clock()
        title = " ".join(title.split())
        with self._db.write() as conn:
            cur = conn.execute(
                "INSERT INTO conversations(title, auto_title, created_at, updated_at, model_path, system_prompt,"
                " sampling, preset_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    title or DEFAULT_TITLE,
                    not title,
                    now,
                    now,
                    model_path,
                    system_prompt,
                    dumps((sampling or SamplingSettings()).to_json()),
                    preset_id,
                ),
            )
        assert cur.lastrowid is not None
        return self.conversation(cur.lastrowid)

    def list_conversations(self) -> list[Conversation]:
        """Most recently active first."""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations ORDER BY updated_at DESC, id DESC"
            ).fetchall()
        return [conversation_from_row(r) for r in rows]

    def rename_conversation(self, conversation_id: int, title: str) -> Conversation:
        """A user-chosen title is never replaced by the automatic one."""
        title = " ".join(title.split())
        if not title:
            raise ValueError("a conversation needs a title")
        self._update_row(conversation_id, {"title": title, "auto_title": False})
        return self.conversation(conversation_id)

    def update_conversation(
        self,
        conversation_id: int,
        *,
        model_path: str | _Keep = KEEP,
        system_prompt: str | _Keep = KEEP,
        sampling: SamplingSettings | _Keep = KEEP,
        preset_id: int | _Keep | None = KEEP,
    ) -> Conversation:
        """Change the conversation's settings; ``KEEP`` (the default) leaves a field as it is."""
        sampling_json = dumps(sampling.to_json()) if isinstance(sampling, SamplingSettings) else sampling
        changes: dict[str, Any] = {"model_path": model_path, "system_prompt": system_prompt, "sampling": sampling_json}
        changes["preset_id"] = preset_id
        self._update_row(conversation_id, {k: v for k, v in changes.items() if v is not KEEP})
        return self.conversation(conversation_id)

    def delete_conversation(self, conversation_id: int) -> None:
        """Its messages (every branch) go with it, and out of the search index, by cascade and triggers."""
        with self._db.write() as conn:
            if conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount == 0:
                raise NotFound(f"There is no conversation {conversation_id}; it may have been deleted.")

    def duplicate_conversation(self, conversation_id: int) -> Conversation:
        """A full copy, every branch included, titled "<title> (copy)" and listed first."""
        now = self._clock()
        with self._db.write():  # one transaction: the copy cannot miss a message written meanwhile
            source = self.conversation(conversation_id)
            copy = replace(source, title=f"{source.title} (copy)", created_at=now, updated_at=now)
            return self.restore(copy, self.all_messages(conversation_id))

    def restore(self, conversation: Conversation, messages: Sequence[Message]) -> Conversation:
        """Insert ``conversation`` and its message tree as new rows (new ids): for duplicate and JSON import.

        A reply that was still streaming is stored as interrupted, since nobody will finish it.
        """
        by_old: dict[int, int] = {}
        with self._db.write() as conn:
            c = conversation
            cur = conn.execute(
                "INSERT INTO conversations(title, auto_title, created_at, updated_at, model_path, system_prompt,"
                " sampling, preset_id) VALUES (?, 0, ?, ?, ?, ?, ?, ?)",
                (
                    c.title,
                    c.created_at,
                    c.updated_at,
                    c.model_path,
                    c.system_prompt,
                    dumps(c.sampling.to_json()),
                    c.preset_id if c.preset_id is None or self._preset_exists(c.preset_id) else None,
                ),
            )
            new_id = cur.lastrowid
            for m in sorted(messages, key=lambda m: m.id):
                if m.parent_id is not None and m.parent_id not in by_old:
                    raise ValueError(f"message {m.id}'s parent {m.parent_id} is missing")
                cur = conn.execute(
                    "INSERT INTO messages(conversation_id, role, content, created_at, parent_id, status, stats, error)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        new_id,
                        m.role,
                        m.content,
                        m.created_at,
                        by_old.get(m.parent_id) if m.parent_id else None,
                        "interrupted" if m.status == "streaming" else m.status,
                        dumps(m.stats.to_json()),
                        m.error,
                    ),
                )
                assert cur.lastrowid is not None
                by_old[m.id] = cur.lastrowid
            leaf = by_old.get(c.active_leaf_id) if c.active_leaf_id is not None else None
            conn.execute("UPDATE conversations SET active_leaf_id = ? WHERE id = ?", (leaf, new_id))
        assert new_id is not None
        return self.conversation(new_id)

    # -- messages and branches -----------------------------------------------------------------------------

    def messages(self, conversation_id: int) -> list[Message]:
        """The visible thread: the active leaf and its ancestors, oldest first."""
        with self._db.read() as conn:
            return [self._message(r) for r in conn.execute(_THREAD, (conversation_id,)).fetchall()]

    def all_messages(self, conversation_id: int) -> list[Message]:
        """Every message of every branch, in creation order (parents before children)."""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages AS m WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            ).fetchall()
            return [self._message(r) for r in rows]

    def add_message(self, conversation_id: int, role: Role, content: str, *, parent_id: int | None = None) -> Message:
        """Append after ``parent_id`` (default: the end of the visible thread); it becomes the visible end.

        The first user message names a conversation that has no user-chosen title.
        """
        return self._insert(conversation_id, role, content, parent_id, "complete")

    def edit_user_message(self, message_id: int, new_content: str) -> Message:
        """A sibling of ``message_id`` with the new text, made visible; the old branch stays reachable."""
        old = self.message(message_id)
        if old.role != "user":
            raise ValueError("only the user's messages can be edited and resent")
        with self._db.write():
            return self._insert(old.conversation_id, "user", new_content, old.parent_id, "complete", root=True)

    def branches(self, message_id: int) -> list[Message]:
        """``message_id`` and its siblings (the alternatives at that point), oldest first."""
        m = self.message(message_id)
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {MESSAGE_COLUMNS} FROM messages AS m WHERE conversation_id = ? AND parent_id IS ? ORDER BY id",
                (m.conversation_id, m.parent_id),
            ).fetchall()
            return [self._message(r) for r in rows]

    def switch_branch(self, message_id: int) -> list[Message]:
        """Show the branch through ``message_id``; returns the new visible thread.

        Below ``message_id`` the thread follows the newest reply at each step. A message already on screen
        changes nothing, so clicking into the visible thread never hides its later messages.
        """
        m = self.message(message_id)
        with self._db.write() as conn:
            if any(shown.id == message_id for shown in self.messages(m.conversation_id)):
                return self.messages(m.conversation_id)
            leaf = conn.execute(_NEWEST_LEAF, (message_id,)).fetchone()[0]
            conn.execute("UPDATE conversations SET active_leaf_id = ? WHERE id = ?", (leaf, m.conversation_id))
        return self.messages(m.conversation_id)

    # -- search and export ---------------------------------------------------------------------------------

    def search(self, query: str, *, limit: int = 50) -> list[SearchHit]:
        """Any user input is safe; see ``hearth.core.chat.search`` for the rules and highlight markers."""
        with self._db.read() as conn:
            return fts_search(conn, query, limit=limit)

    def export_markdown(self, conversation_id: int) -> str:
        return export.to_markdown(self.conversation(conversation_id), self.messages(conversation_id))

    def export_json(self, conversation_id: int) -> dict[str, Any]:
        return export.to_json(self.conversation(conversation_id), self.all_messages(conversation_id))

    def import_json(self, data: dict[str, Any]) -> Conversation:
        conversation, messages = export.from_json(data)
        return self.restore(conversation, messages)
