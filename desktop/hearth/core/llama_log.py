"""Read what llama.cpp says it allocated: buffer sizes and GPU offload from its load log.

Why: the fit estimate is checked against llama.cpp's own numbers, and the engine will show them after a load
("llama.cpp reserved 802 MiB"). llama.cpp prints one line per allocation while loading a model and creating a
context; this module turns those lines into a ``LlamaLoadReport``. The lines mirror these sources (the
llama.cpp commit vendored by llama-cpp-python 0.3.36):

* ``load_tensors: CPU_Mapped model buffer size = 235.16 MiB`` and ``offloaded 19/19 layers to GPU``
  (``llama_model_base::load_tensors`` in src/llama-model.cpp);
* ``llama_kv_cache: CPU KV buffer size = 24.00 MiB`` (``llama_kv_cache::llama_kv_cache``, one line per device
  buffer and per cache: an interleaved sliding-window model has two caches);
* ``sched_reserve: CPU compute buffer size = 514.50 MiB`` (``llama_context::sched_reserve``);
* ``llama_context: CPU  output buffer size = 1.00 MiB`` (``llama_context::llama_context``).

llama-cpp-python installs a log callback that prints llama.cpp's messages to Python's ``sys.stderr`` when
``verbose=True``, so ``capture_llama_log`` can collect them with ``contextlib.redirect_stderr`` — no file
descriptor juggling, and nothing is lost when the process's fd 2 is not a file.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

MIB = 1024 * 1024

BufferKind = Literal["model", "kv", "compute", "output"]

_BUFFER_PATTERNS: tuple[tuple[BufferKind, re.Pattern[str]], ...] = (
    ("model", re.compile(r"load_tensors:\s+(\S+) model buffer size =\s*([\d.]+) MiB")),
    ("kv", re.compile(r"llama_kv_cache[\w]*:\s+(\S+) KV buffer size =\s*([\d.]+) MiB")),
    ("compute", re.compile(r"(?:sched_reserve|llama_context):\s+(\S+) compute buffer size =\s*([\d.]+) MiB")),
    ("output", re.compile(r"llama_context:\s+(\S+)\s+output buffer size =\s*([\d.]+) MiB")),
)
_OFFLOADED = re.compile(r"offloaded (\d+)/(\d+) layers to GPU")
_N_CTX = re.compile(r"llama_context: n_ctx\s+=\s*(\d+)")


@dataclass(frozen=True)
class BufferSize:
    """One allocation llama.cpp reported: what it holds, on which buffer type (``CPU_Mapped``, ``CUDA0``…)."""

    kind: BufferKind
    device: str
    bytes: int

    @property
    def on_host(self) -> bool:
        """CPU buffers (``CPU``, ``CPU_Mapped``, ``CPU_REPACK``, ``CUDA_Host``) live in system RAM."""
        return self.device.upper().startswith("CPU") or self.device.endswith("_Host")


@dataclass(frozen=True)
class LlamaLoadReport:
    """Everything llama.cpp said it allocated for one model + context; sizes in bytes (2-decimal MiB precision)."""

    buffers: tuple[BufferSize, ...]
    gpu_layers: int | None = None
    offloadable_layers: int | None = None
    n_ctx: int | None = None

    def bytes_of(self, kind: BufferKind) -> int:
        return sum(b.bytes for b in self.buffers if b.kind == kind)

    @property
    def model_bytes(self) -> int:
        return self.bytes_of("model")

    @property
    def kv_bytes(self) -> int:
        return self.bytes_of("kv")

    @property
    def compute_bytes(self) -> int:
        return self.bytes_of("compute")

    @property
    def output_bytes(self) -> int:
        return self.bytes_of("output")

    @property
    def total_bytes(self) -> int:
        return sum(b.bytes for b in self.buffers)

    @property
    def host_bytes(self) -> int:
        return sum(b.bytes for b in self.buffers if b.on_host)

    @property
    def device_bytes(self) -> int:
        return self.total_bytes - self.host_bytes


def parse_load_log(text: str) -> LlamaLoadReport:
    """Parse llama.cpp's load/context log; unknown lines are ignored, so any verbosity works."""
    buffers: list[BufferSize] = []
    gpu_layers = offloadable = n_ctx = None
    for line in text.splitlines():
        for kind, pattern in _BUFFER_PATTERNS:
            match = pattern.search(line)
            if match:
                buffers.append(BufferSize(kind, match.group(1), round(float(match.group(2)) * MIB)))
                break
        else:
            if match := _OFFLOADED.search(line):
                gpu_layers, offloadable = int(match.group(1)), int(match.group(2))
            elif match := _N_CTX.search(line):
                n_ctx = int(match.group(1))
    return LlamaLoadReport(tuple(buffers), gpu_layers, offloadable, n_ctx)


@dataclass
class CapturedLog:
    """Filled when the ``capture_llama_log`` block ends."""

    text: str = ""

    def report(self) -> LlamaLoadReport:
        return parse_load_log(self.text)


@contextlib.contextmanager
def capture_llama_log() -> Iterator[CapturedLog]:
    """Collect llama.cpp's log printed during the block (load with ``verbose=True`` inside it).

    Works because llama-cpp-python's log callback (llama_cpp/_logger.py) prints to ``sys.stderr``; it is
    process-wide, so do not run two loads at once under it.
    """
    captured = CapturedLog()
    buffer = io.StringIO()
    try:
        with contextlib.redirect_stderr(buffer):
            yield captured
    finally:
        captured.text = buffer.getvalue()
