"""Index a collection into Chroma (vectors) and FTS5 (keywords), incrementally, resumably, off the UI thread.

Pipeline: a small thread pool reads and chunks files; the calling thread embeds in batches; one writer thread
writes (Chroma is not safe to write from many threads, and one writer keeps SQLite simple), like Anki's collection
executor. Callers run ``DocumentIndex.index`` in a worker thread and pass a progress callback, a pause Event and a
cancel Event.

Chroma holds ids, vectors and metadata; the chunk text lives once, in SQLite (FTS5 reads it there, and the
retriever joins vector hits to it). Crash safety, per file: (1) the file table marks it ``indexing`` with its new
hash, (2) the new vectors are upserted (ids contain the content hash, so old and new never collide), (3) the SQLite
chunks are swapped in one transaction — readers switch from the old version to the new one at once, (4) Chroma
vectors of that path from any other hash are deleted, (5) the file is marked ``done``. A kill anywhere before (5)
leaves the file ``indexing``; the next run redoes it, which repairs both indexes. Unchanged files are skipped by
mtime+size, then by content hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hearth.core.docs.collections import CollectionSpec, CollectionStore, chroma_collection, drop_chroma_collection
from hearth.core.docs.embedders import Embedder, make_embedder
from hearth.core.docs.fts import STATE_DONE, STATE_SKIPPED, ChunkRow, FileRecord, IndexDb
from hearth.core.docs.index_writer import IndexWriter, WriteBatch
from hearth.core.docs.loaders.pdf_pages import page_workers
from hearth.core.docs.types import Chunk, LoadedDocument, SkippedFile

LoadFn = Callable[[str], "LoadedDocument | SkippedFile"]
ChunkFn = Callable[..., list[Chunk]]


@dataclass(frozen=True)
class IndexProgress:
    """A snapshot for a progress bar; ``eta_s`` is None until there is a rate to extrapolate."""

    files_done: int
    files_total: int
    chunks: int
    chunks_per_s: float
    eta_s: float | None


@dataclass
class IndexResult:
    files_indexed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    chunks: int = 0  # chunks written by this run
    seconds: float = 0.0
    cancelled: bool = False
    skipped: list[SkippedFile] = field(default_factory=list)


def chunk_id(path: str, content_hash: str, index: int) -> str:
    """Stable for (path, content, position): re-runs upsert the same ids, a changed file gets new ones."""
    path_key = hashlib.sha256(path.encode("utf-8")).hexdigest()[:16]
    return f"{path_key}-{content_hash[:16]}-{index}"


def chunk_rows(doc: LoadedDocument, chunks: Iterable[Chunk]) -> list[ChunkRow]:
    return [
        ChunkRow(
            id=chunk_id(doc.path, doc.content_hash, i),
            path=doc.path,
            content_hash=doc.content_hash,
            idx=i,
            page=c.page,
            line_start=c.line_start,
            line_end=c.line_end,
            heading=" > ".join(c.heading_path),
            text=c.text,
        )
        for i, c in enumerate(chunks)
        if c.text.strip()
    ]


def _default_load() -> LoadFn:
    from hearth.core.docs.loaders import load_file

    return load_file


def _default_chunk() -> ChunkFn:
    from hearth.core.docs.chunker import chunk_document

    return chunk_document


class DocumentIndex:
    """One collection's index. ``load``/``chunk`` default to Hearth's loaders and chunker (tests may swap them)."""

    def __init__(
        self,
        store: CollectionStore,
        spec: CollectionSpec,
        client: Any,
        *,
        embedder: Embedder | None = None,
        load: LoadFn | None = None,
        chunk: ChunkFn | None = None,
        batch_size: int = 256,
        max_tokens: int = 256,
        overlap_tokens: int = 32,
        readers: int | None = None,
    ) -> None:
        self.store, self.spec, self.client = store, spec, client
        self.embedder = embedder or make_embedder(spec.embedder_id)
        self._load, self._chunk = load, chunk
        self.batch_size, self.max_tokens, self.overlap_tokens = batch_size, max_tokens, overlap_tokens
        self.readers = readers or max(1, min(4, (os.cpu_count() or 2)))

    # --- public ---------------------------------------------------------------------------------------------------
    def index(
        self,
        progress: Callable[[IndexProgress], None] | None = None,
        pause: threading.Event | None = None,
        cancel: threading.Event | None = None,
        only_paths: Iterable[str] | None = None,
    ) -> IndexResult:
        """Bring the index in step with the folders (or just ``only_paths``, for the watcher); blocking."""
        started = time.monotonic()
        cancel = cancel or threading.Event()
        with IndexDb(self.store.sqlite_path(self.spec)) as db:
            self._check_embedder(db)
            collection = chroma_collection(self.client, self.spec)
            records = db.files()
            todo, removed = self._plan(records, only_paths)
            result = IndexResult(files_removed=len(removed))
            if removed:
                for i in range(0, len(removed), 100):
                    collection.delete(where={"path": {"$in": removed[i : i + 100]}})
                db.forget(removed)
            writer = IndexWriter(db, collection)
            writer.start()
            try:
                with page_workers():  # long PDFs are read by worker processes while this run lasts
                    self._run(todo, records, writer, result, progress, pause, cancel, started)
            finally:
                writer.finish()
            writer.raise_if_failed()  # a failure in the last batch surfaces only once the writer has drained
            result.skipped = [SkippedFile(p, r) for p, r in db.skipped()]
        result.seconds = time.monotonic() - started
        return result

    def drop(self) -> None:
        """Remove this collection's vectors and keyword index (the user's files are never touched)."""
        drop_chroma_collection(self.client, self.spec.chroma_name)

    # --- planning -------------------------------------------------------------------------------------------------
    def _check_embedder(self, db: IndexDb) -> None:
        """A different embedder means incomparable vectors: drop the old collection and rebuild from scratch."""
        previous = db.get_meta("chroma_name")
        if previous is not None and previous != self.spec.chroma_name:
            drop_chroma_collection(self.client, previous)
            db.clear()
        db.set_meta("chroma_name", self.spec.chroma_name)
        db.set_meta("embedder_id", self.spec.embedder_id)

    def _plan(
        self, records: dict[str, FileRecord], only_paths: Iterable[str] | None
    ) -> tuple[list[tuple[str, os.stat_result]], list[str]]:
        if only_paths is None:
            candidates = list(self.spec.iter_files())
            gone = set(records) - set(candidates)
        else:
            wanted = {str(Path(p).absolute()) for p in only_paths}
            candidates = [p for p in sorted(wanted) if Path(p).is_file() and self._covers(p)]
            for folder in (w for w in wanted if Path(w).is_dir()):  # a folder moved or copied in
                candidates += [p for p in self.spec.iter_files() if p.startswith(folder + os.sep)]
            gone = {p for p in wanted if p in records and p not in candidates}
            # a renamed or deleted folder: everything recorded beneath it is gone too
            gone |= {r for r in records if any(r.startswith(w + os.sep) for w in wanted) and not Path(r).is_file()}
        todo = []
        for path in candidates:
            try:
                st = Path(path).stat()
            except OSError:
                gone.add(path)
                continue
            rec = records.get(path)
            fresh = rec is not None and rec.state in (STATE_DONE, STATE_SKIPPED)
            if fresh and rec is not None and rec.mtime == st.st_mtime and rec.size == st.st_size:
                continue
            todo.append((path, st))
        return todo, sorted(p for p in gone if p in records)

    def _covers(self, path: str) -> bool:
        root = self.spec.root_for(path)
        return root is not None and self.spec.wants(os.path.relpath(path, root))

    # --- running --------------------------------------------------------------------------------------------------
    def _read(self, path: str, known_hash: str | None) -> tuple[LoadedDocument | SkippedFile, list[ChunkRow]]:
        """Load and chunk one file (in a reader thread); a file whose bytes are unchanged is hashed, not parsed."""
        if known_hash is not None:
            with contextlib.suppress(OSError), Path(path).open("rb") as f:
                if hashlib.file_digest(f, "sha256").hexdigest() == known_hash:
                    st = Path(path).stat()
                    return LoadedDocument(path, (), known_hash, st.st_mtime, st.st_size), []
        load = self._load or _default_load()
        try:
            doc = load(path)
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop a folder; the user sees why
            return SkippedFile(path, f"could not read: {exc}"), []
        if isinstance(doc, SkippedFile):
            return doc, []
        chunk = self._chunk or _default_chunk()
        chunks = chunk(
            doc, max_tokens=self.max_tokens, overlap_tokens=self.overlap_tokens, count_tokens=self.embedder.count_tokens
        )
        return doc, chunk_rows(doc, chunks)

    def _run(
        self,
        todo: list[tuple[str, os.stat_result]],
        records: dict[str, FileRecord],
        writer: IndexWriter,
        result: IndexResult,
        progress: Callable[[IndexProgress], None] | None,
        pause: threading.Event | None,
        cancel: threading.Event,
        started: float,
    ) -> None:
        from concurrent.futures import Future, ThreadPoolExecutor

        total, done = len(todo), 0
        batch = WriteBatch()

        def flush() -> None:
            nonlocal batch
            if batch.files:
                texts = [r.text for _, rows, _ in batch.files for r in rows]
                vectors: list[list[float]] = []
                for i in range(0, len(texts), self.batch_size):
                    vectors.extend(self.embedder.embed(texts[i : i + self.batch_size]))
                batch.vectors = vectors
                result.chunks += len(texts)
            if batch.files or batch.skipped or batch.touched:
                writer.put(batch)
            batch = WriteBatch()

        def report() -> None:
            if progress is None:
                return
            elapsed = max(time.monotonic() - started, 1e-6)
            rate = result.chunks / elapsed
            eta = (total - done) * elapsed / done if done else None
            progress(IndexProgress(done, total, result.chunks, rate, eta))

        stats = dict(todo)

        def submit(path: str) -> None:
            rec = records.get(path)
            known = rec.content_hash if rec is not None and rec.state == STATE_DONE else None
            pending.put(pool.submit(self._read, path, known))

        window = self.readers * 4  # bounded read-ahead: memory stays flat on huge folders
        pending: queue.SimpleQueue[Future[tuple[LoadedDocument | SkippedFile, list[ChunkRow]]]] = queue.SimpleQueue()
        paths = iter(stats)
        with ThreadPoolExecutor(self.readers, thread_name_prefix="hearth-docs-read") as pool:
            in_flight = 0
            for path in itertools.islice(paths, window):
                submit(path)
                in_flight += 1
            while in_flight:
                while pause is not None and pause.is_set() and not cancel.is_set():
                    cancel.wait(0.1)
                if cancel.is_set():
                    result.cancelled = True
                    break
                writer.raise_if_failed()
                doc, rows = pending.get().result()
                in_flight -= 1
                for path in itertools.islice(paths, 1):
                    submit(path)
                    in_flight += 1
                done += 1
                if isinstance(doc, SkippedFile):
                    st = stats.get(doc.path)
                    batch.skipped.append((doc, st.st_mtime if st else 0.0, st.st_size if st else 0))
                else:
                    rec = records.get(doc.path)
                    if rec is not None and rec.state == STATE_DONE and rec.content_hash == doc.content_hash:
                        batch.touched.append((doc.path, doc.mtime, doc.size_bytes))
                        result.files_unchanged += 1
                    else:
                        batch.files.append((doc, rows, rec is not None))
                        result.files_indexed += 1
                if batch.n_chunks >= self.batch_size or len(batch.skipped) + len(batch.touched) >= 256:
                    flush()
                report()
            pool.shutdown(wait=True, cancel_futures=True)
        flush()
        writer.raise_if_failed()
        report()
