"""The single writer thread of the indexing pipeline: every Chroma and SQLite write of a run goes through it.

Why one thread: Chroma's local store and SQLite both want one writer, and ordering the steps of a file's update
(mark ``indexing`` → upsert new vectors → swap the SQLite chunks → delete other vectors of that path → mark
``done``)
in one place is what makes a kill at any moment repairable (see ``index.py``).
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field
from typing import Any

from hearth.core.docs.fts import ChunkRow, IndexDb
from hearth.core.docs.types import LoadedDocument, SkippedFile

CHROMA_SLICE = 1000  # well under Chroma's max batch size, small enough to keep memory flat


def chroma_metadata(row: ChunkRow, mtime: float) -> dict[str, str | int | float]:
    """Chroma metadata cannot hold None: a missing page or line is stored as -1 and decoded by the retriever."""
    return {
        "path": row.path,
        "content_hash": row.content_hash,
        "chunk": row.idx,
        "page": -1 if row.page is None else row.page,
        "line_start": -1 if row.line_start is None else row.line_start,
        "line_end": -1 if row.line_end is None else row.line_end,
        "heading": row.heading,
        "mtime": mtime,
    }


@dataclass
class WriteBatch:
    """Files whose chunks are embedded (``vectors`` in row order), plus bookkeeping-only updates."""

    files: list[tuple[LoadedDocument, list[ChunkRow], bool]] = field(default_factory=list)  # bool: had a record
    vectors: list[list[float]] = field(default_factory=list)
    skipped: list[tuple[SkippedFile, float, int]] = field(default_factory=list)
    touched: list[tuple[str, float, int]] = field(default_factory=list)  # same content, new mtime

    @property
    def n_chunks(self) -> int:
        return sum(len(rows) for _, rows, _ in self.files)


class IndexWriter:
    """Consumes ``WriteBatch``es from a short queue (back-pressure on the embedder) until ``finish``."""

    def __init__(self, db: IndexDb, collection: Any) -> None:
        self._db, self._collection = db, collection
        self._queue: queue.Queue[WriteBatch | None] = queue.Queue(maxsize=2)
        self._thread = threading.Thread(target=self._loop, name="hearth-docs-writer", daemon=True)
        self._error: BaseException | None = None

    def start(self) -> None:
        self._thread.start()

    def put(self, batch: WriteBatch) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(batch, timeout=0.2)
                return
            except queue.Full:
                continue
        self.raise_if_failed()

    def finish(self) -> None:
        """Write what is queued, then stop; safe to call after a failure."""
        if self._thread.is_alive():
            self.put_stop()
            self._thread.join()

    def put_stop(self) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(None, timeout=0.2)
                return
            except queue.Full:
                continue

    def raise_if_failed(self) -> None:
        if self._error is not None:
            raise RuntimeError(f"writing the document index failed: {self._error}") from self._error

    def _loop(self) -> None:
        while True:
            batch = self._queue.get()
            if batch is None:
                return
            if self._error is not None:
                continue  # drain so producers never block on a dead writer
            try:
                self.write(batch)
            except Exception as exc:  # noqa: BLE001 - handed to the indexing thread, which raises it
                self._error = exc

    def write(self, batch: WriteBatch) -> None:
        db, collection = self._db, self._collection
        for skipped, mtime, size in batch.skipped:
            collection.delete(where={"path": skipped.path})
            db.mark_skipped(skipped.path, "", mtime, size, skipped.reason)
        if batch.touched:
            db.touch(batch.touched)
        if not batch.files:
            return
        db.mark_indexing((d.path, d.content_hash, d.mtime, d.size_bytes) for d, _, _ in batch.files)
        rows = [(row, doc.mtime) for doc, file_rows, _ in batch.files for row in file_rows]
        for i in range(0, len(rows), CHROMA_SLICE):
            part = rows[i : i + CHROMA_SLICE]
            collection.upsert(  # no documents: the text lives in SQLite, and Chroma adds twice as fast without it
                ids=[r.id for r, _ in part],
                embeddings=batch.vectors[i : i + CHROMA_SLICE],
                metadatas=[chroma_metadata(r, m) for r, m in part],
            )
        db.commit_chunks({doc.path: file_rows for doc, file_rows, _ in batch.files})
        for doc, file_rows, had_record in batch.files:
            if had_record:  # only a file seen before can have vectors from another version (or a killed run)
                stale = {"$or": [{"content_hash": {"$ne": doc.content_hash}}, {"chunk": {"$gte": len(file_rows)}}]}
                collection.delete(where={"$and": [{"path": doc.path}, stale]})
        db.mark_done(doc.path for doc, _, _ in batch.files)
