"""System prompt presets: named prompts (and sampling) to start a conversation from.

The built-ins ("Helpful assistant", "Concise", "Coding") are seeded by a schema migration rather than by code
at start-up, so a user who edits or deletes one is not overruled the next time Hearth opens.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from hearth.core.chat.db import Database
from hearth.core.chat.errors import NotFound
from hearth.core.chat.records import Preset, SamplingSettings, dumps, loads

_COLUMNS = "id, name, system_prompt, sampling, builtin"


def _preset(row: sqlite3.Row | tuple[Any, ...]) -> Preset:
    return Preset(
        id=row[0],
        name=row[1],
        system_prompt=row[2],
        sampling=SamplingSettings.from_json(loads(row[3])),
        builtin=bool(row[4]),
    )


class PresetStore:
    """Reached as ``ConversationStore.presets``; shares the store's connection and lock."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def all(self) -> list[Preset]:
        """Built-ins first (in seeding order), then the user's own by name."""
        with self._db.read() as conn:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM presets ORDER BY builtin DESC, iif(builtin, id, 0), lower(name), id"
            ).fetchall()
        return [_preset(r) for r in rows]

    def get(self, preset_id: int) -> Preset:
        with self._db.read() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM presets WHERE id = ?", (preset_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no preset {preset_id}; it may have been deleted.")
        return _preset(row)

    def create(self, name: str, system_prompt: str, sampling: SamplingSettings | None = None) -> Preset:
        name = _valid_name(name)
        with self._db.write() as conn:
            cur = conn.execute(
                "INSERT INTO presets(name, system_prompt, sampling) VALUES (?, ?, ?)",
                (name, system_prompt, dumps((sampling or SamplingSettings()).to_json())),
            )
        assert cur.lastrowid is not None
        return self.get(cur.lastrowid)

    def update(
        self,
        preset_id: int,
        *,
        name: str | None = None,
        system_prompt: str | None = None,
        sampling: SamplingSettings | None = None,
    ) -> Preset:
        """Change what is given (None keeps it). Built-ins are editable too: they are the user's now."""
        old = self.get(preset_id)
        with self._db.write() as conn:
            conn.execute(
                "UPDATE presets SET name = ?, system_prompt = ?, sampling = ? WHERE id = ?",
                (
                    _valid_name(name) if name is not None else old.name,
                    system_prompt if system_prompt is not None else old.system_prompt,
                    dumps((sampling or old.sampling).to_json()),
                    preset_id,
                ),
            )
        return self.get(preset_id)

    def delete(self, preset_id: int) -> None:
        """Conversations started from it keep their prompt; only their link to the preset is cleared."""
        with self._db.write() as conn:
            if conn.execute("DELETE FROM presets WHERE id = ?", (preset_id,)).rowcount == 0:
                raise NotFound(f"There is no preset {preset_id}; it may have been deleted.")


def _valid_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValueError("a preset needs a name")
    return name
