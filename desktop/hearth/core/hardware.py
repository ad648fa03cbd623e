"""What this computer has: memory, processor, disk, and what the installed llama.cpp build can use.

Detection must never crash start-up: every probe degrades to "unknown" and says why.
"""

from __future__ import annotations

import os
import platform
import shutil
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True)
class MemoryInfo:
    total_bytes: int
    available_bytes: int


@dataclass(frozen=True)
class CpuInfo:
    model: str
    physical_cores: int | None
    logical_cores: int | None
    machine: str


@dataclass(frozen=True)
class LlamaBuild:
    """The llama-cpp-python in this environment; ``error`` says why it could not be loaded."""

    version: str | None
    gpu_offload_supported: bool
    error: str | None = None


def memory() -> MemoryInfo:
    vm = psutil.virtual_memory()
    return MemoryInfo(total_bytes=int(vm.total), available_bytes=int(vm.available))


def cpu() -> CpuInfo:
    return CpuInfo(
        model=_cpu_model(),
        physical_cores=psutil.cpu_count(logical=False),
        logical_cores=psutil.cpu_count(logical=True),
        machine=platform.machine(),
    )


def _cpu_model() -> str:
    """platform.processor() is empty on most Linux systems; /proc/cpuinfo has the marketing name."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        try:
            for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.lower().startswith(("model name", "hardware", "cpu model")):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
    return platform.processor() or platform.machine() or "unknown"


def free_disk_bytes(folder: Path) -> int:
    """Free space on the volume holding ``folder`` (its nearest existing parent if it does not exist yet)."""
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def llama_build() -> LlamaBuild:
    """Import llama_cpp lazily: it loads a native library, which only the doctor and the engine need."""
    try:
        import llama_cpp
    except Exception as exc:  # noqa: BLE001 - a broken native build must be reported, not raised
        return LlamaBuild(version=None, gpu_offload_supported=False, error=f"{type(exc).__name__}: {exc}")
    try:
        offload = bool(llama_cpp.llama_supports_gpu_offload())
    except Exception:  # noqa: BLE001 - very old builds lack the probe
        offload = False
    return LlamaBuild(version=getattr(llama_cpp, "__version__", None), gpu_offload_supported=offload)


def cpu_threads_for_inference() -> int:
    """Physical cores (at least 1): llama-cpp-python's default of cpu_count()//2 wastes half of small machines."""
    return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
