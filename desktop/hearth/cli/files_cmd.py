"""``hearth files``: a repo's GGUF files with how each would run here, and the one Hearth recommends.

Reads only the headers (a few MB per file, cached by sha256) and estimates on this machine with the same
``fit.estimate`` the app uses.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hearth.core import hardware
from hearth.core.fit import FitEstimate, estimate
from hearth.core.gguf import HeaderCache, InvalidGGUF, read_remote_model_header
from hearth.core.hub import Hub, HubConfig, HubError, QuantFile, RepoDetails, recommend
from hearth.core.hub_errors import hub_errors
from hearth.core.load_settings import LoadSettings
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes

VERDICT_WORDS = {"full_gpu": "full GPU", "partial_gpu": "partial GPU", "cpu_only": "CPU only", "wont_fit": "won't fit"}


def register(commands: Any) -> None:
    cmd = commands.add_parser("files", help="list a Hub repo's GGUF files with memory fit and a recommendation")
    cmd.add_argument("repo", help="the repo id, owner/name")
    cmd.add_argument("--revision", default="main", help="branch, tag or commit (default main)")
    cmd.add_argument("--ctx", type=int, help="context length in tokens (default: the one in Settings)")
    cmd.add_argument("--json", action="store_true", help="print a JSON list of files (a stable contract)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    store = SettingsStore(paths)
    folders = store.folders()
    config = HubConfig.from_environment(cache_dir=folders.cache_dir)
    try:
        settings = LoadSettings(n_ctx=args.ctx or store.settings.context_length)
        details = Hub(config).repo_files(args.repo, args.revision)
        cache = HeaderCache(folders.cache_dir / "gguf-headers")
        machine = hardware.snapshot(folders.models_dir)
        rows = [(f, *_estimate(config, details, f, cache, settings, machine)) for f in details.files]
    except (HubError, ValueError) as exc:
        print(f"hearth files: {exc}", file=sys.stderr)
        return 1
    best = recommend([(f, est) for f, est, _ in rows])
    chosen = best.file.name if best else None
    if args.json:
        json.dump([_json(f, est, err, f.name == chosen) for f, est, err in rows], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    _print_table(details, rows, chosen)
    if best is not None:
        print(f"\nRecommended for this computer: {best.file.name}\n{best.reason}")
    elif details.models:
        print("\nNo file in this repo fits this computer at this context.")
    return 0


def _estimate(
    config: HubConfig, details: RepoDetails, file: QuantFile, cache: HeaderCache, settings: LoadSettings, machine: Any
) -> tuple[FitEstimate | None, str | None]:
    """The estimate, or the reason there is none; repo-wide problems (gated, offline) raise instead."""
    if file.is_projector:
        return None, None
    if not file.complete:
        return None, "some shards are missing from the repo"
    try:
        with hub_errors(repo_id=details.repo_id, has_token=config.has_token, endpoint=config.endpoint_url):
            remote = read_remote_model_header(
                details.repo_id,
                file.name,
                revision=details.sha or "main",
                token=config.token,
                endpoint=config.endpoint_url,
                cache=cache,
                sha256s=file.sha256_by_name,
            )
    except InvalidGGUF as exc:
        return None, str(exc)
    return estimate(remote.header, settings, machine), None


def _json(file: QuantFile, est: FitEstimate | None, error: str | None, recommended: bool) -> dict[str, Any]:
    return {
        "name": file.name,
        "shards": list(file.files),
        "quant": file.quant,
        "size_bytes": file.size_bytes,
        "sha256": file.sha256s[0],
        "sha256s": list(file.sha256s),
        "bits_per_weight": file.bits_per_weight,
        "is_projector": file.is_projector,
        "verdict": est.verdict if est else None,
        "total_bytes": est.total_bytes if est else None,
        "explanation": est.explanation if est else None,
        "recommended": recommended,
        "error": error,
    }


def _print_table(
    details: RepoDetails, rows: list[tuple[QuantFile, FitEstimate | None, str | None]], chosen: str | None
) -> None:
    licence = f", licence {details.license}" if details.license else ""
    print(f"{details.repo_id}{' (gated)' if details.gated else ''}{licence}")
    if not rows:
        print("No GGUF files in this repo.")
        return
    width = max(len(f.name) for f, _, _ in rows)
    for file, est, error in rows:
        mark = "*" if file.name == chosen else " "
        size = format_bytes(file.size_bytes) if file.size_bytes is not None else "?"
        shards = f" ({len(file.files)} parts)" if file.is_sharded else ""
        if file.is_projector:
            fit = "vision projector"
        elif est is not None:
            fit = f"{VERDICT_WORDS[est.verdict]}, needs {format_bytes(est.total_bytes)}"
        else:
            fit = f"unknown: {error}"
        print(f"{mark} {file.name:<{width}}  {file.quant or '?':<11} {size:>10}{shards}  {fit}")
