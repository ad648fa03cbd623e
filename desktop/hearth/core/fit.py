"""Fit before download: how a GGUF file will run on this machine at this context, from its header alone.

``estimate(header, settings, hardware)`` mirrors what llama.cpp will allocate (formulas in ``fit_memory``, each
citing the llama.cpp source it follows), chooses the number of GPU layers the way a user would (as many as fit),
and says in plain words what happens. The GPU verdict uses the allocation (VRAM is committed when allocated);
the RAM verdict uses the expected resident memory on Linux/macOS, where untouched allocations cost nothing.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from hearth.core.fit_memory import (
    CTX_PAD,
    Placement,
    padded_context,
    place,
    resident_cpu_bytes,
    runtime_overhead_bytes,
)
from hearth.core.fit_shape import ModelShape
from hearth.core.gguf_types import GGUFHeader
from hearth.core.hardware_types import GpuInfo, HardwareSnapshot
from hearth.core.load_settings import LoadSettings
from hearth.core.units import format_bytes

Verdict = Literal["full_gpu", "partial_gpu", "cpu_only", "wont_fit"]

GIB = 1024**3
# Free VRAM kept back for the driver, the display and other programs (one place, so it is easy to tune).
VRAM_SAFETY_MARGIN = 1 * GIB
MAX_SEARCH_CONTEXT = 1 << 20


@dataclass(frozen=True)
class FitEstimate:
    """The estimate's stable JSON contract (``to_json``); sizes in bytes, ``context`` as llama.cpp pads it.

    ``total_bytes`` is what llama.cpp allocates and logs (weights + KV cache + compute + output buffers;
    ``gpu_bytes + cpu_bytes``). ``overhead_bytes`` is host memory outside those buffers (output buffer, context
    and vocabulary structures, the CPU work buffer). ``resident_bytes`` is the expected peak RSS growth with the
    context full: the host side's touched memory plus overhead (plus the GPU part on unified memory).
    ``gpu_layers`` uses llama.cpp's count: ``n_layers`` blocks + the output layer.
    """

    file: str
    architecture: str
    n_layers: int
    context: int
    kv_type: str
    flash_attn: bool
    swa_full: bool
    n_batch: int
    n_ubatch: int
    weights_bytes: int
    kv_cache_bytes: int
    compute_bytes: int
    overhead_bytes: int
    total_bytes: int
    resident_bytes: int
    gpu_layers: int
    gpu_bytes: int
    cpu_bytes: int
    verdict: Verdict
    max_context_full_gpu: int | None
    explanation: str
    header_bytes_read: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Budget:
    gpu: GpuInfo | None
    gpu_bytes: int  # usable by llama.cpp on the GPU (0 without one)
    ram_bytes: int  # available system RAM
    unified: bool


def _budget(hardware: HardwareSnapshot) -> _Budget:
    ram = hardware.memory.available_bytes
    if not hardware.gpu_offload_supported or not hardware.gpus:
        return _Budget(None, 0, ram, False)
    gpu = max(hardware.gpus, key=lambda g: g.vram_free_bytes)
    if gpu.unified_memory:
        # Apple silicon: Metal's working-set limit (reported as VRAM) and RAM are one pool; both must hold.
        usable = max(0, min(gpu.vram_free_bytes, ram) - VRAM_SAFETY_MARGIN)
        return _Budget(gpu, usable, ram, True)
    return _Budget(gpu, max(0, gpu.vram_free_bytes - VRAM_SAFETY_MARGIN), ram, False)


def _gpu_fits(placement: Placement, budget: _Budget) -> bool:
    return placement.gpu_bytes <= budget.gpu_bytes


def _ram_need(shape: ModelShape, settings: LoadSettings, placement: Placement, budget: _Budget) -> int:
    """RAM the CPU side needs: resident estimate (untouched allocations are free on Linux/macOS)."""
    need = resident_cpu_bytes(shape, settings, placement)
    if budget.unified:
        need += placement.gpu_bytes  # same physical memory
    return need


def _choose_gpu_layers(shape: ModelShape, settings: LoadSettings, budget: _Budget) -> Placement:
    """The most GPU layers that fit (llama.cpp's count: n_layers blocks + the output layer)."""
    if budget.gpu is None:
        return place(shape, settings, 0)
    if settings.n_gpu_layers is not None:
        wanted = shape.n_layers + 1 if settings.n_gpu_layers == -1 else settings.n_gpu_layers
        return place(shape, settings, wanted)
    for n in range(shape.n_layers + 1, 0, -1):
        placement = place(shape, settings, n)
        if _gpu_fits(placement, budget):
            return placement
    return place(shape, settings, 0)


def max_context_full_gpu(shape: ModelShape, settings: LoadSettings, hardware: HardwareSnapshot) -> int | None:
    """The largest padded context with every layer on the GPU (binary search; memory grows with context)."""
    budget = _budget(hardware)
    if budget.gpu is None:
        return None

    def fits(n_ctx: int) -> bool:
        candidate = settings.replace(n_ctx=n_ctx)
        return _gpu_fits(place(shape, candidate, shape.n_layers + 1), budget)

    lo, hi = 0, MAX_SEARCH_CONTEXT // CTX_PAD  # in units of CTX_PAD
    if not fits(CTX_PAD):
        return 0
    lo = 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(mid * CTX_PAD):
            lo = mid
        else:
            hi = mid - 1
    return lo * CTX_PAD


def estimate(header: GGUFHeader, settings: LoadSettings, hardware: HardwareSnapshot) -> FitEstimate:
    """How ``header``'s model runs with ``settings`` on ``hardware``; see the module docstring."""
    shape = ModelShape.from_header(header)
    budget = _budget(hardware)
    placement = _choose_gpu_layers(shape, settings, budget)
    resident = resident_cpu_bytes(shape, settings, placement)
    all_layers = shape.n_layers + 1
    if budget.gpu is None or placement.gpu_layers == 0:
        verdict: Verdict = "cpu_only"
    elif placement.gpu_layers >= all_layers and _gpu_fits(placement, budget):
        verdict = "full_gpu"
    elif _gpu_fits(placement, budget):
        verdict = "partial_gpu"
    else:
        verdict = "wont_fit"
    if verdict != "wont_fit" and _ram_need(shape, settings, placement, budget) > budget.ram_bytes:
        verdict = "wont_fit"
    max_ctx = max_context_full_gpu(shape, settings, hardware)
    kv_bytes = placement.kv_gpu + placement.kv_cpu
    weights = placement.weights_gpu + placement.weights_cpu
    compute = placement.compute_gpu + placement.compute_cpu
    overhead = placement.output_cpu + runtime_overhead_bytes(shape, settings)
    result = FitEstimate(
        file=header.source,
        architecture=shape.architecture,
        n_layers=shape.n_layers,
        context=padded_context(settings.n_ctx),
        kv_type=settings.type_k if settings.type_k == settings.type_v else f"{settings.type_k}/{settings.type_v}",
        flash_attn=settings.flash_attn,
        swa_full=settings.swa_full,
        n_batch=settings.effective_n_batch,
        n_ubatch=settings.effective_n_ubatch,
        weights_bytes=weights,
        kv_cache_bytes=kv_bytes,
        compute_bytes=compute,
        overhead_bytes=overhead,
        total_bytes=weights + kv_bytes + compute + placement.output_cpu,
        resident_bytes=resident + (placement.gpu_bytes if budget.unified else 0),
        gpu_layers=placement.gpu_layers,
        gpu_bytes=placement.gpu_bytes,
        cpu_bytes=placement.cpu_bytes,
        verdict=verdict,
        max_context_full_gpu=max_ctx,
        explanation="",
    )
    return _with_explanation(result, shape, settings, hardware, budget)


def _ctx_words(n_ctx: int) -> str:
    return f"{n_ctx // 1024}k" if n_ctx % 1024 == 0 else f"{n_ctx:,}"


def _with_explanation(
    est: FitEstimate, shape: ModelShape, settings: LoadSettings, hardware: HardwareSnapshot, budget: _Budget
) -> FitEstimate:
    ctx = _ctx_words(est.context)
    all_layers = shape.n_layers + 1
    ram = format_bytes(hardware.memory.available_bytes)
    gpu_name = budget.gpu.name if budget.gpu else ""
    if est.verdict == "full_gpu":
        text = f"Runs fully on your {gpu_name} at {ctx} context ({format_bytes(est.gpu_bytes)} of GPU memory)"
        if est.max_context_full_gpu and est.max_context_full_gpu > est.context:
            text += f"; up to {_ctx_words(est.max_context_full_gpu)} context still fits fully on the GPU"
        text += "."
    elif est.verdict == "partial_gpu":
        text = (
            f"At {ctx} context, {est.gpu_layers} of {all_layers} layers fit on your {gpu_name}; the rest runs on "
            f"the CPU and needs {format_bytes(est.resident_bytes)} of your {ram} free RAM (slower)."
        )
        if est.max_context_full_gpu:
            text += f" At {_ctx_words(est.max_context_full_gpu)} context it would run fully on the GPU."
    elif est.verdict == "cpu_only":
        why = "" if budget.gpu is None else " (no layer fits in the GPU's free memory)"
        if not hardware.gpu_offload_supported and hardware.gpus:
            why = " (this llama.cpp build cannot use your GPU)"
        text = (
            f"Runs on the CPU{why}: needs {format_bytes(est.resident_bytes)} of your {ram} free RAM at {ctx} "
            f"context (resident estimate; llama.cpp reserves {format_bytes(est.cpu_bytes)})."
        )
    else:
        text = (
            f"Won't fit at {ctx} context: needs about {format_bytes(est.resident_bytes)} of RAM "
            f"(resident estimate) but {ram} is free"
        )
        if budget.gpu is not None:
            text += f", and {format_bytes(est.gpu_bytes)} on a GPU with {format_bytes(budget.gpu_bytes)} usable"
        text += ". Try a smaller context, a quantized KV cache or a smaller quantization."
    return replace(est, explanation=text)
