"""The conversation database's schema, as an ordered list of migrations.

Why ``PRAGMA user_version`` and a list: the version lives inside the file itself (no side table to get out
of step), and migration *n* upgrades a version *n-1* file to *n*. To change the schema, append a migration;
never edit one that has shipped, because users' files already went through it. Each migration runs in its own
transaction together with the version bump, so a crash mid-upgrade leaves the file at the previous version.
A migration that has to rebuild a table must turn ``foreign_keys`` off around itself (SQLite ignores that
pragma inside a transaction), which none needs so far.

Search uses external-content FTS5 tables kept in sync by triggers. Messages still being streamed are left out
of the index and added when they finish (or are recovered as interrupted): re-indexing a growing reply on
every append would make a long answer quadratic.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence

Migration = Callable[[sqlite3.Connection], None]


def _sql(*statements: str) -> Migration:
    """One statement per string: ``executescript`` would commit the surrounding transaction."""

    def run(conn: sqlite3.Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return run


_V1_BASE = _sql(
    """CREATE TABLE conversations (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        auto_title INTEGER NOT NULL DEFAULT 1,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        model_path TEXT NOT NULL DEFAULT '',
        system_prompt TEXT NOT NULL DEFAULT '',
        sampling TEXT NOT NULL DEFAULT '{}'
    )""",
    "CREATE INDEX conversations_by_update ON conversations(updated_at DESC, id DESC)",
    """CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL,
        created_at REAL NOT NULL,
        status TEXT NOT NULL DEFAULT 'complete'
            CHECK (status IN ('complete', 'streaming', 'interrupted', 'error')),
        stats TEXT NOT NULL DEFAULT '{}',
        error TEXT
    )""",
    "CREATE INDEX messages_by_conversation ON messages(conversation_id, id)",
    "CREATE INDEX messages_streaming ON messages(status) WHERE status = 'streaming'",
    """CREATE VIRTUAL TABLE conversations_fts USING fts5(
        title, content='conversations', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE VIRTUAL TABLE messages_fts USING fts5(
        content, content='messages', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
        INSERT INTO conversations_fts(rowid, title) VALUES (new.id, new.title);
    END""",
    """CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
        INSERT INTO conversations_fts(conversations_fts, rowid, title) VALUES ('delete', old.id, old.title);
    END""",
    """CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
        INSERT INTO conversations_fts(conversations_fts, rowid, title) VALUES ('delete', old.id, old.title);
        INSERT INTO conversations_fts(rowid, title) VALUES (new.id, new.title);
    END""",
    """CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.status != 'streaming' BEGIN
        INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
    END""",
    """CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.status != 'streaming' BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    END""",
    # One trigger, two guarded statements: the old text must leave the index before the new one enters.
    """CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, status ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, content)
            SELECT 'delete', old.id, old.content WHERE old.status != 'streaming';
        INSERT INTO messages_fts(rowid, content) SELECT new.id, new.content WHERE new.status != 'streaming';
    END""",
)

# v2: branches. Editing a past message adds a sibling instead of overwriting, so messages become a tree; the
# conversation remembers the leaf of the branch on screen. Existing linear chats become a single chain.
_V2_BRANCHES = _sql(
    "ALTER TABLE messages ADD COLUMN parent_id INTEGER REFERENCES messages(id) ON DELETE CASCADE",
    "ALTER TABLE conversations ADD COLUMN active_leaf_id INTEGER REFERENCES messages(id) ON DELETE SET NULL",
    "CREATE INDEX messages_by_parent ON messages(parent_id)",
    """UPDATE messages SET parent_id = (
        SELECT max(p.id) FROM messages AS p
        WHERE p.conversation_id = messages.conversation_id AND p.id < messages.id)""",
    """UPDATE conversations SET active_leaf_id = (
        SELECT max(m.id) FROM messages AS m WHERE m.conversation_id = conversations.id)""",
)

_BUILTIN_PRESETS = (
    ("Helpful assistant", "You are a helpful, honest assistant. Answer clearly and say when you are unsure."),
    ("Concise", "Answer as briefly as possible: a sentence or a short list. No preamble, no summary."),
    (
        "Coding",
        "You are an expert programmer. Give working code in fenced code blocks with the language named, "
        "explain only what is not obvious, and point out edge cases and bugs.",
    ),
)

_V3_TABLES = _sql(
    """CREATE TABLE presets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        system_prompt TEXT NOT NULL,
        sampling TEXT NOT NULL DEFAULT '{}',
        builtin INTEGER NOT NULL DEFAULT 0
    )""",
    "ALTER TABLE conversations ADD COLUMN preset_id INTEGER REFERENCES presets(id) ON DELETE SET NULL",
)


def _v3_presets(conn: sqlite3.Connection) -> None:
    """v3: system prompt presets, with a few built-ins so the picker is never empty."""
    _V3_TABLES(conn)
    conn.executemany("INSERT INTO presets(name, system_prompt, builtin) VALUES (?, ?, 1)", _BUILTIN_PRESETS)


MIGRATIONS: Sequence[Migration] = (_V1_BASE, _V2_BRANCHES, _v3_presets)
SCHEMA_VERSION = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Bring an autocommit-mode connection from its version up to ``target``; returns the version reached.

    ``target`` below the latest exists for tests that need a file "as an older Hearth left it".
    """
    while True:
        conn.execute("BEGIN IMMEDIATE")  # re-read under the write lock: another process may have migrated
        try:
            version = user_version(conn)
            if version >= target:
                conn.execute("COMMIT")
                return version
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
