"""How a model is loaded: the one object both the fit estimate and the engine read.

Why one object: an estimate is only right if the engine loads the model exactly as estimated. Every knob that
changes memory (context, batch sizes, flash attention, cache types, full-size sliding-window cache, GPU layers)
lives here, and ``to_llama_kwargs`` is the only way Hearth turns it into ``llama_cpp.Llama(...)`` arguments.

Defaults differ from llama-cpp-python's on purpose (see /work/shared/README.md):

* ``flash_attn=True``: llama-cpp-python defaults to False. Without it llama.cpp materialises the attention
  scores (``n_ctx x n_ubatch x n_head`` floats per layer: 150 MiB of compute buffer for a 4-layer, 8-head
  model at 8k context instead of 17 MiB), and a quantized V cache is impossible. The binding (0.3.36) only
  accepts a bool (``LLAMA_FLASH_ATTN_TYPE_ENABLED``/``DISABLED``), so llama.cpp's "auto" is not reachable.
* ``swa_full=False``: llama.cpp keeps ``swa_full=True`` for compatibility; a full-size sliding-window cache
  costs Gemma 3 six times the KV memory for nothing Hearth uses (no context shifting across the window).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

CacheType = Literal["f16", "q8_0", "q4_0"]

# ggml_type ids (ggml.h enum ggml_type), which llama_context_params.type_k/type_v take.
GGML_TYPE_IDS: dict[CacheType, int] = {"f16": 1, "q4_0": 2, "q8_0": 8}

# Bytes per element of a cache row: ggml_row_size = blocks * block bytes (ggml.c type_traits):
# f16 is 2 bytes; q8_0 packs 32 values in 34 bytes (f16 scale + 32 int8); q4_0 packs 32 in 18.
CACHE_BLOCK: dict[CacheType, tuple[int, int]] = {"f16": (1, 2), "q8_0": (32, 34), "q4_0": (32, 18)}

DEFAULT_N_CTX = 8192


def cache_row_bytes(cache_type: CacheType, n_elements: int) -> int:
    """``ggml_row_size(type, n)``: the bytes of one cache row of ``n_elements`` values."""
    block, block_bytes = CACHE_BLOCK[cache_type]
    if n_elements % block:
        raise ValueError(f"a {cache_type} cache row needs a multiple of {block} values, got {n_elements}")
    return n_elements // block * block_bytes


@dataclass(frozen=True)
class LoadSettings:
    """Every setting that changes how much memory a loaded model takes, with Hearth's defaults.

    ``n_gpu_layers``: llama.cpp's count (``-1`` = all, including the output layer, ``0`` = CPU only), or
    ``None`` for "as many as fit", which ``resolved`` fills in from a ``FitEstimate``.
    """

    n_ctx: int = DEFAULT_N_CTX
    n_batch: int = 512
    n_ubatch: int = 512
    flash_attn: bool = True
    type_k: CacheType = "f16"
    type_v: CacheType = "f16"
    swa_full: bool = False
    n_gpu_layers: int | None = None
    use_mmap: bool = True
    use_mlock: bool = False
    n_threads: int | None = None
    offload_kqv: bool = True

    def __post_init__(self) -> None:
        if self.n_ctx < 1:
            raise ValueError(f"n_ctx must be at least 1, got {self.n_ctx}")
        if self.n_batch < 1 or self.n_ubatch < 1:
            raise ValueError("n_batch and n_ubatch must be at least 1")
        for name in ("type_k", "type_v"):
            if getattr(self, name) not in GGML_TYPE_IDS:
                raise ValueError(f"{name} must be one of {', '.join(GGML_TYPE_IDS)}, got {getattr(self, name)!r}")
        # llama_context::llama_context (src/llama-context.cpp) throws "quantized V cache was requested, but this
        # requires Flash Attention": say so before a load fails with a bare exception.
        if self.type_v != "f16" and not self.flash_attn:
            raise ValueError(f"a {self.type_v} V cache needs flash attention: set flash_attn=True or type_v='f16'")
        if self.n_gpu_layers is not None and self.n_gpu_layers < -1:
            raise ValueError(f"n_gpu_layers must be -1, 0 or more, or None (auto), got {self.n_gpu_layers}")
        if self.n_threads is not None and self.n_threads < 1:
            raise ValueError(f"n_threads must be at least 1, got {self.n_threads}")

    @property
    def effective_n_batch(self) -> int:
        """llama.cpp caps the batch at the context for causal models (``cparams.n_batch``)."""
        return min(self.n_ctx, self.n_batch)

    @property
    def effective_n_ubatch(self) -> int:
        """``cparams.n_ubatch = min(n_batch, n_ubatch)`` in llama_context::llama_context."""
        return min(self.effective_n_batch, self.n_ubatch)

    def replace(self, **changes: Any) -> LoadSettings:
        return dataclasses.replace(self, **changes)

    def resolved(self, gpu_layers: int) -> LoadSettings:
        """These settings with ``n_gpu_layers`` fixed (the estimate's choice when it was None)."""
        return self if self.n_gpu_layers is not None else self.replace(n_gpu_layers=gpu_layers)

    def to_llama_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``llama_cpp.Llama(model_path, **kwargs)`` (llama-cpp-python 0.3.36 names).

        ``n_gpu_layers=None`` (auto) becomes 0 here: resolve it with an estimate first (``resolved``).
        """
        kwargs: dict[str, Any] = {
            "n_ctx": self.n_ctx,
            "n_batch": self.n_batch,
            "n_ubatch": self.n_ubatch,
            "flash_attn": self.flash_attn,
            "type_k": GGML_TYPE_IDS[self.type_k],
            "type_v": GGML_TYPE_IDS[self.type_v],
            "swa_full": self.swa_full,
            "n_gpu_layers": 0 if self.n_gpu_layers is None else self.n_gpu_layers,
            "use_mmap": self.use_mmap,
            "use_mlock": self.use_mlock,
            "offload_kqv": self.offload_kqv,
        }
        if self.n_threads is not None:
            kwargs["n_threads"] = self.n_threads
            kwargs["n_threads_batch"] = self.n_threads
        return kwargs
