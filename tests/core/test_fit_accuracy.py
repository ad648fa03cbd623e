"""The estimate against what llama.cpp really allocates (its own log lines) and the RSS a process really grows by.

Each case loads a generated model in a child process (``hearth.core.fit_check.measure``) on the CPU.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from gguf import GGMLQuantizationType

from hearth.core.fit import estimate
from hearth.core.fit_check import measure
from hearth.core.gguf import read_header
from hearth.core.hardware_types import CpuInfo, HardwareSnapshot, MemoryInfo
from hearth.core.llama_log import parse_load_log
from hearth.core.load_settings import LoadSettings
from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model

MIB = 1024**2
CPU_ONLY = HardwareSnapshot(MemoryInfo(64 << 30, 32 << 30), CpuInfo("test", 2, 2, "x86_64"), (), False)

MODELS = {
    "llama-gqa": TinyModelSpec(n_layers=4, n_embd=512, n_head=8, n_head_kv=2, n_ff=1024, context_length=16384),
    "llama-q8_0": TinyModelSpec(
        n_layers=4, n_embd=512, n_head=8, n_head_kv=2, n_ff=1024, context_length=16384,
        tensor_type=GGMLQuantizationType.Q8_0,
    ),
    "deci-per-layer": TinyModelSpec(
        arch="deci", n_layers=4, n_embd=512, n_head=8, n_head_kv=(8, 2, 4, 1), n_ff=1024, context_length=16384,
        tensor_type=GGMLQuantizationType.F16,
    ),
    "gemma3-swa": TinyModelSpec(
        arch="gemma3", n_layers=6, n_embd=256, n_head=4, n_head_kv=1, head_dim=128, n_ff=512,
        context_length=32768, sliding_window=512, sliding_window_pattern=6,
    ),
}  # fmt: skip

CASES = [
    ("llama-gqa", LoadSettings(n_ctx=512, flash_attn=False)),
    ("llama-gqa", LoadSettings(n_ctx=8192, flash_attn=False)),
    ("llama-gqa", LoadSettings(n_ctx=8192, type_k="q4_0", type_v="q4_0")),
    ("llama-q8_0", LoadSettings(n_ctx=2048, type_k="q8_0", type_v="q8_0")),
    ("deci-per-layer", LoadSettings(n_ctx=2048, flash_attn=False)),
    ("deci-per-layer", LoadSettings(n_ctx=8192)),
    ("gemma3-swa", LoadSettings(n_ctx=8192)),
    ("gemma3-swa", LoadSettings(n_ctx=8192, swa_full=True, flash_attn=False)),
    ("gemma3-swa", LoadSettings(n_ctx=2048, type_k="q8_0", type_v="q8_0", swa_full=True)),
]


def _tolerance(reported: int) -> float:
    return max(0.05 * reported, 16 * MIB)


def test_parse_load_log_reads_every_buffer() -> None:
    log = """load_tensors: offloaded 19/19 layers to GPU
load_tensors:   CPU_Mapped model buffer size =   235.16 MiB
load_tensors:        CUDA0 model buffer size =  1000.00 MiB
llama_context: n_ctx                 = 8192
llama_context:        CPU  output buffer size =     1.00 MiB
llama_kv_cache:        CPU KV buffer size =    24.00 MiB
llama_kv_cache:      CUDA0 KV buffer size =    15.00 MiB
sched_reserve:        CPU compute buffer size =   514.50 MiB
~llama_context:        CPU compute buffer size is 514.5020 MiB, matches expectation of 514.5020 MiB
"""
    report = parse_load_log(log)
    assert report.gpu_layers == 19 and report.offloadable_layers == 19 and report.n_ctx == 8192
    assert report.model_bytes == round(1235.16 * MIB)
    assert report.kv_bytes == 39 * MIB and report.output_bytes == MIB
    assert report.compute_bytes == round(514.5 * MIB)  # the destructor's line is not a second buffer
    assert report.device_bytes == 1015 * MIB


@pytest.mark.slow
@pytest.mark.parametrize(("model", "settings"), CASES, ids=[f"{m}-{s.n_ctx}" for m, s in CASES])
def test_total_matches_llama_cpp(tmp_path: Path, model: str, settings: LoadSettings) -> None:
    path = write_tiny_model(tmp_path / f"{model}.gguf", MODELS[model])
    est = estimate(read_header(path), settings.replace(n_threads=1), CPU_ONLY)
    report = measure(path, settings.replace(n_threads=1)).report
    assert report.n_ctx == est.context
    assert abs(est.kv_cache_bytes - report.kv_bytes) <= 0.01 * MIB * 6  # printed with 2 decimals per buffer
    assert abs(est.weights_bytes - report.model_bytes) <= 0.01 * MIB * 3
    assert abs(est.total_bytes - report.total_bytes) <= _tolerance(report.total_bytes), (est, report)


@pytest.mark.slow
@pytest.mark.parametrize("flash_attn", [True, False])
def test_resident_matches_rss_after_filling_the_context(tmp_path: Path, flash_attn: bool) -> None:
    """Peak RSS growth once a prompt has filled the context (4 full batches): resident estimate within 10%."""
    spec = TinyModelSpec(n_layers=4, n_embd=512, n_head=8, n_head_kv=2, n_ff=2048, context_length=8192)
    path = write_tiny_model(tmp_path / "rss.gguf", spec)
    settings = LoadSettings(n_ctx=2048, flash_attn=flash_attn, n_threads=2)
    est = estimate(read_header(path), settings, CPU_ONLY)
    measured = measure(path, settings, prompt_tokens=settings.n_ctx)
    assert abs(est.resident_bytes - measured.rss_after_prompt) <= 0.10 * measured.rss_after_prompt, (
        est.resident_bytes / MIB,
        measured.rss_after_prompt / MIB,
    )
