"""``hearth search``: GGUF models on the Hub (or its ``HF_ENDPOINT`` mirror), as Discover lists them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, get_args

from hearth.core.hub import Hub, HubConfig, HubError, HubUnreachable, SearchPage, Sort
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore


def register(commands: Any) -> None:
    cmd = commands.add_parser("search", help="search the Hugging Face Hub for GGUF models")
    cmd.add_argument("query", help="words the repo name contains (e.g. 'qwen 8b' matches Qwen/Qwen3-8B-GGUF)")
    cmd.add_argument("--sort", choices=get_args(Sort), default="downloads", help="order (default: downloads)")
    cmd.add_argument("--limit", type=int, default=30, help="how many results (default 30)")
    cmd.add_argument("--author", help="only repos of this user or organisation")
    cmd.add_argument("--offline", action="store_true", help="show the results saved by the last same search")
    cmd.add_argument("--json", action="store_true", help="print a JSON list of results (a stable contract)")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    if not 1 <= args.limit <= 1000:
        print("hearth search: --limit must be between 1 and 1000", file=sys.stderr)
        return 2
    hub = Hub(HubConfig.from_environment(cache_dir=SettingsStore(paths).folders().cache_dir))
    try:
        page = hub.search_models(args.query, sort=args.sort, limit=args.limit, author=args.author, offline=args.offline)
    except HubUnreachable as exc:
        print(f"hearth search: {exc}", file=sys.stderr)
        if not isinstance(exc.cached, SearchPage):
            return 1
        page = exc.cached
    except HubError as exc:
        print(f"hearth search: {exc}", file=sys.stderr)
        return 1
    results = page.results[: args.limit]
    if args.json:
        json.dump([r.to_json() for r in results], sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    if not results:
        print("No GGUF models found.")
        return 0
    width = max(len(r.repo_id) for r in results)
    for r in results:
        params = f"{r.parameters / 1e9:.1f}B" if r.parameters else "?"
        arch = r.architecture or "?"
        gated = "  gated" if r.gated else ""
        print(f"{r.repo_id:<{width}}  {arch:<10} {params:>7}  ↓{r.downloads:<9,} ♥{r.likes:<6,}{gated}")
    return 0
