"""Remote GGUF headers through the real huggingface_hub client against the fake Hub: a prefix, never the file."""

from __future__ import annotations

import dataclasses
import itertools
import struct
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from huggingface_hub.errors import GatedRepoError, RemoteEntryNotFoundError, RepositoryNotFoundError

from hearth.core.gguf import (
    HeaderCache,
    HeaderReadCancelled,
    InvalidGGUF,
    read_header,
    read_remote_header,
    read_remote_model_header,
)
from hearth.testing.fake_hub import FakeFile, FakeHub, only_local_connections
from hearth.testing.gguf_factory import write_sharded, write_tiny_model

REPO = "org/tiny-GGUF"
GIB = 1024**3
FAKE_SHA = "5" * 64


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with only_local_connections(), FakeHub(tokens={"hf_good"}) as fake:
        yield fake
    assert not fake.errors


@pytest.fixture
def big_model(tmp_path: Path) -> Path:
    """A tiny model made 1 GiB long with a sparse tail: reading it whole would show at once."""
    path = write_tiny_model(tmp_path / "big.gguf")
    with path.open("r+b") as file:
        file.truncate(GIB)
    return path


def _same_header(remote_path: Path, remote: object) -> None:
    local = read_header(remote_path)
    assert dataclasses.replace(remote, source=local.source) == local  # type: ignore[type-var]


def _sent(hub: FakeHub, pattern: str = "*.gguf") -> int:
    hub.wait_idle()
    return sum(r.bytes_sent for r in hub.requests_to(pattern))


def test_reads_only_a_prefix_of_a_big_file(hub: FakeHub, big_model: Path) -> None:
    hub.add_repo(REPO, files={"big.gguf": FakeFile("big.gguf", big_model, sha256=FAKE_SHA)})
    result = read_remote_header(REPO, "big.gguf", endpoint=hub.url)
    _same_header(big_model, result.header)
    assert result.file_size == result.header.file_size == GIB
    assert result.header.source == hub.file_url(REPO, "big.gguf")
    assert result.requests == 1
    assert result.bytes_read == 2 * 1024 * 1024 == _sent(hub)  # the first chunk, 0.2% of the file
    assert result.sha256 == FAKE_SHA
    assert result.commit == hub.repo(REPO).sha
    [request] = hub.requests_to("*/big.gguf")
    assert request.header("range") == "bytes=0-2097151"


def test_small_first_chunk_grows_until_the_tensor_infos(hub: FakeHub, big_model: Path) -> None:
    hub.add_repo(REPO, files={"big.gguf": FakeFile("big.gguf", big_model, sha256=FAKE_SHA)})
    result = read_remote_header(REPO, "big.gguf", endpoint=hub.url, first_chunk=1000)
    _same_header(big_model, result.header)
    ranges = [r.header("range") for r in hub.requests_to("*/big.gguf")]
    spans = [tuple(int(x) for x in r.removeprefix("bytes=").split("-")) for r in ranges if r]
    assert spans[0] == (0, 999)
    for (_, previous_end), (start, end) in itertools.pairwise(spans):
        assert start == previous_end + 1 and end + 1 >= 2 * start  # contiguous, at least doubling
    assert len(ranges) == result.requests > 2
    assert result.bytes_read < 4 * result.header.header_size


def test_gated_repo_needs_a_token(hub: FakeHub, tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "m.gguf")
    hub.add_repo(REPO, files={"m.gguf": model}, gated="auto")
    with pytest.raises(GatedRepoError):
        read_remote_header(REPO, "m.gguf", endpoint=hub.url)
    result = read_remote_header(REPO, "m.gguf", endpoint=hub.url, token="hf_good")
    _same_header(model, result.header)
    assert hub.requests_to("*/m.gguf")[-1].header("authorization") == "Bearer hf_good"
    with pytest.raises(RepositoryNotFoundError):
        read_remote_header("org/missing", "m.gguf", endpoint=hub.url)
    with pytest.raises(RemoteEntryNotFoundError):
        read_remote_header(REPO, "other.gguf", endpoint=hub.url, token="hf_good")


def test_cdn_redirect_keeps_the_range_and_drops_the_token(tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "m.gguf")
    with only_local_connections(), FakeHub(tokens={"hf_good"}, lfs_redirect=True) as hub:
        hub.add_repo(REPO, files={"m.gguf": model})
        result = read_remote_header(REPO, "m.gguf", endpoint=hub.url, token="hf_good")
        cdn = [r for r in hub.requests if r.origin == "cdn"]
    assert not hub.errors
    _same_header(model, result.header)
    assert result.sha256 == hub.repo(REPO).files["m.gguf"].content_sha256()
    assert [r.header("range") for r in cdn] == ["bytes=0-2097151"]
    assert cdn[0].header("authorization") is None


def test_garbage_is_refused_after_the_first_chunk(hub: FakeHub) -> None:
    garbage = bytes(range(256)) * (12 * 4096)  # 12 MiB of not-GGUF
    hub.add_repo(REPO, files={"x.gguf": garbage})
    with pytest.raises(InvalidGGUF, match=r"org/tiny-GGUF/x\.gguf is not a GGUF file"):
        read_remote_header(REPO, "x.gguf", endpoint=hub.url)
    assert _sent(hub) <= 2 * 1024 * 1024


ITEM = struct.pack("<Q", 1) + b"a"  # one 1-byte string: 9 bytes


def _endless_header(count: int) -> bytes:
    """The start of a GGUF whose token list claims ``count`` strings: with 9-byte strings it ends only after
    9 x count bytes, although 8 x count (the least an honest count needs) looks acceptable."""
    head = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    return head + struct.pack("<Q", 21) + b"tokenizer.ggml.tokens" + struct.pack("<IIQ", 9, 8, count)


def test_a_header_that_never_ends_stops_at_the_cap(hub: FakeHub) -> None:
    cap = 4 * 1024 * 1024
    content = _endless_header(500_000) + ITEM * 600_000  # needs > 4.5 MB; 8 bytes per item would fit the cap
    hub.add_repo(REPO, files={"e.gguf": FakeFile("e.gguf", content, sha256=FAKE_SHA)})
    with pytest.raises(InvalidGGUF, match=r"more than the 4,194,304 Hearth reads"):
        read_remote_header(REPO, "e.gguf", endpoint=hub.url, max_bytes=cap, first_chunk=1024 * 1024)
    assert _sent(hub) <= cap  # less, in fact: once even the least the count needs passes the cap, it stops


def test_absurd_claims_are_refused_without_fetching_more(hub: FakeHub) -> None:
    content = _endless_header(100_000_000) + ITEM * 300_000
    hub.add_repo(REPO, files={"e.gguf": content})
    with pytest.raises(InvalidGGUF, match=r"the 100,000,000 items of 'tokenizer\.ggml\.tokens'"):
        read_remote_header(REPO, "e.gguf", endpoint=hub.url, first_chunk=65536)
    assert len(hub.requests_to("*/e.gguf")) == 1


def test_dropped_connection_resumes_where_it_stopped(hub: FakeHub, tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "m.gguf")
    hub.add_repo(REPO, files={"m.gguf": model})
    hub.drop_connection("*/m.gguf", after_bytes=5000)
    result = read_remote_header(REPO, "m.gguf", endpoint=hub.url)
    _same_header(model, result.header)
    ranges = [r.header("range") for r in hub.requests_to("*/m.gguf")]
    assert ranges[0] == "bytes=0-2097151"
    assert str(ranges[1]).startswith("bytes=5000-")  # the 5000 bytes received are kept
    assert result.bytes_read < 2 * model.stat().st_size


def test_cancel_stops_a_slow_read(hub: FakeHub, big_model: Path) -> None:
    hub.add_repo(REPO, files={"big.gguf": FakeFile("big.gguf", big_model, sha256=FAKE_SHA)})
    hub.throttle("*/big.gguf", bytes_per_second=256 * 1024, chunk_size=16 * 1024)  # 2 MiB would take 8 s
    cancel = threading.Event()
    outcome: list[BaseException | object] = []

    def read() -> None:
        try:
            outcome.append(read_remote_header(REPO, "big.gguf", endpoint=hub.url, cancel=cancel))
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            outcome.append(error)

    worker = threading.Thread(target=read, name="remote-header-test")
    worker.start()
    try:
        assert _wait_for(lambda: bool(hub.requests_to("*/big.gguf")))
        cancel.set()
        worker.join(2.0)
        assert not worker.is_alive()
    finally:
        cancel.set()
        worker.join(10)
    assert len(outcome) == 1 and isinstance(outcome[0], HeaderReadCancelled)
    assert _sent(hub) < 1024 * 1024


def _wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    pause = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return True
        pause.wait(0.01)
    return False


def test_cache_hit_skips_the_download(hub: FakeHub, tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "m.gguf")
    hub.add_repo(REPO, files={"m.gguf": model})
    cache = HeaderCache(tmp_path / "cache")
    first = read_remote_header(REPO, "m.gguf", endpoint=hub.url, cache=cache)
    assert not first.from_cache and first.bytes_read > 0
    assert [r.method for r in hub.requests_to("*/m.gguf")] == ["HEAD", "GET"]
    hub.clear_requests()
    second = read_remote_header(REPO, "m.gguf", endpoint=hub.url, cache=cache)
    assert second.from_cache and second.bytes_read == 0 and second.header == first.header
    assert [r.method for r in hub.requests_to("*/m.gguf")] == ["HEAD"]  # the hash only, no body
    hub.clear_requests()
    third = read_remote_header(REPO, "m.gguf", endpoint=hub.url, cache=cache, sha256=first.sha256)
    assert third.from_cache and third.requests == 0 and hub.requests == []


def test_remote_shards_are_all_read_and_merged(hub: FakeHub, tmp_path: Path) -> None:
    shards = write_sharded(tmp_path, 3)
    hub.add_repo(REPO, files={p.name: p for p in shards})
    result = read_remote_model_header(REPO, shards[2].name, endpoint=hub.url)
    assert len(result.header.tensors) == result.header.metadata["split.tensors.count"]
    assert sorted({t.shard for t in result.header.tensors}) == [0, 1, 2]
    assert result.requests == 3
    assert result.file_size == sum(p.stat().st_size for p in shards)
    ranges = [r.header("range") for r in hub.requests_to("*.gguf")]
    assert ranges == ["bytes=0-2097151", "bytes=0-262143", "bytes=0-262143"]


# --- a server the fake Hub cannot imitate: it ignores Range and answers 200 with the whole "file" ------------


class _IgnoresRange(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body: bytes = self.server.body  # type: ignore[attr-defined]
        filler: bytes = self.server.filler  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if filler:
            self.send_header("Connection", "close")  # no length: the body ends when the server stops
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
            while filler and self.server.sent < GIB:  # type: ignore[attr-defined]  # a bound, should a client never hang up
                self.wfile.write(filler)
                self.server.sent += len(filler)  # type: ignore[attr-defined]
        except OSError:
            pass
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def range_ignoring_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _IgnoresRange)
    server.daemon_threads = False
    server.block_on_close = True  # server_close joins every handler thread
    server.sent = 0  # type: ignore[attr-defined]
    server.filler = b""  # type: ignore[attr-defined]
    loop = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="ignores-range")
    loop.start()
    try:
        with only_local_connections():
            yield server
    finally:
        server.shutdown()
        server.server_close()
        loop.join(5)


def _endpoint(server: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_endless_answer_to_a_range_request_is_cut_at_the_cap(range_ignoring_server: ThreadingHTTPServer) -> None:
    range_ignoring_server.body = _endless_header(1_000_000)  # type: ignore[attr-defined]
    range_ignoring_server.filler = ITEM * 7000  # type: ignore[attr-defined]
    cap = 8 * 1024 * 1024
    with pytest.raises(InvalidGGUF, match=r"more than the 8,388,608 Hearth reads"):
        read_remote_header("org/x", "x.gguf", endpoint=_endpoint(range_ignoring_server), max_bytes=cap)
    assert range_ignoring_server.sent < 2 * cap  # type: ignore[attr-defined]  # what sat in socket buffers


def test_whole_file_answer_is_parsed_while_streaming(
    range_ignoring_server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    model = write_tiny_model(tmp_path / "m.gguf")
    range_ignoring_server.body = model.read_bytes()  # type: ignore[attr-defined]
    result = read_remote_header("org/x", "m.gguf", endpoint=_endpoint(range_ignoring_server), first_chunk=4096)
    _same_header(model, result.header)
    assert result.requests == 1
