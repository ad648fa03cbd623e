"""Machines and models for the fit widget tests: hand-built snapshots, so GPU cases run on any computer."""

from __future__ import annotations

from pathlib import Path

from hearth.core.gguf import GGUFHeader, read_header
from hearth.core.hardware_types import CpuInfo, GpuInfo, HardwareSnapshot, MemoryInfo
from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model

GIB = 1024**3
CPU = CpuInfo("Test CPU 8-Core", 8, 16, "x86_64", ("avx", "avx2"))
# 36 blocks, GQA, a 32k trained context: big enough for the context to matter, small enough to write instantly.
MODEL = TinyModelSpec(n_layers=36, n_embd=256, n_head=8, n_head_kv=2, n_ff=1024, context_length=32768)


def rtx_4070(vram_free: int = 11 * GIB, ram_free: int = 14 * GIB, notices: tuple[str, ...] = ()) -> HardwareSnapshot:
    """A 12 GiB RTX 4070 with a CUDA build of llama.cpp."""
    gpu = GpuInfo("NVIDIA GeForce RTX 4070", 12 * GIB, vram_free, "cuda")
    return HardwareSnapshot(MemoryInfo(32 * GIB, ram_free), CPU, (gpu,), True, notices, 200 * GIB)


def no_gpu(ram_free: int = 14 * GIB) -> HardwareSnapshot:
    return HardwareSnapshot(MemoryInfo(16 * GIB, ram_free), CPU, (), False, (), 50 * GIB)


def model_header(folder: Path, spec: TinyModelSpec = MODEL) -> GGUFHeader:
    return read_header(write_tiny_model(folder / "model.gguf", spec))
