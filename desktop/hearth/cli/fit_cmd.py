"""``hearth fit``: will this GGUF run here, and how? For a local file or a file on the Hub (header only)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any, get_args

from hearth.core import hardware
from hearth.core.fit import FitEstimate, estimate
from hearth.core.gguf import HeaderCache, InvalidGGUF, read_model_header, read_remote_model_header
from hearth.core.load_settings import CacheType, LoadSettings
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes

REPO_ID = re.compile(r"^[\w.-]+/[\w.-]+$")
VERDICT_WORDS = {
    "full_gpu": "Full GPU",
    "partial_gpu": "Partial GPU offload",
    "cpu_only": "CPU only",
    "wont_fit": "Will not fit",
}


class FitError(Exception):
    """A problem the user can fix (wrong name, no such file); printed without a traceback."""


def register(commands: Any) -> None:
    cmd = commands.add_parser(
        "fit",
        help="estimate memory and say how a GGUF model runs on this computer",
        description="Reads only the GGUF header (a few MB for Hub files) and prints the memory breakdown and verdict.",
    )
    cmd.add_argument("model", help="a local .gguf file (any shard of a split model) or a Hub repo id (owner/name)")
    cmd.add_argument("--file", help="with a repo id: the .gguf file in the repo (needed when it has several)")
    cmd.add_argument("--revision", default="main", help="with a repo id: branch, tag or commit (default main)")
    cmd.add_argument("--ctx", type=int, help="context length in tokens (default: the one in Settings)")
    cmd.add_argument("--kv-type", choices=get_args(CacheType), default="f16", help="K/V cache type (default f16)")
    cmd.add_argument("--gpu-layers", type=int, help="force this many layers on the GPU (default: as many as fit)")
    cmd.add_argument("--no-flash-attn", action="store_true", help="estimate without flash attention")
    cmd.add_argument("--swa-full", action="store_true", help="full-size sliding-window cache (llama.cpp's default)")
    cmd.add_argument("--json", action="store_true", help="print one JSON object (a stable contract)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    store = SettingsStore(paths)
    folders = store.folders()
    try:
        settings = LoadSettings(
            n_ctx=args.ctx or store.settings.context_length,
            flash_attn=not args.no_flash_attn,
            type_k=args.kv_type,
            type_v=args.kv_type,
            swa_full=args.swa_full,
            n_gpu_layers=args.gpu_layers,
        )
        cache = HeaderCache(folders.cache_dir / "gguf-headers")
        header, bytes_read = _header(args, cache)
    except (FitError, InvalidGGUF, ValueError, OSError) as exc:
        print(f"hearth fit: {exc}", file=sys.stderr)
        return 1
    result = estimate(header, settings, hardware.snapshot(folders.models_dir))
    if bytes_read is not None:
        result = _with_bytes_read(result, bytes_read)
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_text(result)
    return 0


def _with_bytes_read(result: FitEstimate, bytes_read: int) -> FitEstimate:
    from dataclasses import replace

    return replace(result, header_bytes_read=bytes_read)


def _header(args: argparse.Namespace, cache: HeaderCache) -> tuple[Any, int | None]:
    local = Path(args.model).expanduser()
    if local.exists() or args.model.lower().endswith(".gguf"):
        if not local.is_file():
            raise FitError(f"{local} does not exist")
        return read_model_header(local, cache=cache), None
    if not REPO_ID.match(args.model):
        raise FitError(f"{args.model!r} is neither a local .gguf file nor a Hub repo id like owner/name")
    filename = args.file or _only_gguf_file(args.model, args.revision)
    remote = read_remote_model_header(args.model, filename, revision=args.revision, cache=cache)
    return remote.header, remote.bytes_read


def _only_gguf_file(repo_id: str, revision: str) -> str:
    from huggingface_hub import HfApi

    from hearth.core.gguf import group_shards

    files = [f for f in HfApi().list_repo_files(repo_id, revision=revision) if f.lower().endswith(".gguf")]
    groups = group_shards(files)
    if not groups:
        raise FitError(f"{repo_id} has no .gguf files")
    if len(groups) > 1:
        names = "\n  ".join(g.first for g in groups)
        raise FitError(f"{repo_id} has {len(groups)} GGUF models; choose one with --file:\n  {names}")
    return groups[0].first


def _print_text(result: FitEstimate) -> None:
    rows = [
        ("Model", f"{Path(result.file).name} ({result.architecture}, {result.n_layers} layers)"),
        ("Settings", _settings_line(result)),
        ("Weights", format_bytes(result.weights_bytes)),
        ("KV cache", format_bytes(result.kv_cache_bytes)),
        ("Compute buffers", format_bytes(result.compute_bytes)),
        ("Overhead", format_bytes(result.overhead_bytes)),
        ("Total reserved", format_bytes(result.total_bytes)),
        ("Resident (CPU)", f"{format_bytes(result.resident_bytes)} expected peak RAM when run on the CPU"),
        ("On the GPU", f"{result.gpu_layers} layers, {format_bytes(result.gpu_bytes)}"),
        ("On the CPU", format_bytes(result.cpu_bytes)),
    ]
    if result.header_bytes_read is not None:
        rows.append(("Header read", f"{format_bytes(result.header_bytes_read)} downloaded"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    print()
    print(f"Verdict: {VERDICT_WORDS[result.verdict]}")
    print(result.explanation)


def _settings_line(result: FitEstimate) -> str:
    parts = [f"{result.context:,} context", f"{result.kv_type} KV cache"]
    parts.append("flash attention" if result.flash_attn else "no flash attention")
    if result.swa_full:
        parts.append("full-size SWA cache")
    parts.append(f"batch {result.n_batch}/{result.n_ubatch}")
    return ", ".join(parts)
