"""Turn "auto" GPU layers into a number, the same way the fit estimate shows it to the user.

Why here and in the engine process: ``LoadSettings(n_gpu_layers=None)`` means "as many layers as fit", and the
number must be the one the fit estimate promised (one object decides how a model loads). The engine resolves it
right before loading, after the previous model is unloaded, so the free GPU memory it plans with is real.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hearth.core import hardware
from hearth.core.fit import FitEstimate, estimate
from hearth.core.gguf import InvalidGGUF, read_model_header
from hearth.core.hardware_types import HardwareSnapshot
from hearth.core.load_settings import LoadSettings


@dataclass(frozen=True)
class LoadPlan:
    """The settings to load with (``n_gpu_layers`` always a number) and the estimate that chose it, if any."""

    settings: LoadSettings
    estimate: FitEstimate | None = None


def plan_load(path: str | Path, settings: LoadSettings, snapshot: HardwareSnapshot | None = None) -> LoadPlan:
    """Settings with ``n_gpu_layers`` fixed: the user's number, or the estimate's (all layers when they fit).

    A file whose header cannot be read gets 0 GPU layers here; the load itself then reports why it is broken.
    """
    if settings.n_gpu_layers is not None:
        return LoadPlan(settings)
    try:
        header = read_model_header(path)
    except (InvalidGGUF, OSError, ValueError):
        return LoadPlan(settings.resolved(0))
    result = estimate(header, settings, snapshot or hardware.snapshot())
    return LoadPlan(settings.resolved(result.gpu_layers), result)
