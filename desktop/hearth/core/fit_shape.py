"""What the fit estimate needs to know about a model, read once from its GGUF header.

Why a separate value: the header's metadata is arch-prefixed, optional, sometimes per-layer arrays; the memory
formulas want plain per-layer numbers. ``ModelShape.from_header`` is where llama.cpp's own defaults are applied
(src/llama-model.cpp ``load_hparams``; src/llama-hparams.cpp ``set_swa_pattern``), so the formulas in
``fit_memory`` never guess.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hearth.core.gguf_types import ArraySummary, GGUFHeader

# Sliding-window pattern llama.cpp assumes when the file has a window but no pattern key: load_swa_pattern(ml, N)
# in src/models/<arch>.cpp. Architectures not listed here ignore the window (the llama arch does).
SWA_DEFAULT_PATTERN: dict[str, int] = {"gemma3": 6, "gemma2": 2, "cohere2": 4, "gpt-oss": 2}

# CPU "repack" (ggml-cpu/repack.cpp): matrices of these ggml types with a row count divisible by 8 are copied
# into an interleaved CPU_REPACK buffer at load (x86 AVX2 / ARM NEON); the mapped original stays mapped.
# Q4_0 = 2, Q4_K = 12, IQ4_NL = 20.
REPACK_TYPES = frozenset({2, 12, 20})

_BLOCK = re.compile(r"^blk\.(\d+)\.")


def _per_layer(value: Any, n_layers: int, default: int) -> tuple[int, ...]:
    """A hyper-parameter that may be one int or one int per layer (llama.cpp ``get_key_or_arr``)."""
    if value is None:
        return (default,) * n_layers
    if isinstance(value, Sequence) and not isinstance(value, str):
        if len(value) != n_layers:
            raise ValueError(f"per-layer value has {len(value)} entries for {n_layers} layers")
        return tuple(int(v) for v in value)
    return (int(value),) * n_layers


@dataclass(frozen=True)
class ModelShape:
    """Per-layer attention geometry, vocabulary and weight bytes by placement unit."""

    architecture: str
    n_layers: int
    n_embd: int
    n_vocab: int
    n_ff: int  # the largest feed-forward width
    n_head: tuple[int, ...]
    n_head_kv: tuple[int, ...]
    head_k: int
    head_v: int
    swa_layers: tuple[bool, ...]
    n_swa: int
    layer_bytes: tuple[int, ...]  # weights of blk.N.*
    input_bytes: int  # token embeddings and every tensor outside blocks and the output layer
    output_bytes: int  # output.weight (or the duplicated token_embd when tied) + output_norm
    tied_embeddings: bool
    layer_repack_bytes: tuple[int, ...]
    output_repack_bytes: int

    @property
    def has_swa(self) -> bool:
        return any(self.swa_layers)

    def kv_width_k(self, il: int) -> int:
        return self.n_head_kv[il] * self.head_k

    def kv_width_v(self, il: int) -> int:
        return self.n_head_kv[il] * self.head_v

    @property
    def kv_width_v_max(self) -> int:
        """``hparams.n_embd_v_gqa_max()``: without flash attention every V row is this wide ([TAG_V_CACHE_VARIABLE])."""
        return max(self.kv_width_v(il) for il in range(self.n_layers))

    @property
    def weights_bytes(self) -> int:
        return self.input_bytes + sum(self.layer_bytes) + self.output_bytes

    @classmethod
    def from_header(cls, header: GGUFHeader) -> ModelShape:
        arch = header.architecture
        n_layers = int(header.arch_value("block_count", 0))
        if n_layers <= 0:
            raise ValueError(f"{header.source or 'the model'} has no {arch}.block_count: cannot estimate memory")
        n_embd = int(header.arch_value("embedding_length"))
        n_head = _per_layer(header.arch_value("attention.head_count"), n_layers, 0)
        kv_raw = header.arch_value("attention.head_count_kv")
        n_head_kv = n_head if kv_raw is None else _per_layer(kv_raw, n_layers, 0)
        first_heads = max(n_head) or 1
        head_k = int(header.arch_value("attention.key_length") or n_embd // first_heads)
        head_v = int(header.arch_value("attention.value_length") or n_embd // first_heads)
        n_ff = max(_per_layer(header.arch_value("feed_forward_length"), n_layers, 4 * n_embd))

        tensors = {t.name: t for t in header.tensors}
        embd = tensors.get("token_embd.weight")
        n_vocab = _vocab_size(header, embd.shape[1] if embd is not None and len(embd.shape) > 1 else 0)

        layer_bytes = [0] * n_layers
        layer_repack = [0] * n_layers
        input_bytes = output_bytes = output_repack = 0
        for tensor in header.tensors:
            repack = tensor.ggml_type in REPACK_TYPES and len(tensor.shape) == 2 and tensor.shape[1] % 8 == 0
            match = _BLOCK.match(tensor.name)
            if match and int(match.group(1)) < n_layers:
                il = int(match.group(1))
                layer_bytes[il] += tensor.n_bytes
                layer_repack[il] += tensor.n_bytes if repack else 0
            elif tensor.name.startswith("output"):
                output_bytes += tensor.n_bytes
                output_repack += tensor.n_bytes if repack else 0
            else:
                input_bytes += tensor.n_bytes
        # No output.weight: llama.cpp uses token_embd for the output too (create_tensor with TENSOR_DUPLICATED);
        # on the CPU the mapped copy serves both, a GPU holding the output layer needs its own copy.
        tied = "output.weight" not in tensors and embd is not None

        swa_layers, n_swa = _swa_layers(header, arch, n_layers)
        return cls(
            architecture=arch,
            n_layers=n_layers,
            n_embd=n_embd,
            n_vocab=n_vocab,
            n_ff=n_ff,
            n_head=n_head,
            n_head_kv=n_head_kv,
            head_k=head_k,
            head_v=head_v,
            swa_layers=swa_layers,
            n_swa=n_swa,
            layer_bytes=tuple(layer_bytes),
            input_bytes=input_bytes,
            output_bytes=output_bytes,
            tied_embeddings=tied,
            layer_repack_bytes=tuple(layer_repack),
            output_repack_bytes=output_repack,
        )

    @property
    def tied_output_bytes(self) -> int:
        """Bytes a GPU needs for the output matrix when the embeddings are tied (a duplicate of token_embd)."""
        return self.input_bytes if self.tied_embeddings else 0


def _vocab_size(header: GGUFHeader, from_tensor: int) -> int:
    tokens = header.metadata.get("tokenizer.ggml.tokens")
    if isinstance(tokens, ArraySummary):
        return tokens.length
    if isinstance(tokens, Sequence) and not isinstance(tokens, str):
        return len(tokens)
    return int(header.arch_value("vocab_size") or from_tensor)


def _swa_layers(header: GGUFHeader, arch: str, n_layers: int) -> tuple[tuple[bool, ...], int]:
    """Which layers use the sliding window, as llama.cpp decides (load_swa_pattern + set_swa_pattern)."""
    n_swa = int(header.arch_value("attention.sliding_window") or 0)
    if n_swa <= 0 or arch not in SWA_DEFAULT_PATTERN:
        return (False,) * n_layers, 0
    pattern = header.arch_value("attention.sliding_window_pattern")
    if isinstance(pattern, Sequence) and not isinstance(pattern, str):
        flags = tuple(bool(p) for p in pattern)
        if len(flags) != n_layers:
            raise ValueError(f"sliding_window_pattern has {len(flags)} entries for {n_layers} layers")
        return flags, n_swa
    period = int(pattern) if pattern is not None else SWA_DEFAULT_PATTERN[arch]
    # set_swa_pattern(n_pattern, dense_first=false): layer il is SWA when il % n < n - 1 (n == 0: all SWA)
    return tuple(period == 0 or il % period < period - 1 for il in range(n_layers)), n_swa
