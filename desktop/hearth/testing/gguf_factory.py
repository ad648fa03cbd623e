"""Write tiny, valid GGUF models that llama.cpp loads and runs in milliseconds.

Why: Hearth's tests need real model files (loading, chatting, embedding, memory
estimates, header parsing) but must not download gigabytes. These models have
random weights, so their output is gibberish, yet every code path from file to
tokens is the real one.

What llama.cpp (the version vendored by llama-cpp-python 0.3.36) does with them:

* ``arch="llama"``: loads and generates; F32, F16 and Q8_0; GQA with one
  ``n_head_kv`` for all layers. A per-layer ``n_head_kv`` tuple is written
  correctly (tensors shaped per layer) but llama.cpp's llama loader sizes every
  layer like layer 0 and rejects the file: use it for header-reader tests only.
  ``sliding_window`` is written as ``llama.attention.sliding_window`` but the
  llama arch ignores it.
* ``arch="deci"``: the llama layout with per-layer head counts honoured
  (Nemotron-51B style); loads and generates with a per-layer ``n_head_kv``.
* ``arch="gemma3"``: the SWA variant; llama.cpp reads ``sliding_window`` and
  ``sliding_window_pattern`` (default: 5 local layers, then 1 global) and
  builds its interleaved SWA KV cache. Loads and generates.
* Embeddings: ``write_embedding_model`` writes a llama model with
  ``llama.pooling_type`` = mean; ``Llama(..., embedding=True).embed(text)``
  returns one vector of ``n_embd`` floats.

The tokenizer is a byte-level BPE ("gpt2" model, "default" pre-tokenizer): 256
byte tokens so any text tokenizes, a handful of merges (``"hello"`` is one
token), and four control tokens for a ChatML template.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
from gguf import GGMLQuantizationType, GGUFWriter, LlamaFileType, PoolingType, TokenType
from gguf.quants import quantize

Arch = Literal["llama", "deci", "gemma3"]

CHATML_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
"""A ChatML template whose markers are control tokens of the tiny vocabulary."""

SPECIAL_TOKENS = ("<|bos|>", "<|eos|>", "<|im_start|>", "<|im_end|>")
BOS_ID, EOS_ID = 0, 1

# Each merge joins two tokens that already exist; "Ġ" is the byte-level space.
MERGES = (
    "h e", "l l", "he ll", "hell o", "Ġ t", "Ġt he", "i n", "Ġ a",
    "e r", "o n", "r e", "Ġ s", "a t", "e n", "o r", "i s",
)  # fmt: skip

_FILE_TYPES = {
    GGMLQuantizationType.F32: LlamaFileType.ALL_F32,
    GGMLQuantizationType.F16: LlamaFileType.MOSTLY_F16,
    GGMLQuantizationType.Q8_0: LlamaFileType.MOSTLY_Q8_0,
}


@dataclass(frozen=True)
class TinyModelSpec:
    """What to write. Defaults give a 2-layer, 64-wide llama of ~0.4 MB (F32).

    ``n_head_kv`` may be a tuple (one per layer); ``head_dim`` None means
    ``n_embd // n_head`` (otherwise ``attention.key_length``/``value_length``
    are written, as Gemma does). ``sliding_window_pattern`` is an int period or
    one bool per layer (True = sliding window). ``pooling`` marks an embedding
    model. Q8_0 needs ``n_embd``, ``n_ff`` and ``n_head * head_dim`` to be
    multiples of 32 (its block size).
    """

    arch: Arch = "llama"
    name: str = "hearth-tiny"
    n_layers: int = 2
    n_embd: int = 64
    n_head: int = 4
    n_head_kv: int | tuple[int, ...] = 4
    n_ff: int = 128
    head_dim: int | None = None
    context_length: int = 512
    sliding_window: int | None = None
    sliding_window_pattern: int | tuple[bool, ...] | None = None
    chat_template: str | None = None
    tensor_type: GGMLQuantizationType = GGMLQuantizationType.F32
    pooling: PoolingType | None = None
    tie_embeddings: bool = True
    seed: int = 0
    extra_metadata: tuple[tuple[str, float | int | str], ...] = ()
    """More key/values, e.g. ``(("general.sampling.temp", 0.6),)``: floats as f32, ints as u32."""

    def __post_init__(self) -> None:
        kv_heads = self.kv_heads_per_layer()
        if len(kv_heads) != self.n_layers or any(self.n_head % kv for kv in kv_heads):
            raise ValueError(f"n_head_kv {self.n_head_kv!r} must divide n_head per layer")
        if self.head_dim is None and self.n_embd % self.n_head:
            raise ValueError("n_embd must be a multiple of n_head (or give head_dim)")
        if self.tensor_type not in _FILE_TYPES:
            raise ValueError(f"tensor_type must be one of {[t.name for t in _FILE_TYPES]}")
        widths = (self.n_embd, self.n_ff, self.n_head * self.head_size)
        if self.tensor_type == GGMLQuantizationType.Q8_0 and any(n % 32 for n in widths):
            raise ValueError("Q8_0 needs n_embd, n_ff and n_head*head_dim multiple of 32")

    @property
    def head_size(self) -> int:
        """Per-head width of Q, K and V."""
        return self.head_dim if self.head_dim is not None else self.n_embd // self.n_head

    @property
    def vocab_size(self) -> int:
        """Number of tokens in the tiny vocabulary."""
        return len(vocabulary()[0])

    def kv_heads_per_layer(self) -> tuple[int, ...]:
        """``n_head_kv`` expanded to one entry per layer."""
        if isinstance(self.n_head_kv, int):
            return (self.n_head_kv,) * self.n_layers
        return tuple(self.n_head_kv)


def _bytes_to_unicode() -> dict[int, str]:
    """GPT-2's byte -> printable character map, which byte-level BPE vocabularies use."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    extra = iter(range(256, 512))
    return {b: chr(b) if b in printable else chr(next(extra)) for b in range(256)}


def vocabulary() -> tuple[list[str], list[int]]:
    """Tokens and token types: control tokens, the 256 bytes, then merge results."""
    tokens = [*SPECIAL_TOKENS, *_bytes_to_unicode().values()]
    types = [TokenType.CONTROL] * len(SPECIAL_TOKENS) + [TokenType.NORMAL] * 256
    for merge in MERGES:
        tokens.append(merge.replace(" ", ""))
        types.append(TokenType.NORMAL)
    return tokens, [int(t) for t in types]


def _write_metadata(writer: GGUFWriter, spec: TinyModelSpec) -> None:
    """Hyper-parameters and tokenizer, under the keys llama.cpp reads."""
    writer.add_name(spec.name)
    writer.add_file_type(_FILE_TYPES[spec.tensor_type])
    writer.add_context_length(spec.context_length)
    writer.add_embedding_length(spec.n_embd)
    writer.add_block_count(spec.n_layers)
    writer.add_feed_forward_length(spec.n_ff)
    writer.add_head_count(spec.n_head)
    kv = spec.n_head_kv
    writer.add_head_count_kv(kv if isinstance(kv, int) else list(kv))
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_rope_freq_base(10000.0)
    if spec.head_dim is not None:
        writer.add_key_length(spec.head_dim)
        writer.add_value_length(spec.head_dim)
    if spec.sliding_window is not None:
        writer.add_sliding_window(spec.sliding_window)
    pattern = spec.sliding_window_pattern
    if pattern is not None:
        writer.add_sliding_window_pattern(pattern if isinstance(pattern, int) else list(pattern))
    if spec.pooling is not None:
        writer.add_pooling_type(spec.pooling)
    tokens, types = vocabulary()
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(list(MERGES))
    writer.add_bos_token_id(BOS_ID)
    writer.add_eos_token_id(EOS_ID)
    writer.add_add_bos_token(False)
    if spec.chat_template is not None:
        writer.add_chat_template(spec.chat_template)
    for key, value in spec.extra_metadata:
        if isinstance(value, float):
            writer.add_float32(key, value)
        elif isinstance(value, int):
            writer.add_uint32(key, value)
        else:
            writer.add_string(key, value)


def _float_tensors(spec: TinyModelSpec) -> Iterator[tuple[str, np.ndarray]]:
    """Every tensor as float32, numpy shape = GGUF dims reversed ((rows, cols))."""
    rng = np.random.default_rng(spec.seed)

    def dense(rows: int, cols: int) -> np.ndarray:
        return (rng.standard_normal((rows, cols)) * 0.02).astype(np.float32)

    def ones(n: int) -> np.ndarray:
        return np.ones(n, dtype=np.float32)

    d, q_width = spec.n_embd, spec.n_head * spec.head_size
    yield "token_embd.weight", dense(spec.vocab_size, d)
    for i, n_kv in enumerate(spec.kv_heads_per_layer()):
        kv_width = n_kv * spec.head_size
        blk = f"blk.{i}."
        yield blk + "attn_norm.weight", ones(d)
        yield blk + "attn_q.weight", dense(q_width, d)
        yield blk + "attn_k.weight", dense(kv_width, d)
        yield blk + "attn_v.weight", dense(kv_width, d)
        yield blk + "attn_output.weight", dense(d, q_width)
        yield blk + "ffn_norm.weight", ones(d)
        yield blk + "ffn_gate.weight", dense(spec.n_ff, d)
        yield blk + "ffn_up.weight", dense(spec.n_ff, d)
        yield blk + "ffn_down.weight", dense(d, spec.n_ff)
        if spec.arch == "gemma3":
            yield blk + "attn_q_norm.weight", ones(spec.head_size)
            yield blk + "attn_k_norm.weight", ones(spec.head_size)
            yield blk + "post_attention_norm.weight", ones(d)
            yield blk + "post_ffw_norm.weight", ones(d)
    yield "output_norm.weight", ones(d)
    if not spec.tie_embeddings:
        yield "output.weight", dense(spec.vocab_size, d)


def model_tensors(spec: TinyModelSpec) -> list[tuple[str, np.ndarray, GGMLQuantizationType]]:
    """Tensors encoded as stored: matrices in ``spec.tensor_type``, norms in F32 (as llama.cpp's converters do)."""
    encoded = []
    for name, array in _float_tensors(spec):
        qtype = spec.tensor_type if array.ndim == 2 else GGMLQuantizationType.F32
        encoded.append((name, quantize(array, qtype), qtype))
    return encoded


def _write_file(
    path: Path,
    spec: TinyModelSpec,
    tensors: Sequence[tuple[str, np.ndarray, GGMLQuantizationType]],
    split: tuple[int, int, int] | None = None,
) -> Path:
    """One GGUF file; ``split`` = (index, count, total tensors) adds gguf-split keys."""
    writer = GGUFWriter(path, spec.arch)
    _write_metadata(writer, spec)
    if split is not None:
        index, count, total = split
        writer.add_uint16("split.no", index)
        writer.add_uint16("split.count", count)
        writer.add_int32("split.tensors.count", total)
    for name, data, qtype in tensors:
        writer.add_tensor(name, data, raw_dtype=qtype)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def write_tiny_model(path: Path | str, spec: TinyModelSpec | None = None) -> Path:
    """Write ``spec`` (default: 2-layer F32 llama) to ``path`` and return the path."""
    spec = spec or TinyModelSpec()
    return _write_file(Path(path), spec, model_tensors(spec))


def write_embedding_model(
    path: Path | str, spec: TinyModelSpec | None = None, pooling: PoolingType = PoolingType.MEAN
) -> Path:
    """A tiny llama that pools token states into one vector of ``n_embd`` floats."""
    spec = replace(spec or TinyModelSpec(name="hearth-tiny-embed"), pooling=pooling)
    return write_tiny_model(path, spec)


def write_sharded(
    directory: Path | str, n_shards: int, spec: TinyModelSpec | None = None, stem: str = "hearth-tiny"
) -> list[Path]:
    """Split a model llama.cpp-style into ``{stem}-0000i-of-0000N.gguf``; load the first.

    Every shard carries the full metadata (llama.cpp reads it from the first,
    header readers may open any) plus ``split.no``/``split.count``/
    ``split.tensors.count``; tensors are dealt out in order, evenly.
    """
    spec = spec or TinyModelSpec()
    tensors = model_tensors(spec)
    if not 1 <= n_shards <= len(tensors):
        raise ValueError(f"n_shards must be between 1 and {len(tensors)}")
    bounds = np.linspace(0, len(tensors), n_shards + 1).astype(int)
    Path(directory).mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n_shards):
        path = Path(directory) / f"{stem}-{i + 1:05d}-of-{n_shards:05d}.gguf"
        chunk = tensors[bounds[i] : bounds[i + 1]]
        paths.append(_write_file(path, spec, chunk, split=(i, n_shards, len(tensors))))
    return paths
