"""The local GGUF header reader agrees with gguf's own reader, is fast, and fails cleanly on hostile files."""

from __future__ import annotations

import json
import random
import re
import struct
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gguf
import pytest
from gguf import GGMLQuantizationType, GGUFValueType

from hearth.core.gguf import (
    ArraySummary,
    GGUFHeader,
    HeaderCache,
    IncompleteShards,
    InvalidGGUF,
    group_shards,
    header_from_json,
    header_to_json,
    merge_shard_headers,
    parse_header,
    parse_shard_name,
    read_header,
    read_model_header,
    sibling_shard_names,
)
from hearth.core.gguf_parse import HeaderParser, NeedMoreData
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import TinyModelSpec, write_sharded, write_tiny_model

# --- a few bytes of GGUF by hand, for headers the factory cannot write -------------------------------------


def _str(text: str | bytes) -> bytes:
    data = text.encode() if isinstance(text, str) else text
    return struct.pack("<Q", len(data)) + data


def _kv(key: str, value_type: int, payload: bytes) -> bytes:
    return _str(key) + struct.pack("<I", value_type) + payload


def _array(item_type: int, items: list[bytes]) -> bytes:
    return struct.pack("<IQ", item_type, len(items)) + b"".join(items)


def _gguf(
    kvs: list[bytes],
    tensors: Sequence[tuple[str, tuple[int, ...], int, int]] = (),
    *,
    version: int = 3,
    alignment: int = 32,
    data: bytes = b"",
) -> bytes:
    head = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(kvs)) + b"".join(kvs)
    for name, shape, ggml_type, offset in tensors:
        head += _str(name) + struct.pack(f"<I{len(shape)}QIQ", len(shape), *shape, ggml_type, offset)
    return head + b"\0" * (-len(head) % alignment) + data


ARCH = _kv("general.architecture", GGUFValueType.STRING, _str("llama"))


def _vocabulary_model(n_tokens: int) -> bytes:
    """A header with a real-sized token list and one F32 tensor."""
    tokens = _array(GGUFValueType.STRING, [_str(f"tok{i}") for i in range(n_tokens)])
    scores = _array(GGUFValueType.FLOAT32, [struct.pack("<f", 0.0)] * n_tokens)
    kvs = [ARCH, _kv("tokenizer.ggml.tokens", GGUFValueType.ARRAY, tokens)]
    kvs.append(_kv("tokenizer.ggml.scores", GGUFValueType.ARRAY, scores))
    kvs.append(_kv("llama.block_count", GGUFValueType.UINT32, struct.pack("<I", 2)))
    return _gguf(kvs, [("output_norm.weight", (64,), 0, 0)], data=b"\0" * 256)


# --- agreement with gguf.GGUFReader -------------------------------------------------------------------------


def _reader_view(path: Path, max_items: int = 1024) -> dict[str, Any]:
    """What gguf's own (slow, complete) reader sees, in the shape our header uses."""
    reader = gguf.GGUFReader(path)
    metadata: dict[str, Any] = {}
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            continue
        if field.types[0] == GGUFValueType.ARRAY and len(field.data) > max_items:
            metadata[name] = ArraySummary(int(field.types[1]), len(field.data))
        else:
            metadata[name] = field.contents()
    tensors = [
        (t.name, tuple(int(d) for d in t.shape), int(t.tensor_type), int(t.data_offset), int(t.n_bytes))
        for t in reader.tensors
    ]
    return {"metadata": metadata, "tensors": tensors, "data_offset": reader.data_offset, "alignment": reader.alignment}


SPECS = {
    "f32": TinyModelSpec(),
    "f16": TinyModelSpec(tensor_type=GGMLQuantizationType.F16),
    "q8_0": TinyModelSpec(tensor_type=GGMLQuantizationType.Q8_0, chat_template="{{ messages }}"),
    "deci-per-layer-kv": TinyModelSpec(arch="deci", n_head_kv=(4, 2)),
    "gemma3-swa": TinyModelSpec(arch="gemma3", sliding_window=64, sliding_window_pattern=(True, False)),
    "mqa-untied": TinyModelSpec(n_head_kv=1, head_dim=32, tie_embeddings=False),
}


@pytest.mark.parametrize("spec", SPECS.values(), ids=SPECS.keys())
def test_header_matches_gguf_reader(tmp_path: Path, spec: TinyModelSpec) -> None:
    path = write_tiny_model(tmp_path / "model.gguf", spec)
    header = read_header(path)
    expected = _reader_view(path)
    assert dict(header.metadata) == expected["metadata"]
    ours = [(t.name, t.shape, t.ggml_type, header.data_offset + t.offset, t.n_bytes) for t in header.tensors]
    assert ours == expected["tensors"]
    assert (header.data_offset, header.alignment) == (expected["data_offset"], expected["alignment"])
    assert header.version == 3
    assert header.file_size == path.stat().st_size
    assert header.source == str(path)
    assert header.architecture == spec.arch
    data_size = path.stat().st_size - header.data_offset
    assert data_size - header.alignment * len(header.tensors) <= header.tensor_bytes <= data_size
    assert {t.ggml_type for t in header.tensors} <= {GGMLQuantizationType.F32, spec.tensor_type}


def test_small_arrays_are_lists_large_ones_summaries(tmp_path: Path) -> None:
    deci = read_header(write_tiny_model(tmp_path / "d.gguf", TinyModelSpec(arch="deci", n_head_kv=(4, 2))))
    assert deci.arch_value("attention.head_count_kv") == [4, 2]
    gemma = read_header(
        write_tiny_model(tmp_path / "g.gguf", TinyModelSpec(arch="gemma3", sliding_window_pattern=(True, False)))
    )
    assert gemma.arch_value("attention.sliding_window_pattern") == [True, False]
    assert gemma.arch_value("block_count") == 2
    vocab = TinyModelSpec().vocab_size
    assert len(gemma.metadata["tokenizer.ggml.tokens"]) == vocab  # 276 tokens: small enough to keep
    summarised = read_header(tmp_path / "g.gguf", max_array_items=100)
    assert summarised.metadata["tokenizer.ggml.tokens"] == ArraySummary(GGUFValueType.STRING, vocab)
    assert summarised.metadata["tokenizer.ggml.token_type"] == ArraySummary(GGUFValueType.INT32, vocab)


def test_big_vocabulary_is_skipped_fast(tmp_path: Path) -> None:
    path = tmp_path / "vocab.gguf"
    path.write_bytes(_vocabulary_model(262_144))  # ~4.5 MB of header: more than the first 4 MiB read
    start = time.perf_counter()
    header = read_header(path)
    elapsed = time.perf_counter() - start
    assert header.metadata["tokenizer.ggml.tokens"] == ArraySummary(GGUFValueType.STRING, 262_144)
    assert header.metadata["tokenizer.ggml.scores"] == ArraySummary(GGUFValueType.FLOAT32, 262_144)
    assert header.metadata["llama.block_count"] == 2
    assert [t.name for t in header.tensors] == ["output_norm.weight"]
    assert header.header_size > 4 * 1024 * 1024
    assert elapsed < 0.5, f"{elapsed * 1000:.0f} ms for a 262k-token header"


def test_resuming_on_a_growing_buffer_gives_the_same_header(tmp_path: Path) -> None:
    data = _vocabulary_model(20_000)
    whole = parse_header(data, name="v.gguf")
    parser = HeaderParser("v.gguf", file_size=len(data))
    size, calls = 1000, 0
    while True:
        calls += 1
        try:
            grown = parser.parse(data[:size])
            break
        except NeedMoreData as more:
            assert more.needed > size
            size = min(len(data), max(more.needed, size + 7919))  # odd steps: cut inside strings and lengths
    assert grown == whole
    assert calls > 5


def test_every_prefix_asks_for_more_and_never_fails(tmp_path: Path) -> None:
    """Without a known file size a prefix is incomplete, not invalid: the remote reader relies on that."""
    data = write_tiny_model(tmp_path / "m.gguf").read_bytes()
    header_size = parse_header(data).header_size
    for cut in range(0, header_size, 11):
        with pytest.raises(NeedMoreData) as more:
            HeaderParser("m.gguf").parse(data[:cut])
        assert more.value.needed > cut


# --- hostile and broken files ----------------------------------------------------------------------------


def test_broken_factory_files(tmp_path: Path) -> None:
    messages = {
        BrokenKind.WRONG_MAGIC: r"broken\.gguf is not a GGUF file \(it starts with b'GGJT'\)",
        BrokenKind.TRUNCATED: r"broken\.gguf is truncated or damaged: tensor .* past the end",
        BrokenKind.ABSURD_ARRAY_LENGTH: r"tokenizer\.ggml\.tokens.* more than the whole file",
        BrokenKind.TENSOR_OFFSET_PAST_END: r"broken\.gguf is truncated or damaged: tensor 'output_norm\.weight'",
    }
    for kind, message in messages.items():
        path = write_broken(tmp_path / "broken.gguf", kind)
        start = time.perf_counter()
        with pytest.raises(InvalidGGUF, match=message):
            read_header(path)
        assert time.perf_counter() - start < 0.5


def test_cut_at_every_point_is_invalid_never_another_error(tmp_path: Path) -> None:
    data = write_tiny_model(tmp_path / "m.gguf").read_bytes()
    header = parse_header(data)
    data_end = header.data_offset + max(t.offset + t.n_bytes for t in header.tensors)
    cuts = [*range(0, 300), *range(300, header.header_size + 64, 7), *range(header.header_size, data_end, 997)]
    for cut in cuts:
        with pytest.raises(InvalidGGUF, match=r"cut\.gguf is (truncated|not)"):
            parse_header(data[:cut], name="cut.gguf")
    for cut in (0, 3, 4, 23, 500, header.header_size - 1, data_end - 1):  # and through the file path
        path = tmp_path / "cut.gguf"
        path.write_bytes(data[:cut])
        with pytest.raises(InvalidGGUF):
            read_header(path)


def test_random_byte_flips_raise_only_invalid_gguf(tmp_path: Path) -> None:
    data = write_tiny_model(tmp_path / "m.gguf").read_bytes()
    header_size = parse_header(data).header_size
    rng = random.Random(20240601)
    start = time.perf_counter()
    outcomes = {"parsed": 0, "invalid": 0}
    for _ in range(600):
        mutated = bytearray(data[: header_size + 4096])
        for _ in range(rng.choice((1, 1, 2, 8))):
            at = rng.randrange(header_size)
            mutated[at] = rng.choice((0, 0xFF, rng.randrange(256), mutated[at] ^ (1 << rng.randrange(8))))
        if rng.random() < 0.2:
            mutated = mutated[: rng.randrange(len(mutated))]
        try:
            parse_header(mutated, name="fuzz.gguf", file_size=len(data) if rng.random() < 0.5 else None)
            outcomes["parsed"] += 1
        except InvalidGGUF:
            outcomes["invalid"] += 1
    assert outcomes["invalid"] > 100 and outcomes["parsed"] > 10
    assert time.perf_counter() - start < 5


def _patched(data: bytes, at: int, fmt: str, value: int) -> bytes:
    patched = bytearray(data)
    struct.pack_into(fmt, patched, at, value)
    return bytes(patched)


def test_absurd_counts_and_shapes(tmp_path: Path) -> None:
    data = write_tiny_model(tmp_path / "m.gguf").read_bytes()
    cases = {
        "tensor count": (_patched(data, 8, "<Q", 2**40), r"claims 1,099,511,627,776 tensors"),
        "kv count": (_patched(data, 16, "<Q", 2**63), r"metadata entries"),
        "plausible counts": (_patched(data, 16, "<Q", 900_000), r"more than the whole file"),
        "version 1": (_patched(data, 4, "<I", 1), r"version 1 file: too old"),
        "version 9": (_patched(data, 4, "<I", 9), r"GGUF version 9"),
        "big-endian": (_patched(data, 4, ">I", 3), r"big-endian"),
    }
    name_at = data.index(b"token_embd.weight") + len(b"token_embd.weight")  # first tensor info
    cases["n_dims"] = (_patched(data, name_at, "<I", 5), r"has 5 dimensions \(at most 4\)")
    cases["ggml type"] = (_patched(data, name_at + 4 + 16, "<I", 99), r"unknown ggml type 99")
    cases["dims"] = (_patched(data, name_at + 4, "<Q", 2**62), r"absurd shape")
    cases["misaligned"] = (_patched(data, name_at + 4 + 16 + 4, "<Q", 3), r"not a multiple of 32")
    key_at = data.index(b"general.architecture") - 8
    cases["key length"] = (_patched(data, key_at, "<Q", 2**40), r"claims 1,099,511,627,776 bytes")
    cases["value type"] = (_patched(data, key_at + 8 + len(b"general.architecture"), "<I", 77), r"value type 77")
    for what, (broken, message) in cases.items():
        try:
            parse_header(broken, name="m.gguf")
        except InvalidGGUF as error:
            assert re.search(message, str(error)), f"{what}: {error}"
        else:
            pytest.fail(f"{what}: parsed without an error")


def test_synthetic_oddities() -> None:
    ok = _gguf([ARCH])
    assert parse_header(ok).tensors == ()
    with pytest.raises(InvalidGGUF, match="power of two"):
        parse_header(_gguf([ARCH, _kv("general.alignment", GGUFValueType.UINT32, struct.pack("<I", 48))]))
    with pytest.raises(InvalidGGUF, match="appears twice"):
        parse_header(_gguf([ARCH, ARCH]))
    nested = _kv(
        "x.nested",
        GGUFValueType.ARRAY,
        _array(GGUFValueType.ARRAY, [_array(GGUFValueType.UINT8, [b"\1", b"\2"]), _array(GGUFValueType.STRING, [])]),
    )
    assert parse_header(_gguf([ARCH, nested])).metadata["x.nested"] == [[1, 2], []]
    deep = _array(GGUFValueType.UINT8, [])
    for _ in range(4):
        deep = _array(GGUFValueType.ARRAY, [deep])
    with pytest.raises(InvalidGGUF, match="nests arrays"):
        parse_header(_gguf([ARCH, _kv("x.deep", GGUFValueType.ARRAY, deep)]))
    tensor = [("a", (64, 2), GGMLQuantizationType.Q8_0, 0)]
    assert (
        parse_header(_gguf([ARCH], tensor, data=b"\0" * 136)).tensors[0].n_bytes == 4 * 34
    )  # 128 values in Q8_0 blocks of 32
    with pytest.raises(InvalidGGUF, match="not a multiple of the Q8_0 block size 32"):
        parse_header(_gguf([ARCH], [("a", (40, 2), GGMLQuantizationType.Q8_0, 0)], data=b"\0" * 99))
    v2 = parse_header(_gguf([ARCH], version=2))
    assert v2.version == 2


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        (b"", r"empty\.gguf is truncated: the header needs more than the 0 bytes present"),
        (b"GG", r"is truncated: the header needs more than the 2 bytes present"),
        (b"PK\x03\x04rest", r"not a GGUF file \(it starts with b'PK\\x03\\x04'\)$"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:ab", r"Git LFS pointer"),
        (b"<!DOCTYPE html><html>", r"web page"),
    ],
)
def test_not_gguf_messages(tmp_path: Path, content: bytes, hint: str) -> None:
    path = tmp_path / "empty.gguf"
    path.write_bytes(content)
    with pytest.raises(InvalidGGUF, match=hint):
        read_header(path)


def test_header_larger_than_the_cap_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v.gguf"
    path.write_bytes(_vocabulary_model(50_000))
    with pytest.raises(InvalidGGUF, match=r"more than the 100,000 Hearth reads"):
        read_header(path, max_bytes=100_000)


# --- shards ------------------------------------------------------------------------------------------------


def test_shard_names_and_groups() -> None:
    assert parse_shard_name("Q4/model-Q4_K_M-00002-of-00003.gguf") == ("Q4/model-Q4_K_M", 2, 3)
    assert parse_shard_name("model-00004-of-00003.gguf") is None
    assert parse_shard_name("model.gguf") is None
    assert sibling_shard_names("m-002-of-003.GGUF") == ["m-001-of-003.GGUF", "m-002-of-003.GGUF", "m-003-of-003.GGUF"]
    names = ["b-00002-of-00002.gguf", "a.gguf", "b-00001-of-00002.gguf", "c-00003-of-00003.gguf", "a.gguf"]
    groups = group_shards(names)
    assert [(g.base, g.count, g.files, g.complete) for g in groups] == [
        ("a", 1, ("a.gguf",), True),
        ("b", 2, ("b-00001-of-00002.gguf", "b-00002-of-00002.gguf"), True),
        ("c", 3, ("c-00003-of-00003.gguf",), False),
    ]
    assert groups[2].missing == (1, 2)
    assert groups[1].is_sharded and not groups[0].is_sharded


def test_sharded_model_counts_every_shards_tensors(tmp_path: Path) -> None:
    spec = TinyModelSpec()
    single = read_header(write_tiny_model(tmp_path / "single.gguf", spec))
    (tmp_path / "split").mkdir()
    shards = write_sharded(tmp_path / "split", 3, spec)
    merged = read_model_header(shards[1])
    assert merged.metadata["split.tensors.count"] == len(merged.tensors) == len(single.tensors)
    assert [(t.name, t.shape, t.ggml_type) for t in merged.tensors] == [
        (t.name, t.shape, t.ggml_type) for t in single.tensors
    ]
    assert sorted({t.shard for t in merged.tensors}) == [0, 1, 2]
    assert merged.shards == tuple(str(p) for p in shards)
    assert merged.file_size == sum(p.stat().st_size for p in shards)
    assert merged.tensor_bytes == single.tensor_bytes
    assert read_model_header(tmp_path / "single.gguf") == single
    with pytest.raises(InvalidGGUF, match="2 were given"):
        merge_shard_headers([read_header(shards[0]), read_header(shards[1])])
    shards[2].unlink()
    with pytest.raises(IncompleteShards, match=r"missing: hearth-tiny-00003-of-00003\.gguf") as error:
        read_model_header(shards[0])
    assert error.value.missing == ("hearth-tiny-00003-of-00003.gguf",)


# --- cache -------------------------------------------------------------------------------------------------


def test_cache_round_trips_and_survives_corruption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "v.gguf"
    path.write_bytes(_vocabulary_model(2000))
    header = read_header(path)
    assert header_from_json(json.loads(json.dumps(header_to_json(header)))) == header
    cache = HeaderCache(tmp_path / "cache")
    assert cache.get("ab" * 32) is None
    cache.put("ab" * 32, header)
    assert cache.get("AB" * 32) == header
    (tmp_path / "cache" / f"{'ab' * 32}.json").write_text('{"schema": 1, "metadata": [')
    assert cache.get("ab" * 32) is None
    cache.put("ab" * 32, header)
    assert cache.get("ab" * 32) == header
    with pytest.raises(ValueError, match="cache key"):
        cache.get("../../etc/passwd")

    assert read_model_header(path, cache=cache) == header
    calls: list[Path] = []

    def counting_read(p: Path, **options: Any) -> GGUFHeader:
        calls.append(p)
        return header

    monkeypatch.setattr("hearth.core.gguf.read_header", counting_read)
    assert read_model_header(path, cache=cache) == header
    assert calls == []  # answered from the cache
    path.write_bytes(_vocabulary_model(2001))  # a changed file is read again
    read_model_header(path, cache=cache)
    assert calls == [path]


def test_header_is_a_plain_value() -> None:
    header = parse_header(_gguf([ARCH]), source="x")
    assert isinstance(header, GGUFHeader)
    assert header.architecture == "llama"
    assert header.arch_value("block_count", 7) == 7
    assert header.tensor_bytes == 0
