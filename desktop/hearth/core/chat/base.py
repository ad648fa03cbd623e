"""What every part of the conversation store shares: the database, the clock, the reply buffer, row mapping.

Split from ``store.py`` only to keep modules small; ``ConversationStore`` is the one class callers use.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from hearth.core.chat.db import Database
from hearth.core.chat.errors import NotFound
from hearth.core.chat.presets import PresetStore
from hearth.core.chat.records import (
    ROLES,
    Conversation,
    Message,
    ReplyStats,
    Role,
    SamplingSettings,
    Status,
    loads,
)
from hearth.core.chat.titles import auto_title

CONVERSATION_COLUMNS = (
    "id, title, created_at, updated_at, model_path, system_prompt, sampling, preset_id, active_leaf_id"
)
MESSAGE_COLUMNS = "m.id, m.conversation_id, m.role, m.content, m.created_at, m.parent_id, m.status, m.stats, m.error"


class StoreBase:
    """The connection and the helpers the public methods are built from."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        flush_interval_s: float = 0.25,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._db = Database(Path(path))
        self.path = self._db.path
        self.moved_aside = self._db.moved_aside
        self.presets = PresetStore(self._db)
        self.flush_interval_s = flush_interval_s
        self._clock = clock
        self._pending: dict[int, list[str]] = {}
        self._last_flush = time.monotonic()

    # -- lifetime ------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Write buffered reply text, then close; the store is unusable afterwards."""
        with self._db.lock:
            try:
                self.flush()
            finally:
                self._db.close()

    def flush(self) -> None:
        """Write all buffered reply text in one transaction; on failure it stays buffered."""
        with self._db.lock:
            if self._pending:
                with self._db.write() as conn:
                    conn.executemany(
                        "UPDATE messages SET content = content || ? WHERE id = ? AND status = 'streaming'",
                        [("".join(parts), mid) for mid, parts in self._pending.items()],
                    )
                self._pending.clear()
            self._last_flush = time.monotonic()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def conversation(self, conversation_id: int) -> Conversation:
        with self._db.read() as conn:
            row = conn.execute(
                f"SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
        if row is None:
            raise NotFound(f"There is no conversation {conversation_id}; it may have been deleted.")
        return conversation_from_row(row)

    def message(self, message_id: int) -> Message:
        with self._db.read() as conn:
            row = conn.execute(f"SELECT {MESSAGE_COLUMNS} FROM messages AS m WHERE id = ?", (message_id,)).fetchone()
            if row is None:
                raise NotFound(f"There is no message {message_id}; it may have been deleted.")
            return self._message(row)

    # -- internals -----------------------------------------------------------------------------------------

    def _insert(
        self, conversation_id: int, role: Role, content: str, parent_id: int | None, status: Status, root: bool = False
    ) -> Message:
        """``root``: ``parent_id`` None means "no parent" instead of "after the visible thread"."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        now = self._clock()
        with self._db.write() as conn:
            conv = conn.execute(
                "SELECT active_leaf_id, auto_title FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if conv is None:
                raise NotFound(f"There is no conversation {conversation_id}; it may have been deleted.")
            if parent_id is None and not root:
                parent_id = conv[0]
            elif parent_id is not None:
                owner = conn.execute("SELECT conversation_id FROM messages WHERE id = ?", (parent_id,)).fetchone()
                if owner is None or owner[0] != conversation_id:
                    raise ValueError(f"message {parent_id} is not part of conversation {conversation_id}")
            cur = conn.execute(
                "INSERT INTO messages(conversation_id, role, content, created_at, parent_id, status)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, role, content, now, parent_id, status),
            )
            changes: dict[str, Any] = {"active_leaf_id": cur.lastrowid, "updated_at": now}
            if role == "user" and conv[1]:
                changes.update(title=auto_title(content), auto_title=False)
            self._update_row(conversation_id, changes, touch=False)
        assert cur.lastrowid is not None
        return self.message(cur.lastrowid)

    def _update_row(self, conversation_id: int, columns: dict[str, Any], *, touch: bool = True) -> None:
        if touch:
            columns["updated_at"] = self._clock()
        assignments = ", ".join(f"{name} = ?" for name in columns)  # names come from this module, never input
        with self._db.write() as conn:
            cur = conn.execute(
                f"UPDATE conversations SET {assignments} WHERE id = ?", (*columns.values(), conversation_id)
            )
            if cur.rowcount == 0:
                raise NotFound(f"There is no conversation {conversation_id}; it may have been deleted.")

    def _preset_exists(self, preset_id: int) -> bool:
        with self._db.read() as conn:
            return conn.execute("SELECT 1 FROM presets WHERE id = ?", (preset_id,)).fetchone() is not None

    def _message(self, row: Iterable[Any]) -> Message:
        """Row plus buffered text. Call with the lock held, or a flush in between would drop or double text."""
        mid, conversation_id, role, content, created_at, parent_id, status, stats, error = row
        pending = self._pending.get(mid)
        return Message(
            id=mid,
            conversation_id=conversation_id,
            role=role,
            content=content + "".join(pending) if pending else content,
            created_at=created_at,
            parent_id=parent_id,
            status=status,
            stats=ReplyStats.from_json(loads(stats)),
            error=error,
        )


def conversation_from_row(row: Sequence[Any]) -> Conversation:
    return Conversation(
        id=row[0],
        title=row[1],
        created_at=row[2],
        updated_at=row[3],
        model_path=row[4],
        system_prompt=row[5],
        sampling=SamplingSettings.from_json(loads(row[6])),
        preset_id=row[7],
        active_leaf_id=row[8],
    )
