"""One SQLite connection, guarded by a lock, that turns SQLite's failures into errors a user can act on.

Opening is where files go wrong, so it is careful in this order: a file that is not a database (or whose
header is damaged) is moved aside with its ``-wal``/``-shm`` companions and a fresh one created, never
deleted; a file from a newer Hearth is refused *before* anything could write to it (switching it to WAL would
already change its header); only then is the schema migrated.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hearth.core.chat.errors import ChatStoreError, DatabaseCorrupt, DatabaseTooNew, StorageFull
from hearth.core.chat.schema import SCHEMA_VERSION, migrate, user_version

log = logging.getLogger(__name__)

_CORRUPT = frozenset({"SQLITE_NOTADB", "SQLITE_CORRUPT"})
_COMPANIONS = ("-wal", "-shm", "-journal")


def _is_corruption(exc: sqlite3.Error) -> bool:
    name = getattr(exc, "sqlite_errorname", "")
    text = str(exc)
    return name in _CORRUPT or "file is not a database" in text or "malformed" in text


def _is_full(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" or "database or disk is full" in str(exc)


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Map SQLite's disk-full and corruption errors to the store's own types; let everything else through."""
    try:
        yield
    except sqlite3.Error as exc:
        if _is_full(exc):
            raise StorageFull(
                f"There is no room left to save conversations in {path.parent}. Free some disk space and try "
                "again; the last change was not saved."
            ) from exc
        if _is_corruption(exc):
            raise DatabaseCorrupt(
                f"The conversation database {path} is damaged ({exc}). Export what you can, quit Hearth and move "
                "the file elsewhere; Hearth then starts with an empty one."
            ) from exc
        raise


def move_aside(path: Path) -> Path:
    """Rename ``path`` (and its journal files) to ``<name>.corrupt-<time>``; returns the new database path."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.replace(aside)
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.replace(aside.with_name(aside.name + suffix))
    return aside


def _connect(path: Path) -> sqlite3.Connection:
    # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE), so migrations and batches are atomic.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10.0)
    try:
        found = user_version(conn)  # reads the header: raises SQLITE_NOTADB for a file that is not a database
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if found > SCHEMA_VERSION:
            raise DatabaseTooNew(path, found, SCHEMA_VERSION)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # e.g. some network file systems
            log.warning("chat: %s cannot use WAL (journal mode %s); readers may wait for writers", path, mode)
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: a crashed *process* loses no commit
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


class Database:
    """The connection, its lock and the path; ``moved_aside`` is set when a damaged file was replaced."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.RLock()
        self.moved_aside: Path | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        with translate_errors(path):
            try:
                self._conn: sqlite3.Connection | None = _connect(path)
            except sqlite3.DatabaseError as exc:
                if not _is_corruption(exc):
                    raise
                self.moved_aside = move_aside(path)
                log.error(
                    "chat: %s is not a readable database (%s); moved it to %s and started an empty one",
                    path,
                    exc,
                    self.moved_aside,
                )
                self._conn = _connect(path)

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ChatStoreError(f"the conversation store {self.path} is closed")
        return self._conn

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock for a few SELECTs, so a read never sees the middle of another thread's batch."""
        with self.lock, translate_errors(self.path):
            yield self._live()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction; nested ``write`` blocks join the outer one, so helpers compose atomically."""
        with self.lock, translate_errors(self.path):
            conn = self._live()
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:  # SQLite may already have rolled back (e.g. disk full)
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self.lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
