"""A repo's GGUF files as a user chooses among them: one row per model file (all shards of a split model
together), its quantization and size, vision projectors set apart; plus the repo's licence, gating and card.

Why one request: ``model_info(files_metadata=True)`` returns every file with its size and LFS sha256 (what the
header cache and the download verifier key on) along with tags, card data and the ``gguf`` summary, so a repo
page costs one round trip before any header is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from hearth.core.gguf_shards import group_shards
from hearth.core.hub_cache import cache_key
from hearth.core.hub_config import HubConfig
from hearth.core.hub_errors import HubUnreachable, hub_errors
from hearth.core.quants import bits_per_weight, is_projector, nominal_bits_per_weight, parse_quant


@dataclass(frozen=True)
class QuantFile:
    """One downloadable model (or projector): ``name`` is the file to point llama.cpp at (shard 1)."""

    name: str
    files: tuple[str, ...]
    sizes: tuple[int | None, ...]
    sha256s: tuple[str | None, ...]
    quant: str | None
    is_projector: bool
    complete: bool  # False when some shards of a split model are missing from the repo
    bits_per_weight: float | None = None  # from size and the repo's parameter count, when both are known

    @property
    def size_bytes(self) -> int | None:
        return None if any(s is None for s in self.sizes) else sum(s for s in self.sizes if s is not None)

    @property
    def is_sharded(self) -> bool:
        return len(self.files) > 1

    @property
    def nominal_bits_per_weight(self) -> float | None:
        return nominal_bits_per_weight(self.quant)

    @property
    def sha256_by_name(self) -> dict[str, str]:
        return {name: sha for name, sha in zip(self.files, self.sha256s, strict=True) if sha}

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "files": list(self.files),
            "sizes": list(self.sizes),
            "sha256s": list(self.sha256s),
            "quant": self.quant,
            "is_projector": self.is_projector,
            "complete": self.complete,
            "bits_per_weight": self.bits_per_weight,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> QuantFile:
        return cls(
            name=data["name"],
            files=tuple(data["files"]),
            sizes=tuple(data["sizes"]),
            sha256s=tuple(data["sha256s"]),
            quant=data["quant"],
            is_projector=bool(data["is_projector"]),
            complete=bool(data["complete"]),
            bits_per_weight=data.get("bits_per_weight"),
        )


@dataclass(frozen=True)
class RepoDetails:
    """What the repo page shows before reading any header."""

    repo_id: str
    sha: str | None
    files: tuple[QuantFile, ...]  # models first (by size), then projectors
    license: str | None
    gated: bool
    tags: tuple[str, ...]
    card_data: dict[str, Any]
    architecture: str | None
    parameters: int | None
    context_length: int | None
    downloads: int
    likes: int
    last_modified: datetime | None
    from_cache: bool = False
    fetched_at: float | None = None

    @property
    def models(self) -> tuple[QuantFile, ...]:
        return tuple(f for f in self.files if not f.is_projector)

    @property
    def projectors(self) -> tuple[QuantFile, ...]:
        return tuple(f for f in self.files if f.is_projector)

    def to_json(self) -> dict[str, Any]:
        return {
            "repo_id": self.repo_id,
            "sha": self.sha,
            "files": [f.to_json() for f in self.files],
            "license": self.license,
            "gated": self.gated,
            "tags": list(self.tags),
            "card_data": self.card_data,
            "architecture": self.architecture,
            "parameters": self.parameters,
            "context_length": self.context_length,
            "downloads": self.downloads,
            "likes": self.likes,
            "last_modified": self.last_modified.isoformat() if self.last_modified else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, fetched_at: float | None = None) -> RepoDetails:
        modified = data.get("last_modified")
        return cls(
            repo_id=data["repo_id"],
            sha=data.get("sha"),
            files=tuple(QuantFile.from_json(f) for f in data["files"]),
            license=data.get("license"),
            gated=bool(data.get("gated")),
            tags=tuple(data.get("tags") or ()),
            card_data=dict(data.get("card_data") or {}),
            architecture=data.get("architecture"),
            parameters=data.get("parameters"),
            context_length=data.get("context_length"),
            downloads=int(data.get("downloads") or 0),
            likes=int(data.get("likes") or 0),
            last_modified=datetime.fromisoformat(modified) if modified else None,
            from_cache=True,
            fetched_at=fetched_at,
        )


def group_gguf_files(
    siblings: list[tuple[str, int | None, str | None]], parameters: int | None = None
) -> tuple[QuantFile, ...]:
    """``(name, size, sha256)`` of every repo file → the GGUF models and projectors in it, sorted by size."""
    info = {name: (size, sha) for name, size, sha in siblings if name.lower().endswith(".gguf")}
    quant_files = []
    for group in group_shards(info):
        projector = is_projector(group.first)
        sizes = tuple(info[f][0] for f in group.files)
        total = None if any(s is None for s in sizes) else sum(s for s in sizes if s is not None)
        quant_files.append(
            QuantFile(
                name=group.first,
                files=group.files,
                sizes=sizes,
                sha256s=tuple(info[f][1] for f in group.files),
                quant=parse_quant(group.first),
                is_projector=projector,
                complete=group.complete,
                bits_per_weight=None if projector else bits_per_weight(total, parameters),
            )
        )
    return tuple(sorted(quant_files, key=lambda f: (f.is_projector, f.size_bytes or 0, f.name.lower())))


def _licence(info: Any, card: dict[str, Any]) -> str | None:
    if isinstance(card.get("license"), str):
        return str(card["license"])
    return next((t.split(":", 1)[1] for t in info.tags or () if t.startswith("license:")), None)


def _details(info: Any) -> RepoDetails:
    gguf = info.gguf if isinstance(info.gguf, dict) else {}
    params = gguf.get("total") if isinstance(gguf.get("total"), int) else None
    card = info.card_data.to_dict() if info.card_data is not None else {}
    siblings = [
        (s.rfilename, s.size if s.lfs is None else s.lfs.size, s.lfs.sha256 if s.lfs is not None else None)
        for s in info.siblings or ()
    ]
    return RepoDetails(
        repo_id=info.id,
        sha=info.sha,
        files=group_gguf_files(siblings, params),
        license=_licence(info, card),
        gated=bool(info.gated),
        tags=tuple(info.tags or ()),
        card_data=card,
        architecture=gguf.get("architecture") if isinstance(gguf.get("architecture"), str) else None,
        parameters=params,
        context_length=gguf.get("context_length") if isinstance(gguf.get("context_length"), int) else None,
        downloads=int(info.downloads or 0),
        likes=int(info.likes or 0),
        last_modified=info.last_modified,
    )


def repo_files(config: HubConfig, repo_id: str, revision: str = "main", *, offline: bool = False) -> RepoDetails:
    """The repo's GGUF files and facts; offline (or unreachable), the last saved answer as in search."""
    answers = config.answers
    key = cache_key("repo", config.endpoint_url, repo_id, revision)
    cached = answers.get("repo", key) if answers is not None else None
    cached_details = RepoDetails.from_json(cached.data, fetched_at=cached.fetched_at) if cached else None
    if offline:
        if cached_details is None:
            raise HubUnreachable(f"offline; {repo_id} was not opened before")
        return cached_details
    try:
        with hub_errors(repo_id=repo_id, has_token=config.has_token, endpoint=config.endpoint_url):
            info = config.api().model_info(repo_id, revision=revision, files_metadata=True, timeout=config.timeout)
    except HubUnreachable as error:
        raise error.with_cached(cached_details) from error.__cause__
    details = _details(info)
    if answers is not None:
        answers.put("repo", key, details.to_json())
    return details


def model_card(config: HubConfig, repo_id: str, revision: str = "main") -> str:
    """The repo's README.md (front matter included), ``""`` when it has none.

    Downloaded into Hearth's own cache folder with ``hf_hub_download``, which answers from that cache when the
    Hub cannot be reached.
    """
    from huggingface_hub import hf_hub_download
    from huggingface_hub.errors import LocalEntryNotFoundError, RemoteEntryNotFoundError

    with hub_errors(repo_id=repo_id, has_token=config.has_token, endpoint=config.endpoint_url):
        try:
            path = hf_hub_download(
                repo_id,
                "README.md",
                revision=revision,
                cache_dir=config.files_cache,
                endpoint=config.endpoint_url,
                token=config.token,
                etag_timeout=config.timeout,
            )
        except RemoteEntryNotFoundError:
            return ""
        except LocalEntryNotFoundError as error:  # offline and never fetched
            raise HubUnreachable(f"the model card of {repo_id} was not fetched before") from error
    return Path(path).read_text(encoding="utf-8", errors="replace")
