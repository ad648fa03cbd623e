"""The GGUF v2/v3 header parser: a prefix of the file in, a :class:`GGUFHeader` (or "need more bytes") out.

Why incremental: a remote reader only has the first few megabytes of a file and must know how many more to
fetch. :class:`HeaderParser` raises :class:`NeedMoreData` with a lower bound of the bytes it needs when the
buffer ends early; called again with a longer buffer it resumes from the last complete key/value or tensor
info instead of starting over, so growing chunks cost little extra.

Why so defensive: the file may be hostile. Every count and length is checked against the bytes that could
exist *before* anything is allocated or looped over (a 2**62-item array is rejected at once, not walked),
so time and memory stay proportional to the bytes actually present.
"""

from __future__ import annotations

import functools
import struct
from typing import Any

from hearth.core.gguf_types import ArraySummary, GGUFHeader, InvalidGGUF, TensorInfo

MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
GGML_MAX_DIMS = 4
DEFAULT_ALIGNMENT = 32
MAX_TENSORS = 1 << 20
MAX_KV = 1 << 20
MAX_KEY_BYTES = 65_535
MAX_NESTING = 3
DEFAULT_MAX_ARRAY_ITEMS = 1024
MAX_HEADER_BYTES = 64 * 1024 * 1024  # real headers are < 20 MB (a 256k vocabulary with merges)
_INT64_MAX = (1 << 63) - 1

_STRING, _ARRAY = 8, 9
# GGUFValueType -> struct format of one scalar; 8 (string) and 9 (array) are variable-sized.
_SCALAR_FORMATS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}
_SCALAR_SIZES = {t: struct.calcsize("<" + f) for t, f in _SCALAR_FORMATS.items()}
# Smallest encoding of one item of each type: what an honest count must leave room for.
_MIN_ITEM_SIZES = {**_SCALAR_SIZES, _STRING: 8, _ARRAY: 12}
_MIN_KV_SIZE = 8 + 4 + 1  # empty key, value type, one-byte value
_MIN_TENSOR_INFO_SIZE = 8 + 4 + 4 + 8  # empty name, n_dims = 0, ggml type, offset

_U32 = struct.Struct("<I").unpack_from
_U64 = struct.Struct("<Q").unpack_from


class NeedMoreData(Exception):
    """The buffer ended before the header did; ``needed`` is a lower bound of the total bytes required."""

    def __init__(self, needed: int) -> None:
        super().__init__(f"need at least {needed:,} bytes")
        self.needed = needed


@functools.cache
def quant_sizes() -> dict[int, tuple[int, int]]:
    """ggml type -> (block size, bytes per block), from the ``gguf`` package, the reference for new types.

    Imported on first use: ``gguf`` pulls in numpy (~100 ms), which Hearth's start-up should not pay.
    """
    from gguf import GGML_QUANT_SIZES

    return {int(t): sizes for t, sizes in GGML_QUANT_SIZES.items()}


def type_name(ggml_type: int) -> str:
    """``Q4_K`` for 12, or the number for a type this gguf package does not know."""
    from gguf import GGMLQuantizationType

    try:
        return GGMLQuantizationType(ggml_type).name
    except ValueError:
        return str(ggml_type)


class HeaderParser:
    """Parses one GGUF header from a growing buffer; see the module docstring.

    ``name`` is used in error messages (a file name, ``repo/file.gguf``); ``file_size``, when known, turns
    "need more bytes" past the end of the file into :class:`InvalidGGUF` and lets tensor offsets be checked.
    Arrays of at most ``max_array_items`` items are materialised as lists, longer ones summarised.
    """

    def __init__(
        self,
        name: str,
        *,
        source: str = "",
        file_size: int | None = None,
        max_array_items: int = DEFAULT_MAX_ARRAY_ITEMS,
    ) -> None:
        self.name = name
        self.source = source or name
        self.file_size = file_size
        self.max_array_items = max_array_items
        self._buf: bytes | bytearray = b""
        self._cur = 0  # cursor while parsing
        self._done = 0  # the cursor after the last complete item: where a retry resumes
        self._version = 0
        self._n_tensors = -1
        self._n_kv = -1
        self._metadata: dict[str, Any] = {}
        self._tensors: list[TensorInfo] = []
        self._tensor_names: set[str] = set()
        # (key, item count, items left, byte position) of a top-level string array the buffer ended in
        self._partial: tuple[str, int, int, int] | None = None
        self._quant_sizes = quant_sizes()

    # --- entry point ---------------------------------------------------------------------------------------

    def parse(self, buf: bytes | bytearray) -> GGUFHeader:
        """The header, from a buffer holding the file's first ``len(buf)`` bytes (longer than on any previous
        call). Raises :class:`NeedMoreData` or :class:`InvalidGGUF`."""
        self._buf = buf
        self._cur = self._done
        if self._n_kv < 0:
            self._preamble()
            self._done = self._cur
        while len(self._metadata) < self._n_kv:
            if self._partial is not None:  # resume inside a big string array instead of walking it again
                key, count, remaining, self._cur = self._partial
                self._skip_strings(remaining, key, count)
                value: Any = ArraySummary(_STRING, count)
            else:
                key = self._string("a metadata key", MAX_KEY_BYTES)
                value_type = self._u32(f"the type of {key!r}")
                value = self._value(value_type, key, 0)
            if key in self._metadata:
                raise self._invalid(f"the metadata key {key!r} appears twice")
            self._metadata[key] = value
            self._done = self._cur
        while len(self._tensors) < self._n_tensors:
            self._tensors.append(self._tensor_info())
            self._done = self._cur
        return self._finish()

    # --- errors ------------------------------------------------------------------------------------------

    def _invalid(self, what: str) -> InvalidGGUF:
        return InvalidGGUF(f"{self.name} is not a valid GGUF file: {what}")

    def _need(self, n: int, what: str) -> None:
        """Make sure ``n`` bytes follow the cursor, or say why not (more data, or more than the file holds)."""
        end = self._cur + n
        if end <= len(self._buf):
            return
        size = self.file_size
        if size is not None and end > size:
            if n > size:
                raise self._invalid(f"{what} at byte {self._cur:,} would need {n:,} bytes, more than the whole file")
            raise InvalidGGUF(
                f"{self.name} is truncated: the header needs more than the {size:,} bytes present"
                f" (reading {what} at byte {self._cur:,})"
            )
        raise NeedMoreData(end)

    # --- primitives ----------------------------------------------------------------------------------------

    def _u32(self, what: str) -> int:
        self._need(4, what)
        (value,) = _U32(self._buf, self._cur)
        self._cur += 4
        return int(value)

    def _u64(self, what: str) -> int:
        self._need(8, what)
        (value,) = _U64(self._buf, self._cur)
        self._cur += 8
        return int(value)

    def _string(self, what: str, max_bytes: int | None = None) -> str:
        start = self._cur
        length = self._u64(what)
        if max_bytes is not None and length > max_bytes:
            raise self._invalid(f"{what} at byte {start:,} claims {length:,} bytes (at most {max_bytes:,} allowed)")
        self._need(length, what)
        text = self._buf[self._cur : self._cur + length].decode("utf-8", "replace")
        self._cur += length
        return text

    # --- header parts ----------------------------------------------------------------------------------

    def _preamble(self) -> None:
        if self.file_size is not None and self.file_size < 4 and len(self._buf) >= self.file_size:
            raise InvalidGGUF(
                f"{self.name} is truncated: the header needs more than the {self.file_size:,} bytes present"
            )
        self._need(4, "the magic number")
        magic = bytes(self._buf[:4])
        if magic != MAGIC:
            raise InvalidGGUF(f"{self.name} is not a GGUF file (it starts with {magic!r}){_magic_hint(self._buf)}")
        self._cur = 4
        version = self._u32("the version")
        if version not in SUPPORTED_VERSIONS:
            swapped = int.from_bytes(version.to_bytes(4, "little"), "big")
            if swapped in SUPPORTED_VERSIONS:
                raise InvalidGGUF(f"{self.name} is a big-endian GGUF file, which Hearth does not support")
            if version == 1:
                raise InvalidGGUF(f"{self.name} is a GGUF version 1 file: too old, convert it again with llama.cpp")
            raise InvalidGGUF(f"{self.name} has GGUF version {version:,}; Hearth reads versions 2 and 3")
        n_tensors = self._u64("the tensor count")
        n_kv = self._u64("the metadata count")
        if n_tensors > MAX_TENSORS:
            raise self._invalid(f"it claims {n_tensors:,} tensors (at most {MAX_TENSORS:,} allowed)")
        if n_kv > MAX_KV:
            raise self._invalid(f"it claims {n_kv:,} metadata entries (at most {MAX_KV:,} allowed)")
        self._need(n_kv * _MIN_KV_SIZE + n_tensors * _MIN_TENSOR_INFO_SIZE, "the metadata and tensor infos")
        self._version, self._n_tensors, self._n_kv = version, n_tensors, n_kv

    def _value(self, value_type: int, key: str, depth: int) -> Any:
        fmt = _SCALAR_FORMATS.get(value_type)
        if fmt is not None:
            size = _SCALAR_SIZES[value_type]
            self._need(size, f"the value of {key!r}")
            (value,) = struct.unpack_from("<" + fmt, self._buf, self._cur)
            self._cur += size
            return value
        if value_type == _STRING:
            return self._string(f"the value of {key!r}")
        if value_type == _ARRAY:
            return self._array(key, depth)
        raise self._invalid(f"{key!r} has unknown value type {value_type}")

    def _array(self, key: str, depth: int) -> Any:
        if depth >= MAX_NESTING:
            raise self._invalid(f"{key!r} nests arrays more than {MAX_NESTING} deep")
        item_type = self._u32(f"the item type of {key!r}")
        count = self._u64(f"the length of {key!r}")
        min_size = _MIN_ITEM_SIZES.get(item_type)
        if min_size is None:
            raise self._invalid(f"the array {key!r} has unknown item type {item_type}")
        self._need(count * min_size, f"the {count:,} items of {key!r}")
        fmt = _SCALAR_FORMATS.get(item_type)
        if count <= self.max_array_items:
            if fmt is not None:
                values = list(struct.unpack_from(f"<{count}{fmt}", self._buf, self._cur))
                self._cur += count * min_size
                return values
            return [self._value(item_type, key, depth + 1) for _ in range(count)]
        if fmt is not None:
            self._cur += count * min_size
        elif item_type == _STRING:
            self._skip_strings(count, key, count if depth == 0 else None)
        else:
            for _ in range(count):
                self._value(item_type, key, depth + 1)  # nested arrays are rare and small: no fast path
        return ArraySummary(item_type, count)

    def _skip_strings(self, count: int, key: str, resume_total: int | None = None) -> None:
        """Walk ``count`` length-prefixed strings without decoding them: the hot loop for token lists.

        With ``resume_total`` (the array's full length; top-level arrays only) running out of data records
        where the walk stopped, so the next :meth:`parse` continues there rather than at the array's start.
        """
        buf, pos, unpack = self._buf, self._cur, _U64
        done = 0
        try:
            for done in range(count):  # noqa: B007 - read after the loop when it stops early
                pos += 8 + unpack(buf, pos)[0]
            done = count
        except (struct.error, OverflowError):  # the buffer ended inside the array (or a length was absurd)
            pass
        if done == count and pos <= len(buf):
            self._cur = pos
            self._partial = None
            return
        remaining = count - done  # the strings from `pos` on; 0 when only the last one's bytes are missing
        self._cur = pos
        if resume_total is not None:
            self._partial = (key, resume_total, remaining, pos)
        self._need(8 * remaining, f"the strings of {key!r}")
        raise self._invalid(f"the strings of {key!r} run past the end of the data")

    def _tensor_info(self) -> TensorInfo:
        name = self._string("a tensor name", MAX_KEY_BYTES)
        n_dims = self._u32(f"the dimension count of tensor {name!r}")
        if n_dims > GGML_MAX_DIMS:
            raise self._invalid(f"tensor {name!r} has {n_dims:,} dimensions (at most {GGML_MAX_DIMS})")
        self._need(8 * n_dims, f"the shape of tensor {name!r}")
        shape = struct.unpack_from(f"<{n_dims}Q", self._buf, self._cur)
        self._cur += 8 * n_dims
        ggml_type = self._u32(f"the type of tensor {name!r}")
        offset = self._u64(f"the offset of tensor {name!r}")
        if name in self._tensor_names:
            raise self._invalid(f"the tensor {name!r} appears twice")
        self._tensor_names.add(name)
        return TensorInfo(name, shape, ggml_type, offset, self._tensor_bytes(name, shape, ggml_type))

    def _tensor_bytes(self, name: str, shape: tuple[int, ...], ggml_type: int) -> int:
        sizes = self._quant_sizes.get(ggml_type)
        if sizes is None:
            raise self._invalid(f"tensor {name!r} has unknown ggml type {ggml_type}")
        block_size, type_size = sizes
        elements = 1
        for dim in shape:
            elements *= dim
        if elements > _INT64_MAX:
            raise self._invalid(f"tensor {name!r} has an absurd shape {list(shape)}")
        if shape and shape[0] % block_size:
            raise self._invalid(
                f"tensor {name!r} has rows of {shape[0]:,} values, not a multiple of the"
                f" {type_name(ggml_type)} block size {block_size}"
            )
        return elements // block_size * type_size

    def _finish(self) -> GGUFHeader:
        alignment = self._metadata.get("general.alignment", DEFAULT_ALIGNMENT)
        if (
            isinstance(alignment, bool)
            or not isinstance(alignment, int)
            or alignment <= 0
            or alignment & (alignment - 1)
        ):
            raise self._invalid(f"general.alignment is {alignment!r}, not a power of two")
        header_size = self._cur
        data_offset = -(-header_size // alignment) * alignment
        for tensor in self._tensors:
            if tensor.offset % alignment:
                raise self._invalid(
                    f"tensor {tensor.name!r} starts at {tensor.offset:,}, not a multiple of {alignment}"
                )
            end = data_offset + tensor.offset + tensor.n_bytes
            if self.file_size is not None and end > self.file_size:
                raise InvalidGGUF(
                    f"{self.name} is truncated or damaged: tensor {tensor.name!r} ends at byte {end:,},"
                    f" past the end of the {self.file_size:,}-byte file"
                )
        return GGUFHeader(
            version=self._version,
            metadata=self._metadata,
            tensors=tuple(self._tensors),
            alignment=alignment,
            data_offset=data_offset,
            file_size=self.file_size,
            source=self.source,
            header_size=header_size,
        )


def _magic_hint(buf: bytes | bytearray) -> str:
    """A guess at what the file is instead, for the few mix-ups users really meet."""
    head = bytes(buf[:64]).lstrip()
    if head.startswith(b"version https://git-lfs"):
        return ": it is a Git LFS pointer, not the model itself"
    if head[:1] == b"<":
        return ": it looks like a web page, not a model"
    if head[:4] in (b"tjgg", b"GGJT", b"lmgg", b"fmgg"):
        return ": it is an old GGML-era model, which llama.cpp no longer loads"
    return ""


def parse_header(
    data: bytes | bytearray,
    *,
    name: str = "the data",
    source: str = "",
    file_size: int | None = None,
    max_array_items: int = DEFAULT_MAX_ARRAY_ITEMS,
) -> GGUFHeader:
    """Parse a buffer that holds a whole file, or a prefix with ``file_size`` saying how long the file is."""
    size = len(data) if file_size is None else file_size
    parser = HeaderParser(name, source=source, file_size=size, max_array_items=max_array_items)
    try:
        return parser.parse(data)
    except NeedMoreData as more:
        raise InvalidGGUF(
            f"{name} is truncated: the header needs more than the {len(data):,} bytes present"
            f" (at least {more.needed:,})"
        ) from None
