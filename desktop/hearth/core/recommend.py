""" "Recommended for this computer": the one file of a repo Hearth suggests, and why, in plain words.

Why this rule: speed matters most to someone choosing a model, then quality. A model that runs fully on the GPU
is many times faster than one split with the CPU, so the best quant that fits fully on the GPU wins; without
one, the best that fits at all (partly on the GPU, or on the CPU). Quality is ranked by the type's nominal bits
per weight, capped at 16 (F32 is not better to a user than F16, just twice as big); ties go to the file with
more real bits per weight (e.g. an ``_XL`` mix) and then to the smaller file. Projectors, incomplete uploads and
files that will not fit are never recommended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hearth.core.fit import FitEstimate
from hearth.core.hub_files import QuantFile
from hearth.core.units import format_bytes

_QUALITY_CAP = 16.0


@dataclass(frozen=True)
class Recommendation:
    file: QuantFile
    estimate: FitEstimate
    reason: str


def _quality(file: QuantFile) -> tuple[float, float, int]:
    nominal = file.nominal_bits_per_weight or file.bits_per_weight or 0.0
    real = file.bits_per_weight or nominal
    return (min(nominal, _QUALITY_CAP), min(real, _QUALITY_CAP), -(file.size_bytes or 0))


def _label(file: QuantFile) -> str:
    return file.quant or file.name.replace("\\", "/").rsplit("/", 1)[-1]


def recommend(candidates: Sequence[tuple[QuantFile, FitEstimate | None]]) -> Recommendation | None:
    """The recommended file among ``(file, estimate)`` pairs (estimate ``None``: unknown, never chosen)."""
    usable = [
        (f, e) for f, e in candidates if e is not None and not f.is_projector and f.complete and e.verdict != "wont_fit"
    ]
    if not usable:
        return None
    on_gpu = [(f, e) for f, e in usable if e.verdict == "full_gpu"]
    pool = on_gpu or usable
    file, est = max(pool, key=lambda pair: _quality(pair[0]))
    ctx = f"{est.context // 1024}k" if est.context % 1024 == 0 else f"{est.context:,}"
    label = _label(file)
    if est.verdict == "full_gpu":
        reason = (
            f"{label} is the highest-quality file that runs fully on your GPU at {ctx} context "
            f"({format_bytes(est.gpu_bytes)} of GPU memory)."
        )
    else:
        where = "partly on your GPU, the rest on the CPU" if est.verdict == "partial_gpu" else "on your CPU"
        prefix = "No file runs fully on your GPU; " if any(e.verdict == "partial_gpu" for _, e in usable) else ""
        if prefix:
            reason = f"{prefix}{label} is the highest-quality file that fits in memory at {ctx} context ({where})."
        else:
            reason = (
                f"{label} is the highest-quality file that fits in your memory at {ctx} context; it runs {where} "
                f"and needs about {format_bytes(est.resident_bytes)} of RAM."
            )
    return Recommendation(file, est, reason)
