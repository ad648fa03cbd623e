"""GGUF headers of files on the Hugging Face Hub, read with HTTP Range requests: megabytes, not gigabytes.

Why through ``huggingface_hub``: its URL builder, session and headers carry the user's token, ``HF_ENDPOINT``
mirrors, proxies and offline mode, and its ``hf_raise_for_status`` turns 401/403/404 into the typed errors
(``GatedRepoError``, ``RepositoryNotFoundError``, ``RemoteEntryNotFoundError``) the UI already explains.

How: fetch the first 2 MiB, parse, and when the parser needs more, fetch the next range (at least doubling)
until the tensor infos are parsed, never past ``max_bytes`` (the network side is :mod:`gguf_ranges`).
``huggingface_hub`` is imported on first use only: the header parser must not slow Hearth's start-up.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hearth.core.gguf_cache import HeaderCache
from hearth.core.gguf_parse import DEFAULT_MAX_ARRAY_ITEMS, MAX_HEADER_BYTES, HeaderParser
from hearth.core.gguf_ranges import HeaderReadCancelled, RangeReader
from hearth.core.gguf_shards import merge_shard_headers, sibling_shard_names
from hearth.core.gguf_types import GGUFHeader

__all__ = ["FIRST_CHUNK", "HeaderReadCancelled", "RemoteHeader", "read_remote_header", "read_remote_model_header"]

FIRST_CHUNK = 2 * 1024 * 1024
_LATER_SHARD_CHUNK = 256 * 1024  # shards after the first hold tensor infos, rarely much metadata
_SHA256 = re.compile(r"[0-9a-f]{64}")
_CACHE_KEY = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class RemoteHeader:
    """A header read from the Hub, with what it cost: ``bytes_read`` body bytes over ``requests`` requests."""

    header: GGUFHeader
    url: str
    bytes_read: int
    requests: int
    file_size: int | None
    etag: str | None = None
    sha256: str | None = None  # the LFS content hash, when the Hub said it
    commit: str | None = None
    from_cache: bool = False


def read_remote_header(
    repo_id: str,
    filename: str,
    *,
    revision: str | None = "main",
    token: str | bool | None = None,
    endpoint: str | None = None,
    repo_type: str | None = None,
    max_bytes: int = MAX_HEADER_BYTES,
    first_chunk: int = FIRST_CHUNK,
    cancel: threading.Event | None = None,
    cache: HeaderCache | None = None,
    sha256: str | None = None,
    timeout: float = 30.0,
    deadline: float = 300.0,
    max_array_items: int = DEFAULT_MAX_ARRAY_ITEMS,
) -> RemoteHeader:
    """Read the GGUF header of ``filename`` in a Hub repo without downloading the file.

    ``token`` follows ``huggingface_hub`` (``None``: the saved token or ``HF_TOKEN``; ``False``: none).
    With a ``cache``, a known ``sha256`` (e.g. from ``model_info(files_metadata=True)``) answers without any
    request; otherwise one HEAD request learns the hash first. ``timeout`` bounds each network wait,
    ``deadline`` the whole read. Raises :class:`InvalidGGUF` (not GGUF, damaged, header over ``max_bytes``),
    ``huggingface_hub`` errors (gated, not found, offline), ``httpx2`` network errors, ``TimeoutError`` and
    :class:`HeaderReadCancelled`.
    """
    from huggingface_hub import get_hf_file_metadata, hf_hub_url
    from huggingface_hub.utils import build_hf_headers

    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=endpoint, repo_type=repo_type)
    name = f"{repo_id}/{filename}"
    if cancel is not None and cancel.is_set():
        raise HeaderReadCancelled(f"reading the header of {name} was cancelled")
    requests, etag, commit, size = 0, None, None, None
    key = sha256.lower() if sha256 else None
    if cache is not None:
        if key is None:
            meta = get_hf_file_metadata(url, token=token, timeout=timeout, endpoint=endpoint)
            requests += 1
            etag, commit, size = meta.etag, meta.commit_hash, meta.size
            key = etag.lower() if etag and _CACHE_KEY.fullmatch(etag.lower()) else None
        cached = cache.get(key) if key is not None else None
        if cached is not None:  # the same bytes may live in several repos: name this one
            known = key if key is not None and _SHA256.fullmatch(key) else None
            cached = dataclasses.replace(cached, source=url)
            return RemoteHeader(cached, url, 0, requests, cached.file_size, etag, known, commit, from_cache=True)
    headers = build_hf_headers(token=token)
    headers["Accept-Encoding"] = "identity"  # count real bytes; no decompression bombs
    parser = HeaderParser(name, source=url, file_size=size, max_array_items=max_array_items)
    reader = RangeReader(url, headers, parser, max_bytes=max_bytes, cancel=cancel, timeout=timeout, deadline=deadline)
    header = reader.read(first_chunk)
    found = [h for h in (sha256, reader.linked_etag, etag, reader.etag) if h]
    sha = next((h.lower() for h in found if _SHA256.fullmatch(h.lower())), None)
    if cache is not None:
        store = key or next((h.lower() for h in found if _CACHE_KEY.fullmatch(h.lower())), None)
        if store is not None:
            cache.put(store, header)
    return RemoteHeader(
        header,
        url,
        reader.bytes_read,
        requests + reader.requests,
        header.file_size,
        reader.linked_etag or etag or reader.etag,
        sha,
        reader.commit or commit,
    )


def read_remote_model_header(
    repo_id: str,
    filename: str,
    *,
    sha256s: Mapping[str, str] | None = None,
    first_chunk: int = FIRST_CHUNK,
    **options: Any,
) -> RemoteHeader:
    """Like :func:`read_remote_header`, but for a shard (any of ``name-0000i-of-0000N.gguf``) read every shard
    of the set and merge them; ``sha256s`` maps file names to known hashes for the cache."""
    names = sibling_shard_names(filename)
    hashes = sha256s or {}
    parts = [
        read_remote_header(
            repo_id,
            name,
            sha256=hashes.get(name),
            first_chunk=first_chunk if i == 0 else min(first_chunk, _LATER_SHARD_CHUNK),
            **options,
        )
        for i, name in enumerate(names)
    ]
    if len(parts) == 1:
        return parts[0]
    merged = merge_shard_headers([p.header for p in parts])
    first = parts[0]
    return RemoteHeader(
        merged,
        first.url,
        sum(p.bytes_read for p in parts),
        sum(p.requests for p in parts),
        merged.file_size,
        first.etag,
        first.sha256,
        first.commit,
        from_cache=all(p.from_cache for p in parts),
    )
