"""GPU discovery: NVIDIA through NVML, Apple Silicon unified memory through sysctl.

Every probe fails soft: a missing library or driver becomes a plain-words notice, never an exception, because a
broken driver must not stop Hearth from starting (it can still run models on the CPU).
"""

from __future__ import annotations

import contextlib
import logging
import platform
import subprocess
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from hearth.core.hardware_types import GpuInfo

log = logging.getLogger(__name__)

GIB = 1024**3


@dataclass(frozen=True)
class GpuProbe:
    gpus: tuple[GpuInfo, ...]
    notices: tuple[str, ...] = ()


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _load_pynvml() -> ModuleType | None:
    try:
        import pynvml
    except ImportError:
        return None
    return pynvml


def probe_nvidia(nvml: ModuleType | None = None) -> GpuProbe:
    """All NVIDIA GPUs with total/free VRAM; ``nvml`` is the pynvml module (tests pass a stand-in)."""
    nvml = nvml if nvml is not None else _load_pynvml()
    if nvml is None:
        return GpuProbe((), ("nvidia-ml-py is not installed: NVIDIA GPUs cannot be detected",))
    try:
        nvml.nvmlInit()
    except nvml.NVMLError as exc:
        return GpuProbe((), (_nvml_init_notice(nvml, exc),))
    try:
        return GpuProbe(tuple(_nvidia_devices(nvml)))
    except nvml.NVMLError as exc:
        log.warning("NVML failed while listing GPUs: %s", exc)
        return GpuProbe((), (f"The NVIDIA driver did not answer ({exc}); GPUs are ignored for now",))
    finally:
        with contextlib.suppress(nvml.NVMLError):
            nvml.nvmlShutdown()


def _nvml_init_notice(nvml: ModuleType, exc: Exception) -> str:
    if isinstance(exc, getattr(nvml, "NVMLError_LibraryNotFound", ())):
        return "No NVIDIA driver found"
    if isinstance(exc, getattr(nvml, "NVMLError_DriverNotLoaded", ())):
        return "An NVIDIA driver is installed but not loaded (reboot, or check `nvidia-smi`)"
    return f"The NVIDIA driver could not be queried ({exc})"


def _nvidia_devices(nvml: ModuleType) -> list[GpuInfo]:
    driver = _text(nvml.nvmlSystemGetDriverVersion())
    cuda: str | None = None
    try:
        raw = int(nvml.nvmlSystemGetCudaDriverVersion())
        cuda = f"{raw // 1000}.{raw % 1000 // 10}"
    except nvml.NVMLError:
        pass
    gpus = []
    for index in range(int(nvml.nvmlDeviceGetCount())):
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
        mem = nvml.nvmlDeviceGetMemoryInfo(handle)
        gpus.append(
            GpuInfo(
                name=_text(nvml.nvmlDeviceGetName(handle)),
                vram_total_bytes=int(mem.total),
                vram_free_bytes=int(mem.free),
                backend="cuda",
                index=index,
                driver_version=driver,
                cuda_version=cuda,
            )
        )
    return gpus


def apple_working_set_limit(total_ram: int, wired_limit_mb: int | None) -> int:
    """How much of unified memory Metal lets the GPU use.

    ``sysctl iogpu.wired_limit_mb`` is the user's override when non-zero. Otherwise Metal's
    ``recommendedMaxWorkingSetSize`` applies, which is not readable without Objective-C: reported values are about
    2/3 of RAM on machines up to 36 GiB (8 GiB → 5.3, 16 → 10.7, 32 → 22.4) and 3/4 above (192 GiB → 144), so
    that rule is used.
    """
    if wired_limit_mb:
        return min(total_ram, wired_limit_mb * 1024 * 1024)
    fraction = 2 / 3 if total_ram <= 36 * GIB else 3 / 4
    return int(total_ram * fraction)


def _sysctl_int(name: str) -> int | None:
    try:
        out = subprocess.run(["sysctl", "-n", name], capture_output=True, text=True, timeout=2, check=True).stdout
        return int(out.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def probe_apple(total_ram: int, available_ram: int, system: str | None = None, machine: str | None = None) -> GpuProbe:
    """Apple Silicon's GPU shares RAM: report it as one GPU whose memory is the Metal working-set limit."""
    system = system or platform.system()
    machine = machine or platform.machine()
    if system != "Darwin" or machine != "arm64":
        return GpuProbe(())
    limit = apple_working_set_limit(total_ram, _sysctl_int("iogpu.wired_limit_mb"))
    chip = _apple_chip_name()
    gpu = GpuInfo(
        name=chip,
        vram_total_bytes=limit,
        vram_free_bytes=min(limit, available_ram),
        backend="metal",
        unified_memory=True,
    )
    return GpuProbe((gpu,))


def _apple_chip_name() -> str:
    try:
        out = subprocess.run(
            ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True, timeout=2, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    return f"{out or 'Apple Silicon'} GPU"
