"""The fit estimate's formulas and verdicts on generated models and hand-built machines (fast, no llama.cpp load
except the one that proves ``LoadSettings.to_llama_kwargs`` is accepted)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from gguf import GGMLQuantizationType

from hearth.core.fit import VRAM_SAFETY_MARGIN, FitEstimate, estimate, max_context_full_gpu
from hearth.core.fit_memory import kv_cells, kv_layer_bytes, padded_context, place
from hearth.core.fit_shape import ModelShape
from hearth.core.gguf import read_header, read_model_header
from hearth.core.gguf_types import GGUFHeader
from hearth.core.hardware_types import CpuInfo, GpuInfo, HardwareSnapshot, MemoryInfo
from hearth.core.load_settings import LoadSettings
from hearth.testing.gguf_factory import TinyModelSpec, write_sharded, write_tiny_model

GIB = 1024**3
MIB = 1024**2

GQA = TinyModelSpec(n_layers=4, n_embd=128, n_head=8, n_head_kv=2, n_ff=256, context_length=32768)
SWA = TinyModelSpec(
    arch="gemma3", n_layers=6, n_embd=128, n_head=4, n_head_kv=1, head_dim=64, n_ff=256,
    context_length=32768, sliding_window=512, sliding_window_pattern=6,
)  # fmt: skip


def machine(ram: int = 16 * GIB, vram_free: int | None = None, *, unified: bool = False, offload: bool = True):
    gpus = ()
    if vram_free is not None:
        gpus = (
            GpuInfo("Test GPU", max(vram_free, 1), vram_free, "metal" if unified else "cuda", unified_memory=unified),
        )
    return HardwareSnapshot(MemoryInfo(2 * ram, ram), CpuInfo("test cpu", 8, 16, "x86_64"), gpus, offload)


def header_for(tmp_path: Path, spec: TinyModelSpec, name: str = "m.gguf") -> GGUFHeader:
    return read_header(write_tiny_model(tmp_path / name, spec))


def test_gqa_kv_cache_counts_kv_heads_not_heads(tmp_path: Path) -> None:
    header = header_for(tmp_path, GQA)
    est = estimate(header, LoadSettings(n_ctx=4096), machine())
    head_dim = 128 // 8
    # K and V, 2 KV heads x 16 wide, f16, 4 layers, 4096 cells.
    assert est.kv_cache_bytes == 2 * 4 * 4096 * 2 * head_dim * 2
    assert est.context == 4096


def test_context_is_padded_to_256(tmp_path: Path) -> None:
    header = header_for(tmp_path, GQA)
    est = estimate(header, LoadSettings(n_ctx=1000), machine())
    assert est.context == padded_context(1000) == 1024


def test_per_layer_kv_heads_and_padded_v_without_flash_attention(tmp_path: Path) -> None:
    spec = TinyModelSpec(arch="deci", n_layers=4, n_embd=128, n_head=8, n_head_kv=(8, 2, 4, 1), n_ff=256)
    shape = ModelShape.from_header(header_for(tmp_path, spec))
    assert shape.n_head_kv == (8, 2, 4, 1)
    fa = kv_layer_bytes(shape, LoadSettings(n_ctx=512, flash_attn=True))
    assert fa == tuple(512 * 2 * (kv * 16 * 2) for kv in (8, 2, 4, 1))
    # Without flash attention V rows are n_embd_v_gqa_max wide on every layer ([TAG_V_CACHE_VARIABLE]).
    no_fa = kv_layer_bytes(shape, LoadSettings(n_ctx=512, flash_attn=False))
    assert no_fa == tuple(512 * 2 * (kv * 16 + 8 * 16) for kv in (8, 2, 4, 1))


def test_sliding_window_layers_hold_window_plus_ubatch_unless_swa_full(tmp_path: Path) -> None:
    shape = ModelShape.from_header(header_for(tmp_path, SWA))
    assert shape.swa_layers == (True, True, True, True, True, False)
    cells = kv_cells(shape, LoadSettings(n_ctx=8192))
    assert cells == (1024,) * 5 + (8192,)  # GGML_PAD(min(8192, 512 + 512), 256)
    assert kv_cells(shape, LoadSettings(n_ctx=8192, swa_full=True)) == (8192,) * 6
    assert kv_cells(shape, LoadSettings(n_ctx=8192, n_ubatch=100)) == (768,) * 5 + (8192,)
    assert kv_cells(shape, LoadSettings(n_ctx=600)) == (768,) * 6  # never more than the context
    small = estimate(header_for(tmp_path, SWA), LoadSettings(n_ctx=8192), machine())
    full = estimate(header_for(tmp_path, SWA), LoadSettings(n_ctx=8192, swa_full=True), machine())
    per_cell = 2 * 64 * 2  # K + V, one KV head of 64, f16
    assert small.kv_cache_bytes == (5 * 1024 + 8192) * per_cell
    assert full.kv_cache_bytes == 6 * 8192 * per_cell


@pytest.mark.parametrize(("cache", "bytes_per_32"), [("f16", 64), ("q8_0", 34), ("q4_0", 18)])
def test_cache_types_use_block_sizes(tmp_path: Path, cache: str, bytes_per_32: int) -> None:
    header = header_for(tmp_path, GQA)
    est = estimate(header, LoadSettings(n_ctx=2048, type_k=cache, type_v=cache), machine())  # type: ignore[arg-type]
    assert est.kv_cache_bytes == 2 * 4 * 2048 * (2 * 16) // 32 * bytes_per_32
    assert est.kv_type == cache


def test_flash_attention_shrinks_compute_buffer(tmp_path: Path) -> None:
    header = header_for(tmp_path, GQA)
    with_fa = estimate(header, LoadSettings(n_ctx=8192, flash_attn=True), machine())
    without = estimate(header, LoadSettings(n_ctx=8192, flash_attn=False), machine())
    # Without flash attention the KQ scores (n_ctx x n_ubatch x n_head floats) are materialised.
    assert without.compute_bytes - with_fa.compute_bytes >= 8192 * 512 * 8 * 4
    assert with_fa.flash_attn and not without.flash_attn


def test_quantized_v_cache_needs_flash_attention() -> None:
    with pytest.raises(ValueError, match="flash attention"):
        LoadSettings(flash_attn=False, type_v="q8_0")
    LoadSettings(flash_attn=False, type_k="q8_0")  # a quantized K alone is fine
    with pytest.raises(ValueError, match="type_k"):
        LoadSettings(type_k="q5_1")  # type: ignore[arg-type]


def test_sharded_model_counts_every_shard(tmp_path: Path) -> None:
    whole = read_header(write_tiny_model(tmp_path / "whole.gguf", GQA))
    shards = write_sharded(tmp_path, 3, GQA)
    merged = read_model_header(shards[1])
    settings = LoadSettings(n_ctx=2048)
    one, split = estimate(whole, settings, machine()), estimate(merged, settings, machine())
    assert split.weights_bytes == one.weights_bytes
    assert split.total_bytes == one.total_bytes


def test_no_gpu_runs_on_cpu_and_has_no_max_context(tmp_path: Path) -> None:
    est = estimate(header_for(tmp_path, GQA), LoadSettings(n_ctx=2048), machine())
    assert est.verdict == "cpu_only"
    assert est.gpu_layers == 0 and est.gpu_bytes == 0
    assert est.max_context_full_gpu is None
    assert "CPU" in est.explanation and "resident" in est.explanation


def test_build_without_offload_ignores_the_gpu(tmp_path: Path) -> None:
    est = estimate(header_for(tmp_path, GQA), LoadSettings(), machine(vram_free=24 * GIB, offload=False))
    assert est.verdict == "cpu_only"
    assert est.max_context_full_gpu is None
    assert "cannot use your GPU" in est.explanation


def test_tiny_ram_wont_fit(tmp_path: Path) -> None:
    est = estimate(header_for(tmp_path, GQA), LoadSettings(), machine(ram=1 * MIB))
    assert est.verdict == "wont_fit"
    assert "Won't fit" in est.explanation


def _full_gpu_bytes(header: GGUFHeader, settings: LoadSettings) -> int:
    shape = ModelShape.from_header(header)
    return place(shape, settings, shape.n_layers + 1).gpu_bytes


def test_verdict_boundary_full_vs_partial(tmp_path: Path) -> None:
    header = header_for(tmp_path, GQA)
    settings = LoadSettings(n_ctx=4096)
    need = _full_gpu_bytes(header, settings)
    just_enough = estimate(header, settings, machine(vram_free=need + VRAM_SAFETY_MARGIN))
    assert just_enough.verdict == "full_gpu"
    assert just_enough.gpu_layers == 5  # 4 blocks + the output layer
    short = estimate(header, settings, machine(vram_free=need + VRAM_SAFETY_MARGIN - 1))
    assert short.verdict == "partial_gpu"
    shape = ModelShape.from_header(header)
    expected = max(n for n in range(6) if place(shape, settings, n).gpu_bytes <= need - 1)
    assert short.gpu_layers == expected < 5
    assert f"{expected} of 5 layers" in short.explanation


def test_output_layer_is_offloaded_first(tmp_path: Path) -> None:
    # llama_model_base::load_tensors: i_gpu_start = n_layer + 1 - n_gpu_layers, the output layer is index n_layer.
    shape = ModelShape.from_header(header_for(tmp_path, GQA))
    one = place(shape, LoadSettings(), 1)
    assert one.weights_gpu == shape.output_bytes + shape.tied_output_bytes
    assert one.kv_gpu == 0
    two = place(shape, LoadSettings(), 2)
    assert two.weights_gpu == one.weights_gpu + shape.layer_bytes[-1]
    # Tied embeddings: the GPU needs its own copy of token_embd for the output; the CPU keeps the original.
    assert shape.tied_embeddings and shape.tied_output_bytes > 0
    assert two.weights_cpu >= shape.input_bytes


def test_unified_memory_is_one_pool(tmp_path: Path) -> None:
    header = header_for(tmp_path, GQA)
    settings = LoadSettings(n_ctx=4096)
    need = _full_gpu_bytes(header, settings)
    roomy = machine(ram=need + 4 * GIB, vram_free=need + 4 * GIB, unified=True)
    assert estimate(header, settings, roomy).verdict == "full_gpu"
    # Plenty of Metal working set, but the RAM it lives in is short: the smaller one decides.
    tight_ram = machine(ram=need + VRAM_SAFETY_MARGIN - 1, vram_free=64 * GIB, unified=True)
    assert estimate(header, settings, tight_ram).verdict != "full_gpu"


def test_max_context_full_gpu_is_monotonic_and_fits(tmp_path: Path) -> None:
    header = header_for(tmp_path, GQA)
    shape = ModelShape.from_header(header)
    settings = LoadSettings()
    previous = 0
    for vram in (VRAM_SAFETY_MARGIN + 8 * MIB, VRAM_SAFETY_MARGIN + 32 * MIB, VRAM_SAFETY_MARGIN + 256 * MIB):
        best = max_context_full_gpu(shape, settings, machine(vram_free=vram))
        assert best is not None and best >= previous and best % 256 == 0
        if best:
            assert place(shape, settings.replace(n_ctx=best), 5).gpu_bytes <= vram - VRAM_SAFETY_MARGIN
            assert place(shape, settings.replace(n_ctx=best + 256), 5).gpu_bytes > vram - VRAM_SAFETY_MARGIN
        previous = best


def test_json_contract(tmp_path: Path) -> None:
    est = estimate(header_for(tmp_path, GQA), LoadSettings(), machine(vram_free=8 * GIB))
    data = est.to_json()
    assert list(data) == [f.name for f in dataclasses.fields(FitEstimate)]
    assert {
        "file", "architecture", "n_layers", "context", "kv_type", "flash_attn", "swa_full", "n_batch", "n_ubatch",
        "weights_bytes", "kv_cache_bytes", "compute_bytes", "overhead_bytes", "total_bytes", "resident_bytes",
        "gpu_layers", "gpu_bytes", "cpu_bytes", "verdict", "max_context_full_gpu", "header_bytes_read",
        "explanation",
    } == set(data)  # fmt: skip
    assert data["verdict"] == "full_gpu" and data["header_bytes_read"] is None
    assert est.total_bytes == est.gpu_bytes + est.cpu_bytes
    assert "Test GPU" in est.explanation


def test_q8_0_weights_are_counted_from_tensor_sizes(tmp_path: Path) -> None:
    spec = dataclasses.replace(GQA, tensor_type=GGMLQuantizationType.Q8_0)
    header = header_for(tmp_path, spec)
    est = estimate(header, LoadSettings(n_ctx=512), machine())
    assert est.weights_bytes == header.tensor_bytes


def test_load_settings_kwargs_load_a_model(tmp_path: Path) -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    path = write_tiny_model(tmp_path / "tiny.gguf", SWA)
    settings = LoadSettings(n_ctx=1024, type_k="q8_0", type_v="q8_0", n_gpu_layers=0, n_threads=1)
    kwargs = settings.to_llama_kwargs()
    assert kwargs["flash_attn"] is True and kwargs["swa_full"] is False and kwargs["type_v"] == 8
    llm = llama_cpp.Llama(str(path), verbose=False, **kwargs)
    try:
        assert llm.n_ctx() == 1024
        llm.eval([5, 6, 7])
    finally:
        llm.close()
