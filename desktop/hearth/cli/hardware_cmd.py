"""``hearth hardware``: the machine as the fit estimate sees it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from hearth.core import hardware
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes


def register(commands: Any) -> None:
    cmd = commands.add_parser("hardware", help="show RAM, CPU, GPUs (VRAM) and free disk space for models")
    cmd.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    cmd.set_defaults(run=run)


def run(args: argparse.Namespace, paths: AppPaths) -> int:
    snap = hardware.snapshot(SettingsStore(paths).folders().models_dir)
    if args.json:
        json.dump(hardware.snapshot_to_json(snap), sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    mem, cpu = snap.memory, snap.cpu
    print(f"RAM          {format_bytes(mem.available_bytes)} available of {format_bytes(mem.total_bytes)}")
    features = ", ".join(cpu.features) or "none detected"
    print(f"CPU          {cpu.model}, {cpu.physical_cores} cores / {cpu.logical_cores} threads ({features})")
    if not snap.gpus:
        print("GPU          none usable: models run on the CPU")
    for gpu in snap.gpus:
        kind = "unified memory, Metal" if gpu.unified_memory else f"CUDA {gpu.cuda_version or '?'}"
        print(
            f"GPU {gpu.index}        {gpu.name}: {format_bytes(gpu.vram_free_bytes)} free of "
            f"{format_bytes(gpu.vram_total_bytes)} ({kind})"
        )
    print(f"GPU offload  {'supported by this llama.cpp build' if snap.gpu_offload_supported else 'not in this build'}")
    if snap.models_dir_free_bytes is not None:
        print(f"Disk         {format_bytes(snap.models_dir_free_bytes)} free for models")
    for notice in snap.notices:
        print(f"Note: {notice}")
    return 0
