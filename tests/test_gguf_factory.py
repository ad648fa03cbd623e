"""The tiny GGUF factory writes files llama.cpp really runs, and broken files it really rejects."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gguf
import pytest
from gguf import GGMLQuantizationType
from llama_cpp import Llama

from hearth.testing.gguf_broken import ABSURD_COUNT, BrokenKind, read_layout, write_broken
from hearth.testing.gguf_factory import (
    CHATML_TEMPLATE,
    TinyModelSpec,
    write_embedding_model,
    write_sharded,
    write_tiny_model,
)


@contextmanager
def loaded(path: Path, **kwargs: Any) -> Iterator[Llama]:
    """A quiet, small llama.cpp instance that is closed afterwards (no leaked file handles)."""
    llm = Llama(str(path), n_ctx=128, n_threads=2, verbose=False, **kwargs)
    try:
        yield llm
    finally:
        llm.close()


def generated_tokens(path: Path) -> int:
    with loaded(path) as llm:
        completion = llm.create_completion("hello there", max_tokens=8, temperature=0.0)
    return completion["usage"]["completion_tokens"]  # type: ignore[index]


def fields(path: Path) -> dict[str, Any]:
    """Scalar and array metadata values as plain Python, read by gguf's own reader."""
    reader = gguf.GGUFReader(path)
    return {name: field.contents() for name, field in reader.fields.items()}


@pytest.mark.parametrize(
    "spec",
    [
        TinyModelSpec(),
        TinyModelSpec(tensor_type=GGMLQuantizationType.F16),
        TinyModelSpec(tensor_type=GGMLQuantizationType.Q8_0),
        TinyModelSpec(n_head_kv=2),
        TinyModelSpec(n_head_kv=1, head_dim=32, tie_embeddings=False),
        TinyModelSpec(arch="deci", n_head_kv=(4, 2)),
        TinyModelSpec(arch="gemma3", sliding_window=64, sliding_window_pattern=(True, False)),
    ],
    ids=["f32", "f16", "q8_0", "gqa", "mqa-head_dim-untied", "deci-per-layer-kv", "gemma3-swa"],
)
def test_llama_cpp_loads_and_generates(tmp_path: Path, spec: TinyModelSpec) -> None:
    path = write_tiny_model(tmp_path / "tiny.gguf", spec)
    assert generated_tokens(path) > 0


def test_defaults_are_tiny_and_deterministic(tmp_path: Path) -> None:
    first = write_tiny_model(tmp_path / "a.gguf")
    second = write_tiny_model(tmp_path / "b.gguf")
    assert first.read_bytes() == second.read_bytes()
    assert first.stat().st_size < 1_000_000
    assert first.read_bytes() != write_tiny_model(tmp_path / "c.gguf", TinyModelSpec(seed=1)).read_bytes()


def test_metadata_says_what_the_spec_says(tmp_path: Path) -> None:
    spec = TinyModelSpec(name="meta", tensor_type=GGMLQuantizationType.Q8_0, context_length=333, n_head_kv=2)
    meta = fields(write_tiny_model(tmp_path / "m.gguf", spec))
    assert meta["general.architecture"] == "llama"
    assert meta["general.name"] == "meta"
    assert meta["general.file_type"] == gguf.LlamaFileType.MOSTLY_Q8_0
    assert meta["llama.context_length"] == 333
    assert meta["llama.attention.head_count_kv"] == 2
    assert meta["tokenizer.ggml.model"] == "gpt2"
    assert len(meta["tokenizer.ggml.tokens"]) == spec.vocab_size
    assert "tokenizer.chat_template" not in meta


def test_chat_template_is_in_metadata_and_renders(tmp_path: Path) -> None:
    path = write_tiny_model(tmp_path / "chat.gguf", TinyModelSpec(chat_template=CHATML_TEMPLATE))
    with loaded(path) as llm:
        assert llm.metadata["tokenizer.chat_template"] == CHATML_TEMPLATE
        reply = llm.create_chat_completion([{"role": "user", "content": "hi"}], max_tokens=4)
    assert reply["usage"]["completion_tokens"] > 0  # type: ignore[index]


def test_byte_level_vocabulary_tokenizes_any_text_and_uses_merges(tmp_path: Path) -> None:
    text = "héllo wörld 🔥\n\ttabs"
    with loaded(write_tiny_model(tmp_path / "t.gguf")) as llm:
        assert len(llm.tokenize(b"hello", add_bos=False)) == 1
        assert llm.detokenize(llm.tokenize(text.encode(), add_bos=False)).decode() == text


def test_per_layer_kv_heads_are_written_but_llama_arch_rejects_them(tmp_path: Path) -> None:
    path = write_tiny_model(tmp_path / "pl.gguf", TinyModelSpec(n_head_kv=(4, 2)))
    assert list(fields(path)["llama.attention.head_count_kv"]) == [4, 2]
    with pytest.raises(ValueError), loaded(path):
        pass


def test_sliding_window_metadata(tmp_path: Path) -> None:
    gemma = write_tiny_model(
        tmp_path / "g.gguf", TinyModelSpec(arch="gemma3", sliding_window=64, sliding_window_pattern=(True, False))
    )
    meta = fields(gemma)
    assert meta["gemma3.attention.sliding_window"] == 64
    assert list(meta["gemma3.attention.sliding_window_pattern"]) == [True, False]
    llama = fields(write_tiny_model(tmp_path / "l.gguf", TinyModelSpec(sliding_window=32)))
    assert llama["llama.attention.sliding_window"] == 32


def test_embedding_model_returns_one_finite_vector(tmp_path: Path) -> None:
    path = write_embedding_model(tmp_path / "embed.gguf")
    with loaded(path, embedding=True) as llm:
        vector = llm.embed("hello world")
    assert len(vector) == TinyModelSpec().n_embd
    assert all(isinstance(x, float) and math.isfinite(x) for x in vector)


def test_sharded_model_loads_from_its_first_shard(tmp_path: Path) -> None:
    shards = write_sharded(tmp_path, 3)
    assert [p.name for p in shards] == [f"hearth-tiny-0000{i}-of-00003.gguf" for i in (1, 2, 3)]
    meta = [fields(p) for p in shards]
    assert [m["split.no"] for m in meta] == [0, 1, 2]
    assert {m["split.count"] for m in meta} == {3}
    total = meta[0]["split.tensors.count"]
    assert sum(len(gguf.GGUFReader(p).tensors) for p in shards) == total
    assert generated_tokens(shards[0]) > 0


def test_spec_rejects_impossible_shapes() -> None:
    with pytest.raises(ValueError):
        TinyModelSpec(n_head=4, n_head_kv=3)
    with pytest.raises(ValueError):
        TinyModelSpec(n_layers=3, n_head_kv=(4, 2))
    with pytest.raises(ValueError):
        TinyModelSpec(n_ff=100, tensor_type=GGMLQuantizationType.Q8_0)
    with pytest.raises(ValueError):
        TinyModelSpec(tensor_type=GGMLQuantizationType.Q4_K)


def test_broken_files_patch_the_documented_bytes(tmp_path: Path) -> None:
    valid = write_tiny_model(tmp_path / "valid.gguf").read_bytes()
    layout = read_layout(valid)
    absurd = write_broken(tmp_path / "absurd.gguf", BrokenKind.ABSURD_ARRAY_LENGTH).read_bytes()
    at = layout.array_counts["tokenizer.ggml.tokens"]
    assert int.from_bytes(absurd[at : at + 8], "little") == ABSURD_COUNT
    assert len(absurd) == len(valid)
    truncated = write_broken(tmp_path / "cut.gguf", BrokenKind.TRUNCATED).read_bytes()
    assert layout.data_start < len(truncated) < len(valid)
    assert truncated == valid[: len(truncated)]


@pytest.mark.parametrize("kind", list(BrokenKind), ids=lambda k: k.value)
def test_llama_cpp_rejects_broken_file(tmp_path: Path, kind: BrokenKind) -> None:
    path = write_broken(tmp_path / "broken.gguf", kind)
    with pytest.raises(ValueError, match="Failed to load model"), loaded(path):
        pass


@pytest.mark.parametrize("kind", list(BrokenKind), ids=lambda k: k.value)
def test_gguf_reader_rejects_broken_file(tmp_path: Path, kind: BrokenKind) -> None:
    path = write_broken(tmp_path / "broken.gguf", kind)
    # gguf 0.19 raises ValueError, or IndexError when a claimed array runs off the end of the file.
    with pytest.raises((ValueError, IndexError)):
        gguf.GGUFReader(path)
