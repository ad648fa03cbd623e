"""Parsed GGUF headers kept on disk as JSON, keyed by the file's content hash.

Why: a remote header costs a few megabytes and a round trip or two, a local one ~60 ms for a big vocabulary;
the search page and the library ask for the same headers again and again. A file's sha256 (the Hub reports
it for LFS files) names its content for ever, so an entry never goes stale. Local files without a known
hash are keyed by path, size and modification time instead (:meth:`HeaderCache.local_key`).

A cache must never be the reason a read fails: unreadable, corrupt or outdated entries count as misses and
are overwritten, and a failed write is logged, not raised.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from hearth.core.gguf_types import ArraySummary, GGUFHeader, TensorInfo

log = logging.getLogger(__name__)

SCHEMA = 1
_KEY = re.compile(r"[A-Za-z0-9_-]{1,128}")
_SUMMARY = "__array_summary__"


def _encode_value(value: Any) -> Any:
    if isinstance(value, ArraySummary):
        return {_SUMMARY: [value.item_type, value.length]}
    if isinstance(value, list):
        return [_encode_value(v) for v in value]
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict):
        item_type, length = value[_SUMMARY]
        return ArraySummary(int(item_type), int(length))
    if isinstance(value, list):
        return [_decode_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    raise TypeError(f"unexpected {type(value).__name__} in a cached header")


def header_to_json(header: GGUFHeader) -> dict[str, Any]:
    """A JSON-ready dict; :func:`header_from_json` gives back an equal header (``extra`` is not kept)."""
    return {
        "schema": SCHEMA,
        "version": header.version,
        "metadata": {key: _encode_value(value) for key, value in header.metadata.items()},
        "tensors": [[t.name, list(t.shape), t.ggml_type, t.offset, t.n_bytes, t.shard] for t in header.tensors],
        "alignment": header.alignment,
        "data_offset": header.data_offset,
        "file_size": header.file_size,
        "source": header.source,
        "header_size": header.header_size,
        "shards": list(header.shards),
    }


def header_from_json(data: dict[str, Any]) -> GGUFHeader:
    """The header in ``data``; raises ``KeyError``/``TypeError``/``ValueError`` for anything malformed."""
    if data["schema"] != SCHEMA:
        raise ValueError(f"cache schema {data['schema']!r}, expected {SCHEMA}")
    tensors = tuple(
        TensorInfo(str(name), tuple(int(d) for d in shape), int(ggml_type), int(offset), int(n_bytes), int(shard))
        for name, shape, ggml_type, offset, n_bytes, shard in data["tensors"]
    )
    file_size = data["file_size"]
    return GGUFHeader(
        version=int(data["version"]),
        metadata={str(key): _decode_value(value) for key, value in data["metadata"].items()},
        tensors=tensors,
        alignment=int(data["alignment"]),
        data_offset=int(data["data_offset"]),
        file_size=None if file_size is None else int(file_size),
        source=str(data["source"]),
        header_size=int(data["header_size"]),
        shards=tuple(str(s) for s in data["shards"]),
    )


class HeaderCache:
    """A folder of ``{key}.json`` files, one parsed header each. Safe to share between threads and processes:
    writes go to a temporary file that is then renamed over the entry."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    @staticmethod
    def local_key(path: str | os.PathLike[str]) -> str:
        """A key for a local file whose hash is unknown: it changes when the file is replaced or modified."""
        resolved = Path(path).resolve()
        stat = resolved.stat()
        identity = f"{resolved}\0{stat.st_size}\0{stat.st_mtime_ns}"
        return "local-" + hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()

    def _path(self, key: str) -> Path:
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a usable cache key: {key!r}")
        return self.folder / f"{key.lower()}.json"

    def get(self, key: str) -> GGUFHeader | None:
        """The cached header, or ``None`` when absent or unreadable."""
        path = self._path(key)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return header_from_json(data)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as error:
            log.info("ignoring unreadable header cache entry %s: %s", path, error)
            return None

    def put(self, key: str, header: GGUFHeader) -> None:
        """Store ``header`` under ``key`` (replacing any entry); failures are logged, never raised."""
        path = self._path(key)
        text = json.dumps(header_to_json(header), separators=(",", ":"))
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=self.folder, suffix=".tmp", delete=False) as f:
                tmp = f.name
                f.write(text)
            Path(tmp).replace(path)
            tmp = None
        except OSError as error:
            log.warning("could not write header cache entry %s: %s", path, error)
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    Path(tmp).unlink()
