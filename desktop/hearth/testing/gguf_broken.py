"""Deliberately broken GGUF files, for tests that loaders fail cleanly.

Why: downloads get cut off, files get renamed, and hostile files claim absurd
sizes. Each kind here is made by writing a valid tiny model and patching a few
bytes, so the damage is deterministic and everything else stays plausible.

The GGUF v3 layout relied on (all little-endian)::

    header   magic b"GGUF" | version u32 (=3) | n_tensors u64 | n_kv u64
    n_kv ×   key: string | value type u32 | value
    n_tensors × name: string | n_dims u32 | dims u64 × n_dims | ggml type u32 | offset u64
    padding to general.alignment (32), then the tensor data section

A string is a u64 byte length then UTF-8 bytes; an array value is an item type
u32, an item count u64, then the items. Tensor offsets are relative to the data
section, and llama.cpp requires them to be contiguous in order.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass
from pathlib import Path

from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model

# GGUF value type -> size in bytes for fixed-size scalars (8 = string, 9 = array).
_SCALAR_SIZES = {0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8}
_STRING, _ARRAY = 8, 9
ABSURD_COUNT = 2**62


class BrokenKind(enum.Enum):
    """The ways a GGUF file can be wrong that Hearth must survive."""

    TRUNCATED = "truncated"
    """Header intact, tensor data cut off half-way (an interrupted download)."""
    WRONG_MAGIC = "wrong_magic"
    """First four bytes are ``GGJT`` (an old pre-GGUF llama.cpp format), not ``GGUF``."""
    ABSURD_ARRAY_LENGTH = "absurd_array_length"
    """``tokenizer.ggml.tokens`` claims 2**62 items: a reader must not allocate that."""
    TENSOR_OFFSET_PAST_END = "tensor_offset_past_end"
    """The last tensor's data offset points beyond the end of the file."""


@dataclass(frozen=True)
class GGUFLayout:
    """Byte positions inside a GGUF file, found by walking its header."""

    array_counts: dict[str, int]
    """Array key -> file offset of its u64 item count."""
    tensor_offsets: list[int]
    """File offset of each tensor-info's u64 data offset, in file order."""
    data_start: int
    """File offset where tensor data begins."""


class _Cursor:
    """Reads little-endian values from a byte buffer, remembering the position."""

    def __init__(self, data: bytes) -> None:
        self.data, self.pos = data, 0

    def unpack(self, fmt: str) -> int:
        (value,) = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return int(value)

    def string(self) -> str:
        length = self.unpack("Q")
        self.pos += length
        return self.data[self.pos - length : self.pos].decode("utf-8")

    def skip_value(self, vtype: int) -> None:
        if vtype == _STRING:
            self.string()
        elif vtype == _ARRAY:
            item_type, count = self.unpack("I"), self.unpack("Q")
            for _ in range(count):
                self.skip_value(item_type)
        else:
            self.pos += _SCALAR_SIZES[vtype]


def read_layout(data: bytes, alignment: int = 32) -> GGUFLayout:
    """Walk a *valid* GGUF v3 header and note where the patchable fields sit."""
    cur = _Cursor(data)
    if data[:4] != b"GGUF" or cur.unpack("4x I") != 3:
        raise ValueError("not a GGUF v3 file")
    n_tensors, n_kv = cur.unpack("Q"), cur.unpack("Q")
    array_counts = {}
    for _ in range(n_kv):
        key, vtype = cur.string(), cur.unpack("I")
        if vtype == _ARRAY:
            array_counts[key] = cur.pos + 4
        cur.skip_value(vtype)
    tensor_offsets = []
    for _ in range(n_tensors):
        cur.string()
        n_dims = cur.unpack("I")  # not inlined: `pos +=` would read pos before unpack moves it
        cur.pos += 8 * n_dims + 4
        tensor_offsets.append(cur.pos)
        cur.pos += 8
    data_start = -(-cur.pos // alignment) * alignment
    return GGUFLayout(array_counts, tensor_offsets, data_start)


def _patch(data: bytearray, kind: BrokenKind) -> bytes:
    layout = read_layout(bytes(data))
    if kind is BrokenKind.TRUNCATED:
        return bytes(data[: layout.data_start + (len(data) - layout.data_start) // 2])
    if kind is BrokenKind.WRONG_MAGIC:
        data[:4] = b"GGJT"
    elif kind is BrokenKind.ABSURD_ARRAY_LENGTH:
        struct.pack_into("<Q", data, layout.array_counts["tokenizer.ggml.tokens"], ABSURD_COUNT)
    elif kind is BrokenKind.TENSOR_OFFSET_PAST_END:
        struct.pack_into("<Q", data, layout.tensor_offsets[-1], 2 * len(data) // 32 * 32)
    return bytes(data)


def write_broken(path: Path | str, kind: BrokenKind, spec: TinyModelSpec | None = None) -> Path:
    """Write a tiny model to ``path``, then damage it in the way ``kind`` names."""
    path = write_tiny_model(path, spec)
    path.write_bytes(_patch(bytearray(path.read_bytes()), kind))
    return path
