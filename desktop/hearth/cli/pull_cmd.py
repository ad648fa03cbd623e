"""``hearth pull owner/repo --file F``: download into the models folder, resumable, verified.

Runs the same transfer as the app (:func:`hearth.core.downloads.download_files`) but not its queue: a second
process must never rewrite the app's queue file. The ``.part`` files are shared, so an interrupted pull resumes
in the app or in the next pull, and a file the app is downloading is refused (it is locked).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, TextIO

from hearth.core.downloads import (
    DownloadError,
    ProgressMeter,
    RemoteFile,
    TransferResult,
    UnsafePathError,
    download_files,
    safe_destination,
)
from hearth.core.hub_config import HubConfig
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes


def register(commands: Any) -> None:
    cmd = commands.add_parser("pull", help="download a model file from the Hub into the models folder (resumable)")
    cmd.add_argument("repo", help="the repo id, owner/name")
    cmd.add_argument(
        "--file", "-f", dest="files", action="append", required=True, metavar="FILE",
        help="a file in the repo; repeat it for every shard of a split model",
    )  # fmt: skip
    cmd.add_argument("--revision", default="main", help="branch, tag or commit (default main)")
    cmd.add_argument("--json", action="store_true", help="print one JSON object when done (a stable contract)")
    cmd.set_defaults(run=run)


class _ProgressLine:
    """A ``\\r`` progress line on a terminal: percent, bytes, speed, ETA; at most five redraws a second."""

    def __init__(self, stream: TextIO | None) -> None:
        self.stream = stream
        self.meter = ProgressMeter(interval_s=0.2)
        self.total = 0

    def resolved(self, remote: list[RemoteFile]) -> None:
        self.total = sum(r.size for r in remote)
        self.meter.restart(time.monotonic(), 0)

    def progress(self, done: int) -> None:
        sample = self.meter.update(time.monotonic(), done, self.total)
        if self.stream is None or sample is None or not self.total:
            return
        eta = f"ETA {int(sample.eta_s) // 60}:{int(sample.eta_s) % 60:02d}" if sample.eta_s is not None else ""
        line = (
            f"{100 * done / self.total:5.1f}%  {format_bytes(done)} of {format_bytes(self.total)}  "
            f"{format_bytes(sample.speed_bps)}/s  {eta}"
        )
        self.stream.write(f"\r{line:<72}")
        self.stream.flush()

    def retrying(self, error: DownloadError, delay: float) -> None:
        if self.stream is not None:
            self.stream.write(f"\r{str(error)[:60]} (retrying in {delay:.0f} s)".ljust(72))
            self.stream.flush()

    def clear(self) -> None:
        if self.stream is not None:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    models_dir = SettingsStore(paths).folders().models_dir
    line = _ProgressLine(sys.stderr if sys.stderr.isatty() and not args.json else None)
    try:
        destinations = [safe_destination(models_dir, args.repo, name) for name in args.files]
        config = HubConfig.from_environment()
        results = download_files(
            args.repo,
            args.files,
            destinations,
            revision=args.revision,
            token=config.token,
            endpoint=config.endpoint,
            on_resolved=line.resolved,
            on_progress=line.progress,
            on_retry=line.retrying,
        )
    except (DownloadError, UnsafePathError, OSError) as exc:
        line.clear()
        print(f"hearth pull: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        line.clear()
        print("hearth pull: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    line.clear()
    if args.json:
        json.dump(_json(results), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for result in results:
        check = "sha256 verified" if result.verified else "no published hash to check"
        print(f"{result.path}  {format_bytes(result.size_bytes)}  {check}")
    return 0


def _file_json(result: TransferResult) -> dict[str, Any]:
    return {
        "path": str(result.path),
        "size_bytes": result.size_bytes,
        "sha256": result.sha256,
        "verified": result.verified,
        "resumed_from_bytes": result.resumed_from_bytes,
    }


def _json(results: list[TransferResult]) -> dict[str, Any]:
    """One object for the whole pull: ``path`` is the first file (what llama.cpp opens for a split model);
    ``files`` has one object per file; ``sha256`` is ``null`` for several files."""
    return {
        "path": str(results[0].path),
        "size_bytes": sum(r.size_bytes for r in results),
        "sha256": results[0].sha256 if len(results) == 1 else None,
        "verified": all(r.verified for r in results),
        "resumed_from_bytes": sum(r.resumed_from_bytes for r in results),
        "files": [_file_json(r) for r in results],
    }
