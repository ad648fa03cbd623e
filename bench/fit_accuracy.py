"""How right is "fit before download"? The estimate next to what llama.cpp allocates and what RSS really grows by.

CPU only here. Each row loads the model in a fresh process (``hearth.core.fit_check.measure``), fills the
context with a prompt (capped by HEARTH_BENCH_FIT_PROMPT_CAP, default 8192 tokens: a 32k prompt takes minutes
here, over 10 with a q8_0 cache) and compares ``total`` (allocation: llama.cpp's model + KV + compute + output
buffers) and ``resident`` (peak RSS growth; for a capped prompt, the resident estimate at that fill).
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from gguf import GGMLQuantizationType

from bench.harness import Result, benchmark
from bench.real_models import gemma3_270m
from hearth.core.fit import estimate
from hearth.core.fit_check import measure
from hearth.core.fit_memory import place, resident_cpu_bytes
from hearth.core.fit_shape import ModelShape
from hearth.core.gguf import read_model_header
from hearth.core.hardware_types import CpuInfo, HardwareSnapshot, MemoryInfo
from hearth.core.load_settings import LoadSettings
from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model

MIB = 1024**2
CPU_ONLY = HardwareSnapshot(MemoryInfo(64 << 30, 32 << 30), CpuInfo("bench", 2, 2, "x86_64"), (), False)

GENERATED = {
    "llama-gqa-f32": TinyModelSpec(n_layers=4, n_embd=512, n_head=8, n_head_kv=2, n_ff=1024, context_length=16384),
    "llama-gqa-q8_0": TinyModelSpec(
        n_layers=4, n_embd=512, n_head=8, n_head_kv=2, n_ff=1024, context_length=16384,
        tensor_type=GGMLQuantizationType.Q8_0,
    ),
    "deci-per-layer-f16": TinyModelSpec(
        arch="deci", n_layers=4, n_embd=512, n_head=8, n_head_kv=(8, 2, 4, 1), n_ff=1024, context_length=16384,
        tensor_type=GGMLQuantizationType.F16,
    ),
    "gemma3-swa-f32": TinyModelSpec(
        arch="gemma3", n_layers=6, n_embd=256, n_head=4, n_head_kv=1, head_dim=128, n_ff=512,
        context_length=32768, sliding_window=512, sliding_window_pattern=6,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Row:
    model: str
    settings: LoadSettings
    est_total: int
    llama_total: int
    est_resident: int
    rss: int
    prompt: int

    @property
    def total_error(self) -> float:
        return 100.0 * (self.est_total - self.llama_total) / self.llama_total

    @property
    def resident_error(self) -> float:
        return 100.0 * (self.est_resident - self.rss) / self.rss


def _cases(gemma: Path, tmp: Path) -> list[tuple[str, Path, LoadSettings]]:
    cases: list[tuple[str, Path, LoadSettings]] = []
    paths = {name: write_tiny_model(tmp / f"{name}.gguf", spec) for name, spec in GENERATED.items()}
    for name, path in paths.items():
        for fa in (True, False):
            cases.append((name, path, LoadSettings(n_ctx=8192, flash_attn=fa)))
    cases.append(("llama-gqa-f32", paths["llama-gqa-f32"], LoadSettings(n_ctx=2048, type_k="q8_0", type_v="q8_0")))
    cases.append(("gemma3-swa-f32", paths["gemma3-swa-f32"], LoadSettings(n_ctx=8192, swa_full=True)))
    for n_ctx in (2048, 8192, 32768):
        for settings in (
            LoadSettings(n_ctx=n_ctx),
            LoadSettings(n_ctx=n_ctx, swa_full=True),
            LoadSettings(n_ctx=n_ctx, type_k="q8_0", type_v="q8_0"),
            LoadSettings(n_ctx=n_ctx, type_k="q8_0", type_v="q8_0", swa_full=True),
            LoadSettings(n_ctx=n_ctx, flash_attn=False),
        ):
            cases.append(("gemma-3-270m-Q4_K_M", gemma, settings))
    return cases


def _format(rows: list[Row]) -> str:
    head = (
        "model", "ctx", "cache", "fa", "swa_full", "est total", "llama.cpp", "err", "est resident", "RSS", "err",
        "prompt",
    )  # fmt: skip
    lines = [head]
    for r in rows:
        s = r.settings
        lines.append((
            r.model, str(s.n_ctx), s.type_k, "on" if s.flash_attn else "off", "on" if s.swa_full else "off",
            f"{r.est_total / MIB:.1f} MiB", f"{r.llama_total / MIB:.1f} MiB", f"{r.total_error:+.1f}%",
            f"{r.est_resident / MIB:.1f} MiB", f"{r.rss / MIB:.1f} MiB", f"{r.resident_error:+.1f}%", str(r.prompt),
        ))  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in lines)


@benchmark("fit_accuracy", "fit estimate vs llama.cpp's reported allocation and measured RSS (CPU)")
def fit_accuracy() -> list[Result]:
    cap = int(os.environ.get("HEARTH_BENCH_FIT_PROMPT_CAP", "8192"))
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for model, path, settings in _cases(gemma3_270m(), Path(tmp)):
            settings = settings.replace(n_threads=2)
            header = read_model_header(path)
            est = estimate(header, settings, CPU_ONLY)
            measured = measure(path, settings, prompt_tokens=min(settings.n_ctx, cap), timeout=1800)
            shape = ModelShape.from_header(header)
            resident = resident_cpu_bytes(shape, settings, place(shape, settings, 0), filled_ctx=measured.prompt_tokens)
            rows.append(
                Row(model, settings, est.total_bytes, measured.report.total_bytes, resident,
                    measured.rss_after_prompt, measured.prompt_tokens)
            )  # fmt: skip
            print(_format(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(_format(rows))
    worst_total = max(abs(r.total_error) for r in rows)
    worst_resident = max(abs(r.resident_error) for r in rows)
    return [
        Result("fit: worst total error", worst_total, "%", "< 5%", f"{len(rows)} model/context/cache cases"),
        Result("fit: worst resident error", worst_resident, "%", "< 10%", "RSS growth after filling the context"),
    ]
