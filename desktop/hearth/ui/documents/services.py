"""The documents core behind one small, thread-safe facade: collections, their status, index, search, remove.

Why a facade: the page and the chat both need the same Chroma client (one per process; Chroma keeps its files open
until it is closed) and the same collection store. Every method here blocks — the UI calls them on workers only —
and :meth:`DocsServices.close` releases the client so no file stays open after the window closes.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from hearth.core.docs.collections import CollectionSpec, CollectionStore, drop_chroma_collection, open_chroma
from hearth.core.docs.fts import STATE_DONE, STATE_SKIPPED, IndexDb
from hearth.core.docs.index import DocumentIndex, IndexProgress, IndexResult
from hearth.core.docs.retriever import Passage, Retriever
from hearth.core.docs.types import SkippedFile
from hearth.core.paths import AppPaths

LAST_INDEXED = "last_indexed"
WATCH = "watch"
_BYTES_PER_DIM = 4


@dataclass(frozen=True)
class CollectionStatus:
    """One collection as the list shows it; ``last_indexed`` is a Unix time, None before the first run."""

    spec: CollectionSpec
    files: int = 0
    chunks: int = 0
    skipped: int = 0
    size_bytes: int = 0
    last_indexed: float | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def watching(self) -> bool:
        return self.spec.extra.get(WATCH) == "1"


class DocsServices:
    """Collections under ``paths.data_dir/docs`` and the one Chroma client, opened on first use (on a worker)."""

    def __init__(self, paths: AppPaths) -> None:
        self.store = CollectionStore(paths)
        self._lock = threading.Lock()
        self._client: Any = None

    def client(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = open_chroma(self.store)
            return self._client

    def close(self) -> None:
        """Close Chroma (its SQLite and HNSW files) — call once every worker has ended."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()
            gc.collect()  # Chroma's collection objects hold file handles until collected

    # --- collections ----------------------------------------------------------------------------------------

    def statuses(self) -> list[CollectionStatus]:
        return [self.status(spec) for spec in self.store.list()]

    def status(self, spec: CollectionSpec) -> CollectionStatus:
        """Counts from the collection's SQLite file; size on disk = that file plus its vectors' share."""
        db_path = self.store.sqlite_path(spec)
        stamp = spec.extra.get(LAST_INDEXED)
        last = float(stamp) if stamp else None
        if not db_path.is_file():
            return CollectionStatus(spec, last_indexed=last)
        with IndexDb(db_path) as db:
            records = list(db.files().values())
            chunks = db.total_chunks()
        size = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*") if p.is_file())
        dim = 256 if spec.embedder_id.startswith("wordllama") else 1024
        return CollectionStatus(
            spec,
            files=sum(1 for r in records if r.state == STATE_DONE),
            chunks=chunks,
            skipped=sum(1 for r in records if r.state == STATE_SKIPPED),
            size_bytes=size + chunks * dim * _BYTES_PER_DIM,
            last_indexed=last,
        )

    def save(self, spec: CollectionSpec, previous: str | None = None) -> CollectionStatus:
        """Add or edit; a rename removes the old entry's index (the new name is indexed afresh)."""
        if previous is not None and previous != spec.name:
            self.remove(previous)
        return self.status(self.store.save(spec))

    def set_watching(self, name: str, on: bool) -> CollectionSpec:
        spec = self.store.get(name)
        return self.store.save(replace(spec, extra={**spec.extra, WATCH: "1" if on else "0"}))

    def remove(self, name: str) -> None:
        """Drop the vectors and the keyword index; the user's folders are never touched."""
        spec = self.store.get(name)
        drop_chroma_collection(self.client(), spec.chroma_name)
        self.store.delete(name)

    def skipped(self, name: str) -> list[SkippedFile]:
        spec = self.store.get(name)
        if not self.store.sqlite_path(spec).is_file():
            return []
        with IndexDb(self.store.sqlite_path(spec)) as db:
            return [SkippedFile(spec.relative(p), r) for p, r in db.skipped()]

    # --- work -----------------------------------------------------------------------------------------------

    def index(
        self,
        name: str,
        progress: Callable[[IndexProgress], None] | None = None,
        pause: threading.Event | None = None,
        cancel: threading.Event | None = None,
        only_paths: set[str] | None = None,
    ) -> IndexResult:
        spec = self.store.get(name)
        result = DocumentIndex(self.store, spec, self.client()).index(progress, pause, cancel, only_paths)
        if not result.cancelled:
            spec = self.store.get(name)
            self.store.save(replace(spec, extra={**spec.extra, LAST_INDEXED: f"{time.time():.0f}"}))
        return result

    def search(self, name: str, query: str, k: int = 5) -> list[Passage]:
        spec = self.store.get(name)
        with Retriever(self.store, spec, self.client()) as retriever:
            return retriever.search(query, k=k)
