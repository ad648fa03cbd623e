"""One SQLite file per collection: the file table (what is indexed, in which state), chunks, FTS5, skipped files.

Why one file: the keyword index and the file table change in the same transaction, so after any crash they agree;
the file table's ``state`` tells the next run which files Chroma may hold half-written (see ``index.py``).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
PRAGMA journal_mode = WAL;
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, content_hash TEXT NOT NULL, mtime REAL NOT NULL, size INTEGER NOT NULL,
    n_chunks INTEGER NOT NULL DEFAULT 0, state TEXT NOT NULL, reason TEXT
);
CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, path TEXT NOT NULL, content_hash TEXT NOT NULL,
    idx INTEGER NOT NULL, page INTEGER, line_start INTEGER, line_end INTEGER, heading TEXT NOT NULL, text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_path ON chunks(path);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, heading, content='chunks', content_rowid='rowid', tokenize='porter unicode61'
);
CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, heading) VALUES (new.rowid, new.text, new.heading);
END;
CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading) VALUES ('delete', old.rowid, old.text, old.heading);
END;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""

STATE_INDEXING = "indexing"
STATE_DONE = "done"
STATE_SKIPPED = "skipped"

# Words that match nearly every chunk: keeping them would let any question find "keyword" hits.
_STOPWORDS = frozenset(
    """a an and are as at be but by can could do does did for from has have how i if in into is it its me my no not
    of on or our so than that the their them then there these they this to was we were what when where which who
    why will with would you your about after all also any been before being between both each few more most other
    out over same should some such only own too very just up down off again further once here s t don now""".split()  # noqa: SIM905 - a word list reads better as text
)


@dataclass(frozen=True)
class FileRecord:
    path: str
    content_hash: str
    mtime: float
    size: int
    n_chunks: int
    state: str
    reason: str | None = None


@dataclass(frozen=True)
class ChunkRow:
    """A chunk as stored for keyword search; the same fields travel to Chroma as metadata."""

    id: str
    path: str
    content_hash: str
    idx: int
    page: int | None
    line_start: int | None
    line_end: int | None
    heading: str
    text: str


def query_terms(text: str) -> list[str]:
    """The words of a question worth matching: lower case, no stop words, no single letters, each once."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in _STOPWORDS and len(w) > 1]
    return list(dict.fromkeys(words))


def fts_query(text: str) -> str | None:
    """A safe FTS5 MATCH expression: every meaningful word quoted (so no FTS5 syntax leaks in), joined by OR."""
    terms = query_terms(text)
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms) if terms else None


class IndexDb:
    """A thin, typed wrapper; one connection, used by one thread at a time (the writer, or a reader)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> IndexDb:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- meta ---------------------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._conn:
            self._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # --- file table ---------------------------------------------------------------------------------------------
    def files(self) -> dict[str, FileRecord]:
        rows = self._conn.execute("SELECT path, content_hash, mtime, size, n_chunks, state, reason FROM files")
        return {r[0]: FileRecord(*r) for r in rows}

    def mark_indexing(self, records: Iterable[tuple[str, str, float, int]]) -> None:
        """Before Chroma is touched: a crash from here on leaves these paths to be repaired next run."""
        with self._conn:
            self._conn.executemany(
                "INSERT INTO files(path, content_hash, mtime, size, state) VALUES (?, ?, ?, ?, 'indexing') "
                "ON CONFLICT(path) DO UPDATE SET content_hash=excluded.content_hash, mtime=excluded.mtime, "
                "size=excluded.size, state='indexing', reason=NULL",
                list(records),
            )

    def commit_chunks(self, by_path: dict[str, Sequence[ChunkRow]]) -> None:
        """Swap each file's keyword chunks (the text of record for both indexes) in one transaction."""
        with self._conn:
            for path, rows in by_path.items():
                self._conn.execute("DELETE FROM chunks WHERE path = ?", (path,))
                self._conn.executemany(
                    "INSERT INTO chunks(id, path, content_hash, idx, page, line_start, line_end, heading, text) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (r.id, r.path, r.content_hash, r.idx, r.page, r.line_start, r.line_end, r.heading, r.text)
                        for r in rows
                    ],
                )
                self._conn.execute("UPDATE files SET n_chunks=? WHERE path = ?", (len(rows), path))

    def mark_done(self, paths: Iterable[str]) -> None:
        """After Chroma lost the old vectors too: only now is the file's update complete."""
        with self._conn:
            self._conn.executemany("UPDATE files SET state='done' WHERE path = ?", [(p,) for p in paths])

    def mark_skipped(self, path: str, content_hash: str, mtime: float, size: int, reason: str) -> None:
        """Remembered with mtime+size, so an unchanged unreadable file is not re-read on every run."""
        with self._conn:
            self._conn.execute("DELETE FROM chunks WHERE path = ?", (path,))
            self._conn.execute(
                "INSERT OR REPLACE INTO files(path, content_hash, mtime, size, n_chunks, state, reason) "
                "VALUES (?, ?, ?, ?, 0, 'skipped', ?)",
                (path, content_hash, mtime, size, reason),
            )

    def touch(self, records: Iterable[tuple[str, float, int]]) -> None:
        """Same content under a new mtime (a ``touch``, a copy): remember it so the next run takes the fast path."""
        with self._conn:
            self._conn.executemany(
                "UPDATE files SET mtime = ?, size = ? WHERE path = ?", [(m, s, p) for p, m, s in records]
            )

    def forget(self, paths: Iterable[str]) -> None:
        with self._conn:
            for path in paths:
                self._conn.execute("DELETE FROM chunks WHERE path = ?", (path,))
                self._conn.execute("DELETE FROM files WHERE path = ?", (path,))

    def clear(self) -> None:
        with self._conn:
            self._conn.execute("DELETE FROM chunks")
            self._conn.execute("DELETE FROM files")

    def skipped(self) -> list[tuple[str, str]]:
        rows = self._conn.execute("SELECT path, reason FROM files WHERE state = 'skipped' ORDER BY path")
        return [(str(p), str(r or "")) for p, r in rows]

    # --- reading ------------------------------------------------------------------------------------------------
    def chunk_counts(self) -> dict[str, int]:
        """Chunks per path as the keyword index sees them (tests compare this with Chroma's view)."""
        rows = self._conn.execute(
            "SELECT c.path, count(*) FROM chunks_fts f JOIN chunks c ON c.rowid = f.rowid GROUP BY c.path"
        )
        return {str(p): int(n) for p, n in rows}

    def total_chunks(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def rows_by_ids(self, ids: Sequence[str]) -> dict[str, ChunkRow]:
        """Chunk text and position for vector hits (Chroma stores vectors and ids, not the text)."""
        marks = ",".join("?" * len(ids))
        rows = self._conn.execute(
            "SELECT id, path, content_hash, idx, page, line_start, line_end, heading, text FROM chunks "
            f"WHERE id IN ({marks})",
            list(ids),
        )
        return {r[0]: ChunkRow(*r) for r in rows}

    def keyword_search(self, query: str, limit: int) -> list[tuple[ChunkRow, float]]:
        """Best first with the bm25 strength as a positive number (SQLite's bm25 is negative, lower is better)."""
        match = fts_query(query)
        if match is None:
            return []
        rows = self._conn.execute(
            "SELECT c.id, c.path, c.content_hash, c.idx, c.page, c.line_start, c.line_end, c.heading, c.text, "
            "bm25(chunks_fts, 1.0, 0.5) AS score FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
            "WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?",
            (match, limit),
        )
        return [(ChunkRow(*r[:9]), -float(r[9])) for r in rows]
