"""Local models: every GGUF Hearth can run without downloading, with what its header says, and delete for
the ones Hearth owns.

Why a scan never fails: the folders belong to the user and to other apps; files may be half-written, damaged,
unreadable or missing a shard. Each such file is listed with ``valid=False`` and the reason, so the user sees
it, rather than the whole list failing. Headers come from the header cache (keyed by path, size and mtime), so
a rescan of an unchanged library reads no model file; downloads call :meth:`Library.add_file` for the one new
file instead of rescanning everything.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from stat import S_ISLNK
from typing import Any

from hearth.core.gguf import HeaderCache, InvalidGGUF, read_model_header, sibling_shard_names
from hearth.core.gguf_types import GGUFHeader
from hearth.core.library_sources import OWNER_NAMES, Candidate, Origin, Source, candidates, folder_candidates
from hearth.core.quants import file_type_name, parse_quant

log = logging.getLogger(__name__)


class NotOurs(PermissionError):
    """Hearth refuses to delete a model another app (or the user) keeps; the message says where to do it."""


@dataclass(frozen=True)
class LocalModel:
    """One model on disk. ``path`` is what llama.cpp opens (shard 1, as found: HF-cache links kept so that
    the other shards are found beside it); ``size_bytes`` counts the real files behind every shard."""

    path: Path
    origin: Origin
    display_name: str
    size_bytes: int
    valid: bool
    error: str | None = None
    architecture: str | None = None
    parameters: int | None = None
    quant: str | None = None
    context_length: int | None = None
    has_chat_template: bool = False
    shards: tuple[Path, ...] = ()  # every file of a split model, in order; empty for a single file
    repo_id: str | None = None
    projector: Path | None = None
    root: Path | None = None  # the source folder it was found under

    @property
    def files(self) -> tuple[Path, ...]:
        return self.shards or (self.path,)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "origin": self.origin,
            "display_name": self.display_name,
            "size_bytes": self.size_bytes,
            "valid": self.valid,
            "error": self.error,
            "architecture": self.architecture,
            "parameters": self.parameters,
            "quant": self.quant,
            "context_length": self.context_length,
            "has_chat_template": self.has_chat_template,
            "shards": [str(s) for s in self.shards],
            "repo_id": self.repo_id,
            "projector": str(self.projector) if self.projector else None,
        }


def _size(files: Iterable[Path]) -> int:
    total = 0
    for file in files:
        try:
            total += file.stat().st_size  # follows links: the blob's size
        except OSError:
            continue
    return total


def _parameters(header: GGUFHeader) -> int | None:
    count = header.metadata.get("general.parameter_count")
    if isinstance(count, int) and count > 0:
        return count
    total = sum(math.prod(t.shape) for t in header.tensors)
    return total or None


def _from_header(model: LocalModel, header: GGUFHeader, name_hint: str) -> LocalModel:
    meta = header.metadata
    quant = file_type_name(meta.get("general.file_type")) or parse_quant(name_hint)
    ctx = header.arch_value("context_length")
    return replace(
        model,
        architecture=header.architecture,
        parameters=_parameters(header),
        quant=quant,
        context_length=ctx if isinstance(ctx, int) else None,
        has_chat_template=isinstance(meta.get("tokenizer.chat_template"), str),
    )


def inspect(candidate: Candidate, cache: HeaderCache | None = None) -> LocalModel:
    """Read one candidate's header into a :class:`LocalModel`; any problem makes it ``valid=False``."""
    files = candidate.files
    model = LocalModel(
        path=candidate.path,
        origin=candidate.origin,
        display_name=candidate.display_name,
        size_bytes=_size(files),
        valid=False,
        shards=files if candidate.expected_shards > 1 else (),
        repo_id=candidate.repo_id,
        projector=candidate.projector,
        root=candidate.root,
    )
    try:
        header = read_model_header(candidate.path, cache=cache)
    except InvalidGGUF as exc:
        return replace(model, error=str(exc))
    except OSError as exc:
        return replace(model, error=f"cannot read {candidate.path.name}: {exc.strerror or exc}")
    return replace(_from_header(model, header, f"{candidate.display_name} {candidate.path.name}"), valid=True)


def scan(
    sources: Iterable[Source],
    cache: HeaderCache | None = None,
    *,
    cancel: threading.Event | None = None,
    progress: Callable[[LocalModel], None] | None = None,
) -> list[LocalModel]:
    """Every model in ``sources``, in source order; a file reachable from two sources (a link, an extra
    folder inside Hearth's) is listed once, under the first."""
    found: list[LocalModel] = []
    seen: set[Path] = set()
    for source in sources:
        for candidate in candidates(source):
            if cancel is not None and cancel.is_set():
                return found
            real = _real(candidate.path)
            if real in seen:
                continue
            seen.add(real)
            model = inspect(candidate, cache)
            found.append(model)
            if progress is not None:
                progress(model)
    return found


def _real(path: Path) -> Path:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):
        return path.absolute()


def delete(model: LocalModel) -> int:
    """Delete a model Hearth downloaded (every shard) and return the bytes freed; raises :class:`NotOurs` for
    any other origin, and ``OSError`` when a file cannot be removed (those already removed stay removed)."""
    if model.origin != "hearth":
        owner = OWNER_NAMES.get(model.origin, model.origin)
        raise NotOurs(
            f"{model.display_name} belongs to {owner}; Hearth only deletes models it downloaded. "
            f"Remove it from {owner} (or delete {model.path} yourself)."
        )
    freed = 0
    for file in model.files:
        try:
            stat = file.lstat()
        except FileNotFoundError:
            continue
        file.unlink()
        freed += 0 if S_ISLNK(stat.st_mode) else stat.st_size  # a link frees nothing
    if model.root is not None:
        _prune_empty(model.path.parent, model.root)
    return freed


def _prune_empty(folder: Path, root: Path) -> None:
    """Remove folders left empty by a delete, up to (not including) ``root``."""
    try:
        folder.relative_to(root)
    except ValueError:
        return
    while folder != root:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


class Library:
    """The list of local models, kept current without full rescans; safe to use from several threads."""

    def __init__(self, sources: Iterable[Source], cache: HeaderCache | None = None) -> None:
        self.sources = list(sources)
        self.cache = cache
        self._lock = threading.Lock()
        self._models: dict[Path, LocalModel] = {}

    @property
    def models(self) -> list[LocalModel]:
        with self._lock:
            return list(self._models.values())

    def scan(self, *, cancel: threading.Event | None = None) -> list[LocalModel]:
        models = scan(self.sources, self.cache, cancel=cancel)
        with self._lock:
            self._models = {_real(m.path): m for m in models}
        return models

    def add_file(self, path: str | os.PathLike[str]) -> LocalModel:
        """Add (or refresh) the model ``path`` belongs to, e.g. a finished download, without a rescan."""
        path = Path(path)
        source = next((s for s in self.sources if _inside(path, s.root)), Source("folder", path.parent))
        wanted = set(sibling_shard_names(path.name))
        folder_source = Source(source.origin, path.parent)
        found = [c for c in folder_candidates(folder_source) if c.files[0].name in wanted or path in c.files]
        candidate = found[0] if found else Candidate(source.origin, source.root, (path,), 1, path.stem)
        relative = path.parent.relative_to(source.root).parts if _inside(path, source.root) else ()
        repo_id = "/".join(relative[:2]) if source.origin in ("hearth", "lm-studio") and len(relative) >= 2 else None
        candidate = replace(candidate, root=source.root, repo_id=repo_id)
        model = inspect(candidate, self.cache)
        with self._lock:
            self._models[_real(model.path)] = model
        return model

    def delete(self, model: LocalModel) -> int:
        freed = delete(model)
        with self._lock:
            self._models.pop(_real(model.path), None)
            self._models = {k: m for k, m in self._models.items() if m.path != model.path}
        return freed


def _inside(path: Path, root: Path) -> bool:
    try:
        path.absolute().relative_to(root.absolute())
    except ValueError:
        return False
    return True


# Architectures llama.cpp runs as text-embedding models (their GGUFs carry no chat use).
EMBEDDING_ARCHITECTURES = frozenset(
    {"bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3", "modern-bert", "neo-bert", "t5encoder"}
)


def is_embedding_model(model: LocalModel) -> bool:
    """Offered as a Documents embedder: an encoder architecture, or a name that says so (e.g. Qwen3-Embedding)."""
    if not model.valid:
        return False
    return (model.architecture or "") in EMBEDDING_ARCHITECTURES or "embed" in model.display_name.lower()
