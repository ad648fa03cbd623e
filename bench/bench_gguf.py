"""GGUF header reads on a real model: Hearth's reader against gguf.GGUFReader, locally and over HTTP ranges."""

from __future__ import annotations

import time

import gguf

from bench.harness import Result, benchmark, median_seconds
from bench.real_models import GEMMA_SHA256, gemma3_270m
from hearth.core.gguf import read_header, read_remote_header


@benchmark("gguf_header", "Gemma 3 270M (262k-token vocabulary): header read, local and from a fake Hub")
def gguf_header() -> list[Result]:
    from hearth.testing.fake_hub import FakeFile, FakeHub

    path = gemma3_270m()
    header = read_header(path)
    ours = median_seconds(lambda: read_header(path), repeats=21, warmup=2)
    start = time.perf_counter()
    reader = gguf.GGUFReader(path)  # once: it takes seconds
    theirs = time.perf_counter() - start
    assert len(reader.tensors) == len(header.tensors)
    del reader
    with FakeHub() as hub:
        hub.add_repo("google/gemma-3-270m-GGUF", files={path.name: FakeFile(path.name, path, sha256=GEMMA_SHA256)})
        remote = read_remote_header("google/gemma-3-270m-GGUF", path.name, endpoint=hub.url)
        remote_s = median_seconds(
            lambda: read_remote_header("google/gemma-3-270m-GGUF", path.name, endpoint=hub.url), repeats=5
        )
    assert remote.header.tensors == header.tensors
    size = header.file_size or 1
    return [
        Result("read_header (local)", ours * 1000, "ms", "< 100 ms", f"{len(header.tensors)} tensors"),
        Result("gguf.GGUFReader (local)", theirs * 1000, "ms", "", f"one run; {theirs / ours:,.0f}x slower"),
        Result("header size", header.header_size / 1e6, "MB", "", f"of a {size / 1e6:,.0f} MB file"),
        Result(
            "read_remote_header bytes",
            remote.bytes_read / 1e6,
            "MB",
            "small vs file",
            f"{remote.requests} range requests, {remote.bytes_read / size:.1%} of the file",
        ),
        Result("read_remote_header (127.0.0.1)", remote_s * 1000, "ms", "", "fake Hub on loopback"),
    ]
