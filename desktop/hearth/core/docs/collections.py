"""Document collections: a name, the folders it covers, glob filters and the embedder, kept under ``data/docs/``.

Why a small JSON file: collections are few and edited by hand now and then; the heavy state (file table, keyword
index) lives in one SQLite file per collection and the vectors in one shared Chroma folder, all beside it, so
removing a collection removes exactly its index and never a user's file.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from hearth.core.docs.embedders import DEFAULT_EMBEDDER_ID
from hearth.core.paths import AppPaths

DEFAULT_EXCLUDES = (".*", "__pycache__", "node_modules", "*.tmp", "~$*")
"""Hidden files and folders (``.git``), caches and editor/Office lock files are never worth indexing."""


@dataclass(frozen=True)
class CollectionSpec:
    """What a user chose; ``include`` empty means every file the loaders support."""

    name: str
    folders: tuple[str, ...]
    embedder_id: str = DEFAULT_EMBEDDER_ID
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def slug(self) -> str:
        """A filesystem- and Chroma-safe key: readable prefix + hash so different names never collide."""
        readable = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:40] or "c"
        digest = hashlib.sha256(self.name.encode("utf-8")).hexdigest()[:10]
        return f"{readable}-{digest}"

    @property
    def chroma_name(self) -> str:
        """3–512 characters of ``[a-zA-Z0-9._-]``, starting and ending alphanumeric, as Chroma requires."""
        return f"hearth-{self.slug}-{self.embedder_key}"

    @property
    def embedder_key(self) -> str:
        """Part of the Chroma name, so switching embedders can never mix vectors of two sizes."""
        return hashlib.sha256(self.embedder_id.encode("utf-8")).hexdigest()[:8]

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CollectionSpec:
        return cls(
            name=str(data["name"]),
            folders=tuple(data.get("folders", ())),
            embedder_id=str(data.get("embedder_id", DEFAULT_EMBEDDER_ID)),
            include=tuple(data.get("include", ())),
            exclude=tuple(data.get("exclude", DEFAULT_EXCLUDES)),
            extra=dict(data.get("extra", {})),
        )

    def root_for(self, path: str) -> str | None:
        """The collection folder that holds ``path`` (for relative paths in results)."""
        for folder in self.folders:
            if path == folder or path.startswith(folder.rstrip(os.sep) + os.sep):
                return folder
        return None

    def relative(self, path: str) -> str:
        root = self.root_for(path)
        return os.path.relpath(path, root) if root else path

    def wants(self, relative_path: str) -> bool:
        """Glob filters on every path component (exclude) and on the file name or relative path (include)."""
        parts = Path(relative_path).parts
        for pattern in self.exclude:
            if any(fnmatch.fnmatch(part, pattern) for part in parts) or fnmatch.fnmatch(relative_path, pattern):
                return False
        if not self.include:
            return True
        name = parts[-1] if parts else relative_path
        return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(relative_path, p) for p in self.include)

    def iter_files(self) -> Iterator[str]:
        """Absolute paths of the files the filters accept, sorted per folder so runs are reproducible."""
        for folder in self.folders:
            root = Path(folder)
            if not root.is_dir():
                continue
            for dirpath, dirnames, filenames in os.walk(root):
                rel_dir = os.path.relpath(dirpath, root)
                dirnames[:] = sorted(d for d in dirnames if not any(fnmatch.fnmatch(d, p) for p in self.exclude))
                for name in sorted(filenames):
                    rel = os.path.normpath(Path(rel_dir) / name)
                    if self.wants(rel):
                        yield str(Path(dirpath) / name)


class CollectionStore:
    """``data/docs/collections.json`` plus the per-collection index locations; safe across threads."""

    def __init__(self, paths: AppPaths) -> None:
        self.root = paths.data_dir / "docs"
        self._file = self.root / "collections.json"
        self._lock = threading.Lock()

    @property
    def chroma_dir(self) -> Path:
        return self.root / "chroma"

    def sqlite_path(self, spec: CollectionSpec) -> Path:
        return self.root / f"{spec.slug}.sqlite"

    def _read(self) -> dict[str, CollectionSpec]:
        try:
            data = json.loads(self._file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        return {d["name"]: CollectionSpec.from_json(d) for d in data.get("collections", [])}

    def _write(self, specs: dict[str, CollectionSpec]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self._file.with_suffix(".json.tmp")
        payload = {"version": 1, "collections": [s.to_json() for s in specs.values()]}
        tmp.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        tmp.replace(self._file)  # atomic: a crash never leaves half a file

    def list(self) -> list[CollectionSpec]:
        with self._lock:
            return sorted(self._read().values(), key=lambda s: s.name.lower())

    def get(self, name: str) -> CollectionSpec:
        with self._lock:
            specs = self._read()
        if name not in specs:
            raise KeyError(f"no collection named {name!r}; create it with: hearth docs add {name} FOLDER")
        return specs[name]

    def save(self, spec: CollectionSpec) -> CollectionSpec:
        """Add or replace; folders are stored absolute so results stay valid whatever the working directory."""
        if not spec.name.strip():
            raise ValueError("a collection needs a name")
        folders = tuple(str(Path(f).expanduser().resolve()) for f in spec.folders)
        spec = replace(spec, folders=folders)
        with self._lock:
            specs = self._read()
            specs[spec.name] = spec
            self._write(specs)
        return spec

    def delete(self, name: str) -> CollectionSpec:
        """Forget the collection and its index files (the caller drops its Chroma collection)."""
        with self._lock:
            specs = self._read()
            spec = specs.pop(name)
            self._write(specs)
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.sqlite_path(spec)) + suffix).unlink(missing_ok=True)
        return spec


def open_chroma(store: CollectionStore) -> Any:
    """The shared Chroma client: local files only, no telemetry, no reset."""
    import chromadb
    from chromadb.config import Settings

    store.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(store.chroma_dir), settings=Settings(anonymized_telemetry=False, allow_reset=False)
    )


def chroma_collection(client: Any, spec: CollectionSpec) -> Any:
    """Cosine space, no embedding function: vectors always come from ``hearth.core.docs.embedders``."""
    return client.get_or_create_collection(
        spec.chroma_name,
        metadata={"hnsw:space": "cosine", "hearth_name": spec.name, "embedder": spec.embedder_id},
        embedding_function=None,
    )


def drop_chroma_collection(client: Any, chroma_name: str) -> None:
    try:
        client.delete_collection(chroma_name)
    except Exception as exc:  # chroma's NotFoundError type moves between versions
        if "does not exist" not in str(exc) and "not found" not in str(exc).lower():
            raise


@contextmanager
def opened_collection(paths: AppPaths, name: str) -> Iterator[tuple[CollectionStore, CollectionSpec, Any]]:
    """``(store, spec, chroma client)`` for one short command; the client is closed after (it holds files open).

    Raises ``KeyError`` (with a readable message) before opening anything when there is no such collection.
    """
    store = CollectionStore(paths)
    spec = store.get(name)
    client = open_chroma(store)
    try:
        yield store, spec, client
    finally:
        client.close()
