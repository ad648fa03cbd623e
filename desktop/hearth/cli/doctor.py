"""``hearth doctor``: versions, folders and hardware in one place, for humans or ``--json``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hearth.core import diagnostics
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes


def register(commands: Any) -> None:
    cmd = commands.add_parser("doctor", help="show versions, folders, hardware and GPU offload support")
    cmd.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    cmd.set_defaults(run=run)


def _qt_version() -> str | None:
    try:
        from PySide6.QtCore import qVersion
    except ImportError:
        return None
    return str(qVersion())


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    report = diagnostics.collect(SettingsStore(paths), qt_version=_qt_version())
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    offload = "yes" if report.gpu_offload_supported else "no (CPU-only build)"
    llama = report.llama_cpp or f"not usable: {report.llama_cpp_error}"
    rows = [
        ("Hearth", report.version),
        ("Python", report.python),
        ("Platform", report.platform),
        ("Qt", f"{report.qt or 'not installed'} (PySide6 {report.pyside6 or '-'})"),
        ("llama-cpp-python", llama),
        ("GPU offload", offload),
        ("CPU", f"{report.cpu_model}, {report.cpu_physical_cores} cores / {report.cpu_logical_cores} threads"),
        ("RAM", f"{format_bytes(report.ram_available_bytes)} free of {format_bytes(report.ram_total_bytes)}"),
        ("Config folder", report.config_dir),
        ("Data folder", report.data_dir),
        ("Models folder", f"{report.models_dir} ({format_bytes(report.models_disk_free_bytes)} free)"),
        ("Cache folder", report.cache_dir),
        ("Log file", report.log_file),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0
