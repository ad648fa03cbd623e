""" "Recommended for this computer" on machines described by hand: a big GPU, a GPU that holds only the small
file, no GPU, too little RAM; plus the rules (never projectors, never wont_fit, ties by bits per weight)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from gguf import GGMLQuantizationType

from hearth.core.fit import VRAM_SAFETY_MARGIN, FitEstimate, estimate
from hearth.core.gguf import read_model_header
from hearth.core.hardware_types import CpuInfo, GpuInfo, HardwareSnapshot, MemoryInfo
from hearth.core.hub import QuantFile, recommend
from hearth.core.load_settings import LoadSettings
from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model

GIB = 1024**3
SPEC = TinyModelSpec(n_layers=2, n_embd=64, n_head=4, n_head_kv=4, n_ff=128)
TYPES = {"F32": GGMLQuantizationType.F32, "F16": GGMLQuantizationType.F16, "Q8_0": GGMLQuantizationType.Q8_0}
SETTINGS = LoadSettings(n_ctx=512)


def machine(*, vram_free: int | None = None, ram: int = 32 * GIB) -> HardwareSnapshot:
    gpus = () if vram_free is None else (GpuInfo("NVIDIA GeForce RTX 4070", 12 * GIB, vram_free, "cuda"),)
    return HardwareSnapshot(
        memory=MemoryInfo(total_bytes=max(ram, GIB), available_bytes=ram),
        cpu=CpuInfo("Test CPU", 8, 16, "x86_64"),
        gpus=gpus,
        gpu_offload_supported=vram_free is not None,
    )


def quant_file(name: str, quant: str | None, size: int, *, bpw: float | None = None, **kw: object) -> QuantFile:
    return QuantFile(
        name, (name,), (size,), ("0" * 64,), quant, bool(kw.get("is_projector")), bool(kw.get("complete", True)), bpw
    )


@pytest.fixture
def tiny_files(tmp_path: Path) -> list[tuple[QuantFile, object]]:
    """Three real tiny models (F32 > F16 > Q8_0 in size) with their headers."""
    out = []
    for quant, tensor_type in TYPES.items():
        path = write_tiny_model(tmp_path / f"tiny-{quant}.gguf", dataclasses.replace(SPEC, tensor_type=tensor_type))
        params = 100_000
        size = path.stat().st_size
        out.append((quant_file(path.name, quant, size, bpw=size * 8 / params), read_model_header(path)))
    return out


def estimates(files: list[tuple[QuantFile, object]], hw: HardwareSnapshot) -> list[tuple[QuantFile, FitEstimate]]:
    return [(f, estimate(h, SETTINGS, hw)) for f, h in files]  # type: ignore[arg-type]


def test_big_gpu_recommends_best_quality_but_not_f32(tiny_files: list[tuple[QuantFile, object]]) -> None:
    pairs = estimates(tiny_files, machine(vram_free=11 * GIB))

    best = recommend(pairs)

    assert {e.verdict for _, e in pairs} == {"full_gpu"}
    assert best is not None and best.file.quant == "F16"  # F32 is not better to a user, only bigger
    assert "runs fully on your GPU" in best.reason and best.reason.startswith("F16")


def test_gpu_that_holds_only_the_small_file_prefers_full_offload(tiny_files: list[tuple[QuantFile, object]]) -> None:
    big = estimates(tiny_files, machine(vram_free=11 * GIB))
    need = {f.quant: e.gpu_bytes for f, e in big}
    assert need["Q8_0"] < need["F16"] < need["F32"]
    hw = machine(vram_free=VRAM_SAFETY_MARGIN + (need["Q8_0"] + need["F16"]) // 2)

    pairs = estimates(tiny_files, hw)
    best = recommend(pairs)

    verdicts = {f.quant: e.verdict for f, e in pairs}
    assert verdicts["Q8_0"] == "full_gpu" and verdicts["F16"] == "partial_gpu"
    assert best is not None and best.file.quant == "Q8_0"


def test_no_gpu_recommends_best_that_fits_in_ram(tiny_files: list[tuple[QuantFile, object]]) -> None:
    best = recommend(estimates(tiny_files, machine()))

    assert best is not None and best.file.quant == "F16" and best.estimate.verdict == "cpu_only"
    assert "on your CPU" in best.reason and "RAM" in best.reason


def test_tiny_ram_recommends_nothing(tiny_files: list[tuple[QuantFile, object]]) -> None:
    pairs = estimates(tiny_files, machine(ram=1024))
    assert {e.verdict for _, e in pairs} == {"wont_fit"}
    assert recommend(pairs) is None


def _estimate(verdict: str) -> FitEstimate:
    return FitEstimate(
        file="x", architecture="llama", n_layers=2, context=8192, kv_type="f16", flash_attn=True, swa_full=False,
        n_batch=512, n_ubatch=512, weights_bytes=1, kv_cache_bytes=1, compute_bytes=1, overhead_bytes=1,
        total_bytes=4 * GIB, resident_bytes=4 * GIB, gpu_layers=3 if verdict == "full_gpu" else 0, gpu_bytes=4 * GIB,
        cpu_bytes=0, verdict=verdict, max_context_full_gpu=None, explanation="",  # type: ignore[arg-type]
    )  # fmt: skip


def test_rules_projectors_wont_fit_incomplete_and_ties() -> None:
    projector = quant_file("mmproj-f16.gguf", "F16", 10, is_projector=True)
    huge = quant_file("m-Q8_0.gguf", "Q8_0", 90)
    half = quant_file("m-Q6_K-00001-of-00002.gguf", "Q6_K", 50, complete=False)
    plain = quant_file("m-Q4_K_M.gguf", "Q4_K_M", 40, bpw=4.8)
    dynamic = quant_file("m-UD-Q4_K_XL.gguf", "UD-Q4_K_XL", 45, bpw=5.1)
    unknown = quant_file("m.gguf", None, 30, bpw=4.0)

    best = recommend(
        [
            (projector, _estimate("full_gpu")),
            (huge, _estimate("wont_fit")),
            (half, _estimate("full_gpu")),
            (plain, _estimate("full_gpu")),
            (dynamic, _estimate("cpu_only")),
            (unknown, _estimate("full_gpu")),
        ]
    )
    tie = recommend([(quant_file("a-Q4_K_M.gguf", "Q4_K_M", 40, bpw=4.7), _estimate("cpu_only")),
                     (quant_file("b-Q4_K_M.gguf", "Q4_K_M", 41, bpw=4.9), _estimate("cpu_only"))])  # fmt: skip

    assert best is not None and best.file is plain  # full GPU beats a better quant on the CPU
    assert tie is not None and tie.file.name == "b-Q4_K_M.gguf"
    assert recommend([(projector, _estimate("full_gpu")), (huge, None)]) is None
    assert recommend([]) is None
