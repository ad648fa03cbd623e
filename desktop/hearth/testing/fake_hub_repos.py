"""The data model behind :mod:`hearth.testing.fake_hub`: repos, files and their JSON as the Hub writes it.

Why a separate module: the HTTP server only routes and streams bytes; everything the real Hub *computes*
(git blob ids, LFS pointers, sha256, the JSON of ``/api/models``, search and sort) lives here, so the
server stays readable and tests can build repos without starting a server.

The JSON shapes follow what ``huggingface_hub`` parses (``ModelInfo``, ``RepoSibling``, ``RepoFile``,
``RepoFolder`` in ``hf_api.py``): camelCase keys, ISO dates with milliseconds and a ``Z``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

Gated = Literal[False, "auto", "manual"]
FileSource = bytes | str | os.PathLike[str]

#: Extensions the Hub's default ``.gitattributes`` stores with Git LFS.
LFS_SUFFIXES = frozenset(
    {".gguf", ".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".onnx", ".h5", ".msgpack", ".zip", ".gz", ".tar"}
)
#: Files at least this big go to LFS whatever their extension (the Hub rejects bigger plain git blobs).
LFS_SIZE_THRESHOLD = 10 * 1024 * 1024

#: The sort keys of ``GET /api/models`` and the repo attribute each one reads.
SORT_KEYS = {
    "downloads": "downloads",
    "likes": "likes",
    "trendingScore": "trending_score",
    "lastModified": "last_modified",
    "createdAt": "created_at",
}

_DEFAULT_DATE = datetime(2024, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """Format a date as the Hub does (``2024-01-01T00:00:00.000Z``), which ``parse_datetime`` expects."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def make_model_card(card_data: Mapping[str, Any] | None = None, body: str = "") -> str:
    """Write a README.md with a YAML front matter, the way the Hub stores a model card.

    The front matter is written as JSON, which is valid YAML, so the module needs no YAML library and
    ``huggingface_hub.ModelCard`` still parses it.
    """
    front = f"---\n{json.dumps(dict(card_data), indent=2)}\n---\n" if card_data else ""
    return front + body


@dataclass
class FakeFile:
    """One file of a fake repo: its bytes (in memory or on disk) and the hashes the Hub reports for it.

    ``source`` is ``bytes`` (content), ``str`` (text content, UTF-8; never read as a path) or a
    ``Path``/``os.PathLike`` (a file on disk, streamed on each request so multi-GB files cost no memory).
    ``lfs=None`` picks LFS like the Hub's default ``.gitattributes``: by extension or size.
    ``sha256`` may be given to skip hashing a big file on disk.
    """

    path: str
    source: FileSource
    lfs: bool | None = None
    sha256: str | None = None
    _size: int = field(init=False, repr=False, compare=False, default=0)
    _lock: threading.Lock = field(init=False, repr=False, compare=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if isinstance(self.source, str):
            self.source = self.source.encode()
        if isinstance(self.source, bytes):
            self._size = len(self.source)
        else:
            self.source = Path(self.source)
            self._size = self.source.stat().st_size
        if self.lfs is None:
            self.lfs = Path(self.path).suffix.lower() in LFS_SUFFIXES or self._size >= LFS_SIZE_THRESHOLD

    @property
    def size(self) -> int:
        """Size in bytes of the real content (not of the LFS pointer)."""
        return self._size

    @property
    def is_lfs(self) -> bool:
        """Whether the Hub would store this file with Git LFS (and serve its sha256 as ETag)."""
        return bool(self.lfs)

    def open(self) -> BinaryIO:
        """Open the content for reading; the caller seeks and closes."""
        if isinstance(self.source, bytes):
            return io.BytesIO(self.source)
        return Path(self.source).open("rb")

    def read(self, start: int = 0, length: int | None = None) -> bytes:
        """Read ``length`` bytes from ``start`` (all the rest when ``None``)."""
        with self.open() as handle:
            handle.seek(start)
            return handle.read(-1 if length is None else length)

    def content_sha256(self) -> str:
        """The sha256 of the content, computed once (thread-safe: two requests may ask at the same time)."""
        with self._lock:
            if self.sha256 is None:
                digest = hashlib.sha256()
                with self.open() as handle:
                    while chunk := handle.read(1 << 20):
                        digest.update(chunk)
                self.sha256 = digest.hexdigest()
            return self.sha256

    def lfs_pointer(self) -> bytes:
        """The Git LFS pointer file git stores instead of the content."""
        return (
            f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.content_sha256()}\nsize {self.size}\n"
        ).encode()

    def blob_id(self) -> str:
        """The git blob sha1: of the pointer for LFS files, of the content otherwise (as ``git hash-object``)."""
        data = self.lfs_pointer() if self.is_lfs else self.read()
        return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()

    def etag(self) -> str:
        """The unquoted ETag the Hub serves: the sha256 for LFS files, the git blob id otherwise."""
        return self.content_sha256() if self.is_lfs else self.blob_id()

    def lfs_json(self, sha_key: str) -> dict[str, Any] | None:
        """The ``lfs`` object: ``sha_key`` is ``"oid"`` in tree listings and ``"sha256"`` in model info."""
        if not self.is_lfs:
            return None
        return {sha_key: self.content_sha256(), "size": self.size, "pointerSize": len(self.lfs_pointer())}

    def tree_json(self) -> dict[str, Any]:
        """The entry of ``/tree`` and ``/paths-info`` for this file."""
        entry: dict[str, Any] = {"type": "file", "oid": self.blob_id(), "size": self.size, "path": self.path}
        if self.is_lfs:
            entry["lfs"] = self.lfs_json("oid")
        return entry


@dataclass
class FakeRepo:
    """A model repo: its files, one commit, and the metadata ``/api/models`` returns.

    All revisions (``main`` and the names in ``branches``) point at the one commit ``sha``: the fake has a
    single snapshot per repo, which is all download and search tests need. ``allowed_tokens=None`` lets every
    token the hub knows read a gated or private repo; a set restricts it (others get 403 / 404).
    """

    repo_id: str
    files: dict[str, FakeFile] = field(default_factory=dict)
    sha: str = ""
    gated: Gated = False
    private: bool = False
    downloads: int = 0
    downloads_all_time: int | None = None
    likes: int = 0
    trending_score: int = 0
    tags: list[str] = field(default_factory=list)
    library_name: str | None = None
    pipeline_tag: str | None = None
    created_at: datetime = _DEFAULT_DATE
    last_modified: datetime = _DEFAULT_DATE
    card_data: dict[str, Any] | None = None
    gguf: dict[str, Any] | None = None
    branches: tuple[str, ...] = ("main",)
    allowed_tokens: frozenset[str] | None = None
    disabled: bool = False
    generation: int = 0

    def __post_init__(self) -> None:
        if not self.sha:
            self.sha = self._commit_sha()

    def _commit_sha(self) -> str:
        return hashlib.sha1(f"{self.repo_id}@{self.generation}".encode()).hexdigest()

    def new_commit(self) -> str:
        """Move every branch to a new commit sha (after files changed), as a push would."""
        self.generation += 1
        self.sha = self._commit_sha()
        return self.sha

    @property
    def author(self) -> str | None:
        """The namespace (``org`` of ``org/name``); canonical repos like ``gpt2`` have none."""
        return self.repo_id.split("/", 1)[0] if "/" in self.repo_id else None

    @property
    def mongo_id(self) -> str:
        """A stable 24-hex ``_id``, as the Hub's database returns."""
        return hashlib.md5(self.repo_id.encode()).hexdigest()[:24]

    def resolve_revision(self, revision: str) -> str | None:
        """The commit sha for a branch name or the sha itself; ``None`` for an unknown revision."""
        if revision in self.branches or revision == self.sha:
            return self.sha
        return None

    # --- tree ------------------------------------------------------------------------------------------

    def directories(self) -> set[str]:
        """Every folder path implied by the file paths (``a/b/c.txt`` gives ``a`` and ``a/b``)."""
        folders: set[str] = set()
        for path in self.files:
            parts = path.split("/")[:-1]
            folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return folders

    def folder_json(self, path: str) -> dict[str, Any]:
        """The ``/tree`` entry of a folder (its oid is a stable fake tree sha1)."""
        oid = hashlib.sha1(f"tree:{self.sha}:{path}".encode()).hexdigest()
        return {"type": "directory", "oid": oid, "size": 0, "path": path}

    def entry_json(self, path: str) -> dict[str, Any] | None:
        """The ``/tree`` entry for a file or a folder path, ``None`` if neither exists."""
        if path in self.files:
            return self.files[path].tree_json()
        if path in self.directories():
            return self.folder_json(path)
        return None

    def tree(self, folder: str = "", recursive: bool = False) -> list[dict[str, Any]] | None:
        """The entries under ``folder`` (``""`` = root), folders included; ``None`` if it is not a folder.

        Sorted by path, folders interleaved with files, which is stable and close to git's tree order.
        """
        folder = folder.strip("/")
        folders = self.directories()
        if folder and folder not in folders:
            return None
        prefix = f"{folder}/" if folder else ""
        paths = [p for p in (*folders, *self.files) if p.startswith(prefix) and p != folder]
        if not recursive:
            paths = [p for p in paths if "/" not in p[len(prefix) :]]
        return [entry for p in sorted(paths) if (entry := self.entry_json(p)) is not None]

    # --- model info --------------------------------------------------------------------------------------

    def siblings_json(self, with_blobs: bool) -> list[dict[str, Any]]:
        """``siblings`` of model info; ``blobs=true`` (``files_metadata``) adds size, blobId and lfs."""
        siblings = []
        for path in sorted(self.files):
            sibling: dict[str, Any] = {"rfilename": path}
            if with_blobs:
                fake = self.files[path]
                sibling.update(size=fake.size, blobId=fake.blob_id())
                if fake.is_lfs:
                    sibling["lfs"] = fake.lfs_json("sha256")
            siblings.append(sibling)
        return siblings

    def all_fields(self, with_blobs: bool = False) -> dict[str, Any]:
        """Every field this fake knows, keyed by the Hub's ``expand`` property names."""
        fields: dict[str, Any] = {
            "author": self.author,
            "sha": self.sha,
            "lastModified": iso(self.last_modified),
            "createdAt": iso(self.created_at),
            "private": self.private,
            "gated": self.gated,
            "disabled": self.disabled,
            "downloads": self.downloads,
            "downloadsAllTime": self.downloads if self.downloads_all_time is None else self.downloads_all_time,
            "likes": self.likes,
            "trendingScore": self.trending_score,
            "tags": list(self.tags),
            "library_name": self.library_name,
            "pipeline_tag": self.pipeline_tag,
            "cardData": self.card_data,
            "siblings": self.siblings_json(with_blobs),
            "spaces": [],
            "usedStorage": sum(f.size for f in self.files.values()),
        }
        if self.gguf is not None:
            fields["gguf"] = self.gguf
        return fields

    def info_json(self, expand: Iterable[str] = (), with_blobs: bool = False) -> dict[str, Any]:
        """``GET /api/models/{id}``: everything, or only ``_id``, ``id`` and the ``expand`` properties."""
        base: dict[str, Any] = {"_id": self.mongo_id, "id": self.repo_id}
        fields = self.all_fields(with_blobs)
        expand = list(expand)
        if expand:
            return base | {key: fields[key] for key in expand if key in fields}
        fields.pop("trendingScore")
        if fields["cardData"] is None:
            fields.pop("cardData")
        return base | {"modelId": self.repo_id} | fields

    def list_json(self, expand: Iterable[str] = (), full: bool = False, card_data: bool = False) -> dict[str, Any]:
        """One item of ``GET /api/models``: the Hub's short default fields unless ``expand``/``full`` ask more."""
        expand = list(expand)
        if expand:
            return self.info_json(expand)
        keys = ["likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag", "library_name", "createdAt"]
        if full:
            keys += ["author", "sha", "lastModified", "gated", "disabled", "siblings"]
        if card_data or full:
            keys.append("cardData")
        fields = self.all_fields()
        item = {"_id": self.mongo_id, "id": self.repo_id} | {key: fields[key] for key in keys}
        return item | {"modelId": self.repo_id}

    def matches(self, search: str | None, author: str | None, filters: Iterable[str]) -> bool:
        """The ``search`` (substring of the id, case-insensitive), ``author`` and ``filter`` (all must hold)."""
        if search and search.lower() not in self.repo_id.lower():
            return False
        if author and (self.author or "").lower() != author.lower():
            return False
        labels = {t.lower() for t in self.tags} | {
            v.lower() for v in (self.library_name, self.pipeline_tag) if v is not None
        }
        return all(f.lower() in labels for f in filters)

    def sort_value(self, key: str) -> Any:
        """The value ``sort=key`` orders by; an unknown key sorts nothing (every repo ties)."""
        attribute = SORT_KEYS.get(key)
        return getattr(self, attribute) if attribute else 0
