"""Streamed replies: begin, append as text arrives, finish; and recovery of replies a crash cut short.

Why buffer instead of writing each delta: a fast model produces 100+ tokens a second, and a commit per token
would cost more than generating it. Text is written at most every ``flush_interval_s``; after a crash of the
app or the engine, everything up to the last write survives and the reply reads as "interrupted".
"""

from __future__ import annotations

import time

from hearth.core.chat.base import StoreBase
from hearth.core.chat.errors import NotFound
from hearth.core.chat.records import Message, ReplyStats, Status, dumps


class ReplyWriter(StoreBase):
    """The streaming half of ``ConversationStore``."""

    def begin_reply(self, conversation_id: int, parent_id: int | None = None) -> Message:
        """An empty assistant message marked "streaming"; a second reply to the same parent is a regeneration."""
        return self._insert(conversation_id, "assistant", "", parent_id, "streaming")

    def append_reply(self, message_id: int, text_delta: str) -> None:
        """Buffer ``text_delta``; written with everything pending once ``flush_interval_s`` has passed."""
        with self._db.lock:
            self._pending.setdefault(message_id, []).append(text_delta)
            if time.monotonic() - self._last_flush >= self.flush_interval_s:
                self.flush()

    def finish_reply(
        self,
        message_id: int,
        stats: ReplyStats | None = None,
        status: Status = "complete",
        error: str | None = None,
    ) -> Message:
        """Write what is buffered, then record how the reply ended ("complete", "interrupted" or "error")."""
        if status == "streaming":
            raise ValueError("finish_reply needs a final status")
        with self._db.lock:
            self.flush()  # its own transaction: the buffer is only dropped once the text is committed
            self._record_end(message_id, stats or ReplyStats(), status, error)
        return self.message(message_id)

    def _record_end(self, message_id: int, stats: ReplyStats, status: Status, error: str | None) -> None:
        with self._db.write() as conn:
            row = conn.execute("SELECT conversation_id FROM messages WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise NotFound(f"There is no message {message_id}; it may have been deleted.")
            conn.execute(
                "UPDATE messages SET status = ?, stats = ?, error = ? WHERE id = ?",
                (status, dumps(stats.to_json()), error, message_id),
            )
            conn.execute("UPDATE conversations SET updated_at = ? WHERE id = ?", (self._clock(), row[0]))

    def recover_interrupted(self) -> list[int]:
        """Mark replies left "streaming" by a crash as "interrupted", text kept; run by the constructor."""
        with self._db.write() as conn:
            ids = [r[0] for r in conn.execute("SELECT id FROM messages WHERE status = 'streaming'").fetchall()]
            conn.execute("UPDATE messages SET status = 'interrupted' WHERE status = 'streaming'")
        return ids
