"""The values a GGUF header reader hands out: header, tensor infos, array summaries and the error it raises.

Kept apart from the parser so that the cache (JSON), the shard merger and the remote reader can share them
without importing each other; :mod:`hearth.core.gguf` re-exports everything here as the public API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class InvalidGGUF(ValueError):
    """The data is not a GGUF file Hearth can read; the message says what is wrong in plain words."""


@dataclass(frozen=True)
class ArraySummary:
    """A metadata array too large to materialise (e.g. the token list): its element type and length only.

    ``item_type`` is a ``gguf.GGUFValueType`` value (8 = string). The bytes were skipped, not read into
    Python objects, which is what makes a 262k-token vocabulary cost milliseconds instead of seconds.
    """

    item_type: int
    length: int


@dataclass(frozen=True)
class TensorInfo:
    """One tensor as the header describes it; the weights themselves are never read."""

    name: str
    shape: tuple[int, ...]  # GGUF order: the fastest-varying dimension first (ne[0], ne[1], ...)
    ggml_type: int  # gguf.GGMLQuantizationType value
    offset: int  # relative to the start of the data section of its file
    n_bytes: int  # computed from shape and type block size
    shard: int = 0  # index of the file holding it, for models split into shards (0 for single files)


@dataclass(frozen=True)
class GGUFHeader:
    """Everything Hearth needs from a GGUF header; ``metadata`` values are Python scalars, small lists, or
    ArraySummary for large arrays.

    For a model split into shards (see :func:`hearth.core.gguf.merge_shard_headers`) ``metadata`` comes from
    the first shard, ``tensors`` from all of them, ``file_size`` is their total and ``shards`` lists the
    sources in order.
    """

    version: int
    metadata: Mapping[str, Any]
    tensors: tuple[TensorInfo, ...]
    alignment: int
    data_offset: int  # absolute offset of the tensor data section
    file_size: int | None = None  # when known (local files, Content-Range of remote ones)
    source: str = ""  # path or URL, for messages
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    header_size: int = 0  # bytes up to the end of the tensor infos: what a reader must fetch, at least
    shards: tuple[str, ...] = ()  # sources of every shard, in order; empty for a single file

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    def arch_value(self, key: str, default: Any = None) -> Any:
        """``{arch}.{key}``, e.g. ``arch_value("block_count")``."""
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def tensor_bytes(self) -> int:
        return sum(t.n_bytes for t in self.tensors)
