"""GGUF headers without reading the model: metadata and tensor infos, local or over HTTP ranges.

Written by hand on purpose: ``gguf.GGUFReader`` memory-maps the whole file and materialises every array (about
9 s for a 262k-token vocabulary) and cannot work from a partial remote prefix; Hearth needs the header only, in
milliseconds, from the first few megabytes of a file that may not be downloaded yet.

This module is the public face; the work is split over ``gguf_types`` (the values), ``gguf_parse`` (the
binary parser), ``gguf_remote`` (HTTP Range reads through ``huggingface_hub``), ``gguf_shards`` (split
models) and ``gguf_cache`` (parsed headers on disk). Local files are read with plain reads of a growing
prefix rather than ``mmap``: a file truncated while mapped would kill the process with SIGBUS.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from hearth.core.gguf_cache import HeaderCache, header_from_json, header_to_json
from hearth.core.gguf_parse import (
    DEFAULT_MAX_ARRAY_ITEMS,
    MAX_HEADER_BYTES,
    HeaderParser,
    NeedMoreData,
    parse_header,
    type_name,
)
from hearth.core.gguf_remote import HeaderReadCancelled, RemoteHeader, read_remote_header, read_remote_model_header
from hearth.core.gguf_shards import (
    IncompleteShards,
    ShardGroup,
    ShardName,
    group_shards,
    merge_shard_headers,
    parse_shard_name,
    shard_filename,
    sibling_shard_names,
)
from hearth.core.gguf_types import ArraySummary, GGUFHeader, InvalidGGUF, TensorInfo

__all__ = [
    "DEFAULT_MAX_ARRAY_ITEMS",
    "MAX_HEADER_BYTES",
    "ArraySummary",
    "GGUFHeader",
    "HeaderCache",
    "HeaderReadCancelled",
    "IncompleteShards",
    "InvalidGGUF",
    "RemoteHeader",
    "ShardGroup",
    "ShardName",
    "TensorInfo",
    "group_shards",
    "header_from_json",
    "header_to_json",
    "merge_shard_headers",
    "parse_header",
    "parse_shard_name",
    "read_header",
    "read_model_header",
    "read_remote_header",
    "read_remote_model_header",
    "shard_filename",
    "sibling_shard_names",
    "type_name",
]

LOCAL_FIRST_READ = 4 * 1024 * 1024
"""Big enough for most headers in one read (a 262k vocabulary is ~6 MB), small next to any model."""


def read_header(
    path: str | os.PathLike[str],
    *,
    max_bytes: int = MAX_HEADER_BYTES,
    max_array_items: int = DEFAULT_MAX_ARRAY_ITEMS,
) -> GGUFHeader:
    """The header of one local GGUF file (a single shard stays a single shard: see :func:`read_model_header`).

    Reads a growing prefix: 4 MiB, then as much as the parser says it needs (at least doubling), never more
    than ``max_bytes``. Raises :class:`InvalidGGUF` for anything that is not a readable GGUF v2/v3 header,
    ``OSError`` when the file cannot be opened.
    """
    path = Path(path)
    name = path.name
    with path.open("rb") as file:
        size = os.fstat(file.fileno()).st_size
        parser = HeaderParser(name, source=str(path), file_size=size, max_array_items=max_array_items)
        buf = bytearray()
        want = min(size, LOCAL_FIRST_READ, max_bytes)
        while True:
            buf += file.read(want - len(buf))
            if len(buf) < want:  # the file shrank while being read: judge what is there
                parser.file_size = len(buf)
            try:
                return parser.parse(buf)
            except NeedMoreData as more:
                if more.needed > max_bytes or len(buf) >= max_bytes:
                    raise InvalidGGUF(
                        f"{name}: the GGUF header would need at least {more.needed:,} bytes, more than the"
                        f" {max_bytes:,} Hearth reads; the file is probably damaged"
                    ) from None
                want = min(max(more.needed, 2 * len(buf)), max_bytes, size)
                if want <= len(buf):  # cannot happen with an honest file size; never loop on it
                    raise InvalidGGUF(
                        f"{name} is truncated: the header needs more than the {len(buf):,} bytes present"
                    ) from None


def _read_cached(path: Path, cache: HeaderCache | None, max_bytes: int, max_array_items: int) -> GGUFHeader:
    if cache is None:
        return read_header(path, max_bytes=max_bytes, max_array_items=max_array_items)
    key = HeaderCache.local_key(path)
    header = cache.get(key)
    if header is None:
        header = read_header(path, max_bytes=max_bytes, max_array_items=max_array_items)
        cache.put(key, header)
    return dataclasses.replace(header, source=str(path))  # the same file, maybe named by another relative path


def read_model_header(
    path: str | os.PathLike[str],
    *,
    cache: HeaderCache | None = None,
    max_bytes: int = MAX_HEADER_BYTES,
    max_array_items: int = DEFAULT_MAX_ARRAY_ITEMS,
) -> GGUFHeader:
    """The header of the model ``path`` belongs to: the file itself, or for any shard of a split model every
    shard in the same folder, merged (:func:`merge_shard_headers`).

    Raises :class:`IncompleteShards` (an :class:`InvalidGGUF`) naming the shards that are missing. With a
    ``cache``, files already parsed and unchanged since (same size and modification time) are not read again.
    """
    path = Path(path)
    paths = [path.with_name(name) for name in sibling_shard_names(path.name)]
    missing = [p.name for p in paths if not p.is_file()]
    if missing and len(paths) > 1:
        raise IncompleteShards(
            f"{path.name} is part of a model split into {len(paths)} files; missing: {', '.join(missing)}", missing
        )
    headers = [_read_cached(p, cache, max_bytes, max_array_items) for p in paths]
    return headers[0] if len(headers) == 1 else merge_shard_headers(headers)
