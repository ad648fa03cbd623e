"""Where llama.cpp really put a model's layers, from its load log.

Why the log: the settings say what was asked for; only llama.cpp knows what it did (a CPU-only build ignores
``n_gpu_layers``, a driver may refuse memory). Two kinds of lines tell it (src/llama-model.cpp, the commit
vendored by llama-cpp-python 0.3.36):

* ``load_tensors: layer   3 assigned to device CUDA0, is_swa = 0`` — one per layer, the output layer included,
  printed by every build (a CPU-only build prints ``device CPU``);
* ``load_tensors: offloaded 19/19 layers to GPU`` — only when a GPU backend exists; preferred when present.

The count includes the output layer, as llama.cpp's own ``offloaded N/M`` does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hearth.core.llama_log import parse_load_log

_ASSIGNED = re.compile(r"layer\s+(\d+) assigned to device (\S+?),")
_BACKENDS = {"CUDA": "CUDA", "MTL": "Metal", "METAL": "Metal", "VULKAN": "Vulkan", "ROCM": "ROCm", "SYCL": "SYCL"}


@dataclass(frozen=True)
class Offload:
    gpu_layers: int
    n_layers: int
    backend: str
    """``CPU`` when no layer is on a GPU, else the GPU backend (``CUDA``, ``Metal``, ``Vulkan``…)."""


def backend_name(device: str) -> str:
    """``CUDA0`` -> ``CUDA``, ``MTL0``/``Metal`` -> ``Metal``; unknown names keep their letters."""
    letters = device.rstrip("0123456789")
    return _BACKENDS.get(letters.upper(), letters or "CPU")


def offload_from_log(text: str, *, n_layers_fallback: int) -> Offload:
    """The layers on a GPU and the backend; ``n_layers_fallback`` (block count + 1) if the log says nothing."""
    devices: dict[int, str] = {}
    for match in _ASSIGNED.finditer(text):
        devices[int(match.group(1))] = match.group(2)
    gpu_devices = [d for d in devices.values() if not d.upper().startswith("CPU")]
    report = parse_load_log(text)
    if report.gpu_layers is not None and report.offloadable_layers is not None:
        gpu, total = report.gpu_layers, report.offloadable_layers
    else:
        gpu, total = len(gpu_devices), len(devices) or n_layers_fallback
    if gpu and gpu_devices:
        backend = backend_name(max(set(gpu_devices), key=gpu_devices.count))
    else:
        backend = "GPU" if gpu else "CPU"
    return Offload(gpu, total, backend)
