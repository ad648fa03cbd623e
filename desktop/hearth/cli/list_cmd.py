"""``hearth list``: the models already on this computer (Hearth's folder, extra folders, other apps)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hearth.core.gguf import HeaderCache
from hearth.core.library import scan
from hearth.core.library_sources import default_sources
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes


def register(commands: Any) -> None:
    cmd = commands.add_parser(
        "list",
        help="list local GGUF models (Hearth, Hugging Face cache, LM Studio, GPT4All, Ollama, extra folders)",
        description="Other apps' default folders are looked up under HEARTH_SCAN_HOME when it is set.",
    )
    cmd.add_argument("--json", action="store_true", help="print a JSON list of models (a stable contract)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    store = SettingsStore(paths)
    folders = store.folders()
    sources = default_sources(folders.models_dir, store.settings.extra_model_folders)
    models = scan(sources, HeaderCache(folders.cache_dir / "gguf-headers"))
    if args.json:
        json.dump([m.to_json() for m in models], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not models:
        print("No local models found. Download one with Discover, or add a folder in Settings.")
        return 0
    for m in models:
        facts = f"{m.architecture}, {m.quant or '?'}" if m.valid else f"INVALID: {m.error}"
        print(f"{m.display_name}  [{m.origin}]  {format_bytes(m.size_bytes)}  {facts}")
        print(f"    {m.path}")
    return 0
