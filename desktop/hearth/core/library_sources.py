"""Where GGUF models already are on this computer, and how each app lays them out.

Why read other apps' folders: a user who has LM Studio, GPT4All, Ollama or the ``huggingface_hub`` cache already
has gigabytes of models; downloading them again would waste disk and time. Hearth lists them (read-only: it never
deletes what another app owns). Layouts:

* Hearth and extra folders, LM Studio (``~/.lmstudio/models``, ``~/.cache/lm-studio/models``), GPT4All (one
  folder per OS): ``*.gguf`` anywhere below the root.
* Hugging Face cache (``HF_HUB_CACHE``, else ``HF_HOME/hub``, else ``~/.cache/huggingface/hub``):
  ``models--owner--name/snapshots/<commit>/**.gguf``, symlinks into ``blobs/``; several commits may share a blob.
* Ollama (``OLLAMA_MODELS``, else ``~/.ollama/models``): ``manifests/<registry>/<ns>/<model>/<tag>`` JSON whose
  layer of media type ``application/vnd.ollama.image.model`` names ``blobs/sha256-<hex>``, a GGUF without suffix.

``HEARTH_SCAN_HOME`` replaces the home folder for every other app's default location and turns the apps' own
environment variables off: tests (and a portable install) point the scan at a prepared tree with it.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hearth.core.gguf_shards import group_shards
from hearth.core.quants import is_projector

log = logging.getLogger(__name__)

Origin = Literal["hearth", "hf-cache", "lm-studio", "gpt4all", "ollama", "folder"]
SCAN_HOME_ENV = "HEARTH_SCAN_HOME"
OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
OLLAMA_PROJECTOR_LAYER = "application/vnd.ollama.image.projector"
# Apps that download into the models folder under a prefixed name: not a model until renamed.
_IN_PROGRESS = {"gpt4all": "incomplete-"}
OWNER_NAMES: Mapping[str, str] = {
    "hearth": "Hearth",
    "hf-cache": "the Hugging Face cache",
    "lm-studio": "LM Studio",
    "gpt4all": "GPT4All",
    "ollama": "Ollama",
    "folder": "a folder you added",
}


@dataclass(frozen=True)
class Source:
    """One place to look: ``origin`` says which layout ``root`` has."""

    origin: Origin
    root: Path


@dataclass(frozen=True)
class Candidate:
    """A model found on disk, before its header is read: its files (shards in order) and names."""

    origin: Origin
    root: Path
    files: tuple[Path, ...]  # present files; for a split model, every shard found, in order
    expected_shards: int
    display_name: str
    repo_id: str | None = None
    projector: Path | None = None

    @property
    def path(self) -> Path:
        return self.files[0]


def default_sources(
    models_dir: Path,
    extra_folders: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    platform: str = sys.platform,
) -> list[Source]:
    """Hearth's folder, the extra folders, then every other app's usual location (missing ones included: a
    scan skips them, and the UI can say which apps were looked for)."""
    env = os.environ if env is None else env
    scan_home = env.get(SCAN_HOME_ENV)
    home = Path(scan_home) if scan_home else Path.home()
    own = (lambda name: None) if scan_home else env.get  # the apps' variables count only without a scan home
    sources = [Source("hearth", models_dir)]
    sources += [Source("folder", Path(f).expanduser()) for f in extra_folders]
    hf_cache = own("HF_HUB_CACHE") or (Path(h) / "hub" if (h := own("HF_HOME")) else None)
    sources.append(Source("hf-cache", Path(hf_cache) if hf_cache else home / ".cache" / "huggingface" / "hub"))
    sources += [
        Source("lm-studio", home / ".lmstudio" / "models"),
        Source("lm-studio", home / ".cache" / "lm-studio" / "models"),
    ]
    if platform == "win32":
        local = own("LOCALAPPDATA")
        gpt4all = (Path(local) if local else home / "AppData" / "Local") / "nomic.ai" / "GPT4All"
    elif platform == "darwin":
        gpt4all = home / "Library" / "Application Support" / "nomic.ai" / "GPT4All"
    else:
        data_home = own("XDG_DATA_HOME")
        gpt4all = (Path(data_home) if data_home else home / ".local" / "share") / "nomic.ai" / "GPT4All"
    sources.append(Source("gpt4all", gpt4all))
    ollama = own("OLLAMA_MODELS")
    sources.append(Source("ollama", Path(ollama) if ollama else home / ".ollama" / "models"))
    return sources


def _is_model_name(name: str) -> bool:
    return name.lower().endswith(".gguf") and not name.startswith(".")


def _walk_gguf(root: Path) -> Iterator[tuple[Path, list[str]]]:
    """``(folder, gguf names)`` below ``root``; unreadable folders are skipped, folder links not followed
    (a link loop must not hang the scan), file links are kept (they are resolved when read)."""
    for folder, dirs, files in os.walk(root, onerror=lambda e: log.info("library: skipping %s", e)):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        names = sorted(f for f in files if _is_model_name(f))
        if names:
            yield Path(folder), names


def folder_candidates(source: Source, *, repo_depth: int | None = None) -> Iterator[Candidate]:
    """Models in a folder tree: shards grouped per folder, projectors attached to the models beside them.

    ``repo_depth=2`` names ``owner/name`` from the first two folders below the root (LM Studio's layout).
    """
    for folder, found in _walk_gguf(source.root):
        names = [n for n in found if not n.startswith(_IN_PROGRESS.get(source.origin, "\0"))]
        projectors = [n for n in names if is_projector(n)]
        projector = folder / projectors[0] if projectors else None
        relative = folder.relative_to(source.root).parts
        repo_id = "/".join(relative[:repo_depth]) if repo_depth and len(relative) >= repo_depth else None
        for group in group_shards(n for n in names if not is_projector(n)):
            files = tuple(folder / f for f in group.files)
            yield Candidate(source.origin, source.root, files, group.count, group.base, repo_id, projector)


def hf_cache_candidates(source: Source) -> Iterator[Candidate]:
    """GGUFs in a ``huggingface_hub`` cache; the newest snapshot wins when several hold the same blob."""
    try:
        repos = sorted(p for p in source.root.iterdir() if p.name.startswith("models--"))
    except OSError:
        return
    for repo in repos:
        repo_id = repo.name[len("models--") :].replace("--", "/")
        snapshots = repo / "snapshots"
        try:
            commits = sorted(snapshots.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        except OSError:
            continue
        seen: set[Path] = set()
        for commit in commits:
            for candidate in folder_candidates(Source(source.origin, commit)):
                real = _resolved(candidate.path)
                if real in seen:
                    continue
                seen.add(real)
                name = candidate.display_name
                yield Candidate(
                    source.origin, source.root, candidate.files, candidate.expected_shards, name, repo_id,
                    candidate.projector,
                )  # fmt: skip


def ollama_candidates(source: Source) -> Iterator[Candidate]:
    """One model per manifest (``model:tag``); manifests that name the same blob list it once."""
    manifests = source.root / "manifests"
    seen: set[str] = set()
    for folder, dirs, files in os.walk(manifests, onerror=lambda e: log.info("library: skipping %s", e)):
        dirs.sort()  # the first manifest naming a blob names the model: make "first" stable
        for tag in sorted(files):
            manifest = Path(folder) / tag
            layers = _ollama_layers(manifest)
            model = layers.get(OLLAMA_MODEL_LAYER)
            if model is None or model in seen:
                continue
            seen.add(model)
            parts = manifest.relative_to(manifests).parts  # registry, namespace, model, tag
            name = _ollama_name(parts)
            blob = source.root / "blobs" / model.replace(":", "-")
            projector = layers.get(OLLAMA_PROJECTOR_LAYER)
            proj_path = source.root / "blobs" / projector.replace(":", "-") if projector else None
            yield Candidate(source.origin, source.root, (blob,), 1, name, None, proj_path)


def _ollama_layers(manifest: Path) -> dict[str, str]:
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        return {
            str(layer["mediaType"]): str(layer["digest"])
            for layer in data.get("layers", [])
            if isinstance(layer, dict) and str(layer.get("digest", "")).startswith("sha256:")
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.info("library: unreadable Ollama manifest %s (%s)", manifest, exc)
        return {}


def _ollama_name(parts: tuple[str, ...]) -> str:
    if len(parts) < 4:
        return ":".join(parts)
    registry, namespace, model, tag = parts[0], "/".join(parts[1:-2]), parts[-2], parts[-1]
    prefix = "" if namespace == "library" else f"{namespace}/"
    if registry != "registry.ollama.ai":
        prefix = f"{registry}/{prefix}"
    return f"{prefix}{model}:{tag}"


def _resolved(path: Path) -> Path:
    try:
        return path.resolve(strict=True)
    except (OSError, RuntimeError):
        return path


def candidates(source: Source) -> Iterator[Candidate]:
    """Every model ``source`` holds, by its layout; a missing root yields nothing."""
    if not source.root.is_dir():
        return iter(())
    if source.origin == "hf-cache":
        return hf_cache_candidates(source)
    if source.origin == "ollama":
        return ollama_candidates(source)
    return folder_candidates(source, repo_depth=2 if source.origin in ("lm-studio", "hearth") else None)
