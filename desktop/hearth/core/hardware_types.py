"""The machine as plain values, so the fit estimate and tests can describe any computer without probing this one."""

from __future__ import annotations

from dataclasses import dataclass


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
    features: tuple[str, ...] = ()  # e.g. ("avx", "avx2", "avx512f") or ("neon",)


@dataclass(frozen=True)
class GpuInfo:
    """One accelerator. ``unified_memory`` (Apple Silicon) means VRAM and RAM are the same pool."""

    name: str
    vram_total_bytes: int
    vram_free_bytes: int
    backend: str  # "cuda" or "metal"
    index: int = 0
    unified_memory: bool = False
    driver_version: str | None = None
    cuda_version: str | None = None


@dataclass(frozen=True)
class LlamaBuild:
    """The llama-cpp-python in this environment; ``error`` says why it could not be loaded."""

    version: str | None
    gpu_offload_supported: bool
    error: str | None = None


@dataclass(frozen=True)
class HardwareSnapshot:
    """The machine as the fit estimate sees it; built by ``hardware.snapshot()``, or by hand in tests."""

    memory: MemoryInfo
    cpu: CpuInfo
    gpus: tuple[GpuInfo, ...]
    gpu_offload_supported: bool
    notices: tuple[str, ...] = ()
    models_dir_free_bytes: int | None = None
