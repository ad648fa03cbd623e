"""What this computer has: memory, processor, GPUs, disk, and what the installed llama.cpp build can use.

Detection must never crash start-up: every probe degrades to "unknown" or a notice that says why.
"""

from __future__ import annotations

import os
import platform
import shutil
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

import psutil

from hearth.core.gpus import probe_apple, probe_nvidia
from hearth.core.hardware_types import CpuInfo, GpuInfo, HardwareSnapshot, LlamaBuild, MemoryInfo

__all__ = [
    "CpuInfo",
    "GpuInfo",
    "HardwareSnapshot",
    "LlamaBuild",
    "MemoryInfo",
    "cpu",
    "free_disk_bytes",
    "llama_build",
    "memory",
    "snapshot",
    "snapshot_to_json",
]

CUDA_REINSTALL = (
    'CMAKE_ARGS="-DGGML_CUDA=on" pip install --force-reinstall --no-cache-dir llama-cpp-python'
    " (in Hearth's environment)"
)
_X86_FEATURES = ("avx", "avx2", "avx512f", "fma", "f16c")


def memory() -> MemoryInfo:
    vm = psutil.virtual_memory()
    return MemoryInfo(total_bytes=int(vm.total), available_bytes=int(vm.available))


def cpu() -> CpuInfo:
    model, features = _cpuinfo()
    machine = platform.machine()
    if machine.lower() in {"arm64", "aarch64"} and "neon" not in features:
        features = (*features, "neon")  # NEON (ASIMD) is mandatory on 64-bit ARM
    return CpuInfo(
        model=model,
        physical_cores=psutil.cpu_count(logical=False),
        logical_cores=psutil.cpu_count(logical=True),
        machine=machine,
        features=features,
    )


def _cpuinfo() -> tuple[str, tuple[str, ...]]:
    """platform.processor() is empty on most Linux systems; /proc/cpuinfo has the name and the feature flags."""
    model = ""
    flags: set[str] = set()
    cpuinfo = Path("/proc/cpuinfo")
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace") if cpuinfo.exists() else ""
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if not model and key in {"model name", "hardware", "cpu model"}:
            model = value.strip()
        elif key in {"flags", "features"} and not flags:
            flags = set(value.split())
    features = tuple(f for f in _X86_FEATURES if f in flags)
    if "asimd" in flags or "neon" in flags:
        features = (*features, "neon")
    return model or platform.processor() or platform.machine() or "unknown", features


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


def offload_notices(gpus: tuple[GpuInfo, ...], build: LlamaBuild, *, frozen: bool | None = None) -> tuple[str, ...]:
    """A GPU that the installed build cannot use must be said out loud, not left as silent slowness.

    The fix differs by install: from source it is a reinstall of llama-cpp-python; the double-click app
    (``frozen``, detected when None) cannot be changed in place, so its users are sent to the GPU download.
    """
    if build.error:
        return (f"llama-cpp-python could not be loaded: {build.error}",)
    if not gpus or build.gpu_offload_supported:
        return ()
    frozen = bool(getattr(sys, "frozen", False)) if frozen is None else frozen
    names = ", ".join(g.name for g in gpus)
    if any(g.backend == "cuda" for g in gpus):
        if frozen:
            return (
                f"Your NVIDIA GPU ({names}) is not used: this Hearth download runs models on the CPU only. "
                "Install the Hearth download marked CUDA (for NVIDIA GPUs) to use it; your models and chats stay.",
            )
        return (
            f"Your NVIDIA GPU ({names}) is not used: this llama-cpp-python build is CPU-only. Install the CUDA "
            f"build: {CUDA_REINSTALL}",
        )
    if frozen:
        return (
            f"Your GPU ({names}) is not used: this Hearth download has no Metal support. Install the Hearth "
            "download for Apple Silicon; your models and chats stay.",
        )
    return (
        f"Your GPU ({names}) is not used: this llama-cpp-python build has no Metal support. Reinstall "
        "llama-cpp-python on the Mac itself (Metal is on by default there).",
    )


def snapshot(models_dir: Path | None = None, *, build: LlamaBuild | None = None) -> HardwareSnapshot:
    """Probe everything once (tens of milliseconds; NVML is the slow part)."""
    mem = memory()
    build = build or llama_build()
    nvidia = probe_nvidia()
    apple = probe_apple(mem.total_bytes, mem.available_bytes)
    gpus = nvidia.gpus + apple.gpus
    notices = list(offload_notices(gpus, build))
    if not gpus and platform.system() != "Darwin":
        notices += nvidia.notices
    return HardwareSnapshot(
        memory=mem,
        cpu=cpu(),
        gpus=gpus,
        gpu_offload_supported=build.gpu_offload_supported,
        notices=tuple(notices),
        models_dir_free_bytes=free_disk_bytes(models_dir) if models_dir is not None else None,
    )


def snapshot_to_json(snap: HardwareSnapshot) -> dict[str, Any]:
    """The stable ``hearth hardware --json`` contract (scripts depend on these names)."""
    return {
        "ram_total_bytes": snap.memory.total_bytes,
        "ram_available_bytes": snap.memory.available_bytes,
        "cpu": asdict(snap.cpu) | {"features": list(snap.cpu.features)},
        "gpus": [asdict(g) for g in snap.gpus],
        "gpu_offload_supported": snap.gpu_offload_supported,
        "models_dir_free_bytes": snap.models_dir_free_bytes,
        "notices": list(snap.notices),
    }


def cpu_threads_for_inference() -> int:
    """Physical cores (at least 1): llama-cpp-python's default of cpu_count()//2 wastes half of small machines."""
    return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
