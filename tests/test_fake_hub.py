"""The fake Hub against the real ``huggingface_hub`` client: if these pass, tests built on it test real code paths.

Every test starts its own :class:`FakeHub` on 127.0.0.1 and the client is pointed at it with ``endpoint=``
(``HF_ENDPOINT`` is read once, at import). A socket guard fails any connection to another address.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx2
import huggingface_hub.file_download
import huggingface_hub.utils._http
import pytest
import tqdm.std
from huggingface_hub import HfApi, HfFileSystem, RepoFile, RepoFolder, constants, hf_hub_download, hf_hub_url
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    LocalEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from huggingface_hub.utils import close_session, get_session

from hearth.testing.fake_hub import FakeHub, FileSource, make_model_card, only_local_connections

TOKEN = "hf_fake_valid_token"
GGUF = bytes(range(256)) * 1200  # 300 KiB, several chunks, every offset distinguishable
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


@pytest.fixture(autouse=True)
def offline_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The client as a test needs it: no telemetry, no implicit token, no proxy, nothing but 127.0.0.1."""
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_IMPLICIT_TOKEN", True)  # never the developer's own token
    monkeypatch.setattr(tqdm.std.tqdm, "monitor_interval", 0)  # even a disabled bar starts tqdm's monitor thread
    for name in _PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    close_session()  # the shared httpx client reads proxies when created
    with only_local_connections():
        yield
    close_session()  # pooled keep-alive sockets to a stopped hub


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub(tokens={TOKEN}) as fake:
        yield fake
        assert fake.errors == []
    assert not [t for t in threading.enumerate() if t.name.startswith("fake-hub")]


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The client's retry sleeps, recorded instead of slept (it waits ``Retry-After`` + 1 s)."""
    recorded: list[float] = []
    fake_time = SimpleNamespace(sleep=recorded.append, time=time.time, monotonic=time.monotonic)
    monkeypatch.setattr(huggingface_hub.utils._http, "time", fake_time)
    monkeypatch.setattr(huggingface_hub.file_download, "time", fake_time)
    return recorded


def _gguf_repo(hub: FakeHub, tmp_path: Path, repo_id: str = "org/Tiny-GGUF", **meta: Any) -> Path:
    path = tmp_path / "tiny.Q4_K_M.gguf"
    path.write_bytes(GGUF)
    card = {"license": "apache-2.0", "tags": ["gguf"]}
    files: dict[str, FileSource] = {
        "tiny.Q4_K_M.gguf": path,
        "README.md": make_model_card(card, "# Tiny\n"),
        "params/config.json": "{}",
    }
    meta = {"tags": ["gguf", "llama"], "card_data": card, **meta}
    hub.add_repo(repo_id, files=files, **meta)
    return path


# --- search --------------------------------------------------------------------------------------------


def test_list_models_search_filter_sort_follow_link_pages(tmp_path: Path) -> None:
    with FakeHub(list_page_size=2) as hub:
        for i, downloads in enumerate([5, 70, 30, 90, 10, 50, 20]):
            hub.add_repo(f"org{i}/Llama-{i}-GGUF", tags=["gguf"], downloads=downloads, gguf={"total": i})
        hub.add_repo("org/Llama-safetensors", tags=["safetensors"], downloads=1000)
        hub.add_repo("org/Mistral-GGUF", tags=["gguf"], downloads=1000)
        api = HfApi(endpoint=hub.url, token=False)

        models = list(
            api.list_models(
                filter="gguf", search="llama", sort="downloads", limit=5, expand=["gguf", "downloads", "likes"]
            )
        )

        assert [m.downloads for m in models] == [90, 70, 50, 30, 20]
        assert [m.id for m in models] == [f"org{i}/Llama-{i}-GGUF" for i in (3, 1, 5, 2, 6)]
        assert models[0].gguf == {"total": 3}
        assert models[0].likes == 0
        assert models[0].tags is None  # not expanded: the Hub returns only what expand asked
        calls = hub.requests_to("/api/models")
        assert len(calls) == 3  # pages of 2, the client stops after 5 items
        first = calls[0].query
        assert first["filter"] == ["gguf"]
        assert first["search"] == ["llama"]
        assert first["sort"] == ["downloads"]
        assert first["expand"] == ["gguf", "downloads", "likes"]
        assert "cursor" not in first
        assert all("cursor" in c.query and c.query["search"] == ["llama"] for c in calls[1:])

        hub.clear_requests()
        every = [m.id for m in api.list_models(filter="gguf", search="llama", sort="downloads")]
        assert len(every) == 7
        assert len(hub.requests_to("/api/models")) == 4
        assert hub.errors == []


def test_list_models_default_fields_card_data_and_ascending_sort(hub: FakeHub, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    hub.add_repo("a/old", tags=["gguf"], created_at=datetime(2023, 1, 1, tzinfo=UTC), likes=3)
    hub.add_repo("b/new", tags=["gguf"], created_at=datetime(2025, 1, 1, tzinfo=UTC), card_data={"license": "mit"})
    api = HfApi(endpoint=hub.url, token=False)

    newest = [m.id for m in api.list_models(sort="created_at")]
    with_card = {m.id: m for m in api.list_models(cardData=True)}
    ascending = get_session().get(f"{hub.url}/api/models", params={"sort": "likes", "direction": "1"}).json()

    assert newest == ["b/new", "a/old"]
    assert with_card["b/new"].card_data is not None and with_card["b/new"].card_data.license == "mit"
    assert with_card["a/old"].likes == 3
    assert [m["id"] for m in ascending] == ["b/new", "a/old"]


# --- repo metadata -----------------------------------------------------------------------------------


def test_model_info_siblings_gated_card_data_and_blobs(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path, gated="manual", likes=7, gguf={"total": 123, "architecture": "llama"})
    api = HfApi(endpoint=hub.url, token=False)

    info = api.model_info("org/Tiny-GGUF")
    detailed = api.model_info("org/Tiny-GGUF", files_metadata=True)
    by_sha = api.model_info("org/Tiny-GGUF", revision=info.sha)

    assert info.id == "org/Tiny-GGUF" and info.author == "org"
    assert info.gated == "manual" and info.likes == 7 and info.private is False
    assert info.gguf == {"total": 123, "architecture": "llama"}
    assert info.card_data is not None and info.card_data.license == "apache-2.0"
    assert info.sha is not None and len(info.sha) == 40
    assert info.siblings is not None
    assert [s.rfilename for s in info.siblings] == ["README.md", "params/config.json", "tiny.Q4_K_M.gguf"]
    gguf = next(s for s in detailed.siblings or [] if s.rfilename.endswith(".gguf"))
    assert gguf.size == len(GGUF)
    assert gguf.lfs is not None and gguf.lfs.sha256 == hashlib.sha256(GGUF).hexdigest()
    assert by_sha.sha == info.sha
    with pytest.raises(RevisionNotFoundError):
        api.model_info("org/Tiny-GGUF", revision="no-such-branch")


def test_list_repo_tree_gives_lfs_sha256_and_paginates(tmp_path: Path) -> None:
    with FakeHub(tree_page_size=2) as hub:
        _gguf_repo(hub, tmp_path)
        api = HfApi(endpoint=hub.url, token=False)

        root = list(api.list_repo_tree("org/Tiny-GGUF"))
        everything = list(api.list_repo_tree("org/Tiny-GGUF", recursive=True))
        params = list(api.list_repo_tree("org/Tiny-GGUF", path_in_repo="params"))

        assert [e.path for e in root] == ["README.md", "params", "tiny.Q4_K_M.gguf"]
        readme, folder, gguf = root
        assert isinstance(gguf, RepoFile) and isinstance(readme, RepoFile) and isinstance(folder, RepoFolder)
        assert gguf.lfs is not None
        assert gguf.lfs.sha256 == hashlib.sha256(GGUF).hexdigest()
        assert gguf.lfs.size == len(GGUF) and gguf.size == len(GGUF)
        assert readme.lfs is None
        assert [e.path for e in everything] == ["README.md", "params", "params/config.json", "tiny.Q4_K_M.gguf"]
        assert [e.path for e in params] == ["params/config.json"]
        assert any("cursor" in r.query for r in hub.requests_to("*/tree/*"))  # 3 and 4 entries > 2 per page
        with pytest.raises(EntryNotFoundError):
            list(api.list_repo_tree("org/Tiny-GGUF", path_in_repo="missing"))


def test_get_paths_info(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path)
    api = HfApi(endpoint=hub.url, token=False)

    infos = api.get_paths_info("org/Tiny-GGUF", ["tiny.Q4_K_M.gguf", "params", "absent.bin"])
    expanded = api.get_paths_info("org/Tiny-GGUF", "README.md", expand=True)

    gguf, folder = infos
    (readme,) = expanded
    assert isinstance(gguf, RepoFile) and isinstance(folder, RepoFolder) and isinstance(readme, RepoFile)
    assert (gguf.path, folder.path) == ("tiny.Q4_K_M.gguf", "params")
    assert gguf.lfs is not None and gguf.lfs.sha256 == hashlib.sha256(GGUF).hexdigest()
    assert readme.last_commit is not None and readme.last_commit.oid == hub.repo("org/Tiny-GGUF").sha
    assert readme.security is not None and readme.security.safe


# --- downloads -----------------------------------------------------------------------------------------


def test_hf_hub_download_whole_files(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path)
    cache = tmp_path / "cache"

    gguf = hf_hub_download("org/Tiny-GGUF", "tiny.Q4_K_M.gguf", endpoint=hub.url, cache_dir=cache, token=False)
    readme = hf_hub_download("org/Tiny-GGUF", "README.md", endpoint=hub.url, cache_dir=cache, token=False)

    assert Path(gguf).read_bytes() == GGUF
    assert Path(readme).read_text().startswith("---\n")
    assert hub.repo("org/Tiny-GGUF").sha in gguf  # the snapshot folder is named after X-Repo-Commit
    head, get = hub.requests_to("*/resolve/main/tiny.Q4_K_M.gguf")
    assert (head.method, head.status, get.method, get.status) == ("HEAD", 200, "GET", 200)
    blob = Path(gguf).resolve()
    assert blob.name == hashlib.sha256(GGUF).hexdigest()  # the cache keys LFS blobs by the sha256 ETag


def test_ranged_get_through_the_client_session(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path)
    url = hf_hub_url("org/Tiny-GGUF", "tiny.Q4_K_M.gguf", endpoint=hub.url)
    session = get_session()

    middle = session.get(url, headers={"Range": "bytes=1000-1999"})
    tail = session.get(url, headers={"Range": "bytes=-16"})
    rest = session.get(url, headers={"Range": f"bytes={len(GGUF) - 5}-"})
    beyond = session.get(url, headers={"Range": f"bytes={len(GGUF)}-"})
    reversed_ = session.get(url, headers={"Range": "bytes=9-3"})
    head = session.head(url)

    assert middle.status_code == 206 and middle.content == GGUF[1000:2000]
    assert middle.headers["Content-Range"] == f"bytes 1000-1999/{len(GGUF)}"
    assert middle.headers["Accept-Ranges"] == "bytes"
    assert tail.status_code == 206 and tail.content == GGUF[-16:]
    assert rest.status_code == 206 and rest.content == GGUF[-5:]
    assert beyond.status_code == 416 and beyond.headers["Content-Range"] == f"bytes */{len(GGUF)}"
    assert reversed_.status_code == 416
    assert head.headers["ETag"] == f'"{hashlib.sha256(GGUF).hexdigest()}"'
    assert head.headers["Content-Length"] == str(len(GGUF))
    assert [r.header("range") for r in hub.requests][:2] == ["bytes=1000-1999", "bytes=-16"]


def test_hf_file_system_reads_a_header_with_ranges(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path)
    fs = HfFileSystem(endpoint=hub.url, token=False)

    with fs.open("org/Tiny-GGUF/tiny.Q4_K_M.gguf", "rb", block_size=4096) as handle:
        handle.seek(8192)
        chunk = handle.read(16)

    assert chunk == GGUF[8192:8208]
    assert all(r.header("range") for r in hub.requests_to("*/resolve/*"))


# --- access --------------------------------------------------------------------------------------------


def test_gated_repo_needs_a_token_with_access(tmp_path: Path) -> None:
    with FakeHub(tokens={TOKEN, "hf_not_approved"}) as hub:
        _gguf_repo(hub, tmp_path, gated="auto", allowed_tokens={TOKEN})
        cache = tmp_path / "cache"

        with pytest.raises(GatedRepoError) as anonymous:
            hf_hub_download("org/Tiny-GGUF", "README.md", endpoint=hub.url, cache_dir=cache, token=False)
        with pytest.raises(GatedRepoError) as not_approved:
            hf_hub_download("org/Tiny-GGUF", "README.md", endpoint=hub.url, cache_dir=cache, token="hf_not_approved")
        served = hf_hub_download("org/Tiny-GGUF", "tiny.Q4_K_M.gguf", endpoint=hub.url, cache_dir=cache, token=TOKEN)
        info = HfApi(endpoint=hub.url, token=False).model_info("org/Tiny-GGUF")  # metadata stays public

        assert anonymous.value.response.status_code == 401
        assert not_approved.value.response.status_code == 403
        assert Path(served).read_bytes() == GGUF
        assert info.gated == "auto"
        assert hub.requests_to("*/resolve/*", "GET")[-1].header("authorization") == f"Bearer {TOKEN}"
        with pytest.raises(HfHubHTTPError) as invalid:
            HfApi(endpoint=hub.url, token="hf_unknown").model_info("org/Tiny-GGUF")
        assert invalid.value.response.status_code == 401


def test_private_repo_is_hidden_without_a_token(hub: FakeHub) -> None:
    hub.add_repo("me/secret", files={"a.txt": "a"}, private=True)
    hub.add_repo("me/public", files={"a.txt": "a"})

    anonymous = HfApi(endpoint=hub.url, token=False)
    owner = HfApi(endpoint=hub.url, token=TOKEN)

    assert [m.id for m in anonymous.list_models(author="me")] == ["me/public"]
    assert [m.id for m in owner.list_models(author="me")] == ["me/secret", "me/public"]
    assert owner.model_info("me/secret").private is True
    with pytest.raises(RepositoryNotFoundError):
        anonymous.model_info("me/secret")


def test_not_found_errors(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path)
    api = HfApi(endpoint=hub.url, token=False)
    cache = tmp_path / "cache"

    with pytest.raises(RepositoryNotFoundError):
        api.model_info("org/nope")
    with pytest.raises(RepositoryNotFoundError):
        hf_hub_download("org/nope", "x.gguf", endpoint=hub.url, cache_dir=cache, token=False)
    with pytest.raises(EntryNotFoundError):
        hf_hub_download("org/Tiny-GGUF", "x.gguf", endpoint=hub.url, cache_dir=cache, token=False)
    anonymous = get_session().get(f"{hub.url}/org/nope/resolve/main/x.gguf")
    authenticated = get_session().get(f"{hub.url}/api/models/org/nope", headers={"Authorization": f"Bearer {TOKEN}"})
    # As on the real Hub: 401 without a token (a missing repo looks like a private one), 404 with one.
    assert anonymous.status_code == 401 and anonymous.headers["X-Error-Code"] == "RepoNotFound"
    assert authenticated.status_code == 404 and authenticated.headers["X-Error-Code"] == "RepoNotFound"
    assert authenticated.json() == {"error": "Repository not found"}


def test_keep_alive_survives_errors_and_json_bodies(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path)
    session = get_session()
    auth = {"Authorization": f"Bearer {TOKEN}"}

    missing = session.get(f"{hub.url}/org/Tiny-GGUF/resolve/main/absent.bin")
    paths = session.post(
        f"{hub.url}/api/models/org/Tiny-GGUF/paths-info/main", json={"paths": ["README.md"], "expand": False}
    )
    head = session.head(f"{hub.url}/api/models/org/Tiny-GGUF")
    whoami = session.get(f"{hub.url}/api/whoami-v2", headers=auth)
    ranged = session.get(hub.file_url("org/Tiny-GGUF", "tiny.Q4_K_M.gguf"), headers={"Range": "bytes=0-3"})

    assert missing.status_code == 404 and missing.headers["X-Error-Code"] == "EntryNotFound"
    assert missing.headers["X-Repo-Commit"] == hub.repo("org/Tiny-GGUF").sha
    assert [p["path"] for p in paths.json()] == ["README.md"]
    assert head.status_code == 200 and head.content == b"" and int(head.headers["Content-Length"]) > 0
    assert whoami.json()["name"] == "hearth-tester"
    assert ranged.content == GGUF[:4]
    assert len({r.client_port for r in hub.requests}) == 1  # every answer kept the connection usable


def test_add_file_is_a_new_commit_and_reset_forgets_faults(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path)
    api = HfApi(endpoint=hub.url, token=False)
    before = api.model_info("org/Tiny-GGUF").sha
    hub.fail("*", 500)

    hub.reset()
    hub.add_file("org/Tiny-GGUF", "notes/extra.txt", "more")
    after = api.model_info("org/Tiny-GGUF")

    assert after.sha != before
    assert "notes/extra.txt" in [s.rfilename for s in after.siblings or []]
    assert len(hub.requests) == 1


# --- faults --------------------------------------------------------------------------------------------


def test_dropped_connection_is_an_error_then_a_range_resumes(hub: FakeHub, tmp_path: Path) -> None:
    _gguf_repo(hub, tmp_path)
    fault = hub.drop_connection("*/tiny.Q4_K_M.gguf", after_bytes=100_000)
    url = hf_hub_url("org/Tiny-GGUF", "tiny.Q4_K_M.gguf", endpoint=hub.url)
    received = bytearray()

    with pytest.raises(httpx2.RemoteProtocolError), get_session().stream("GET", url) as response:
        for chunk in response.iter_bytes():
            received += chunk
    resumed = get_session().get(url, headers={"Range": f"bytes={len(received)}-"})

    assert len(received) == 100_000
    assert resumed.status_code == 206
    assert bytes(received) + resumed.content == GGUF
    assert fault.hits == 1
    assert hub.wait_idle()
    assert [r.bytes_sent for r in hub.requests] == [100_000, len(GGUF) - 100_000]


def test_hf_hub_download_resumes_a_dropped_body_with_range(
    hub: FakeHub, tmp_path: Path, sleeps: list[float], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client resumes from the last *whole* chunk it wrote (10 MiB by default, 16 KiB here)."""
    monkeypatch.setattr(constants, "DOWNLOAD_CHUNK_SIZE", 16_384)
    _gguf_repo(hub, tmp_path)
    hub.drop_connection("*/tiny.Q4_K_M.gguf", after_bytes=70_000)

    path = hf_hub_download("org/Tiny-GGUF", "tiny.Q4_K_M.gguf", endpoint=hub.url, cache_dir=tmp_path, token=False)

    assert Path(path).read_bytes() == GGUF
    gets = hub.requests_to("*/tiny.Q4_K_M.gguf", "GET")
    assert [g.header("range") for g in gets] == [None, f"bytes={4 * 16_384}-"]  # the partial 5th chunk is lost
    assert [g.status for g in gets] == [200, 206]
    assert sleeps == [1]


def test_connection_reset_fails_hf_hub_download(hub: FakeHub, tmp_path: Path) -> None:
    """A TCP RST mid-body is an ``httpx.ReadError``, which ``hf_hub_download`` does not retry (a FIN it does)."""
    _gguf_repo(hub, tmp_path)
    hub.drop_connection("*/tiny.Q4_K_M.gguf", after_bytes=50_000, reset=True)

    with pytest.raises(httpx2.ReadError):
        hf_hub_download("org/Tiny-GGUF", "tiny.Q4_K_M.gguf", endpoint=hub.url, cache_dir=tmp_path, token=False)


def test_status_faults_429_and_5xx_are_observable(hub: FakeHub, tmp_path: Path, sleeps: list[float]) -> None:
    _gguf_repo(hub, tmp_path)
    api = HfApi(endpoint=hub.url, token=False)
    limited = hub.fail("/api/models", 429, retry_after=3, times=1)
    raw = get_session().get(f"{hub.url}/api/models")
    assert raw.status_code == 429 and raw.headers["Retry-After"] == "3"
    assert limited.hits == 1 and not limited.active

    hub.fail("/api/models", 503, times=2)
    assert [m.id for m in api.list_models()] == ["org/Tiny-GGUF"]  # http_backoff retried twice
    assert sleeps == [1, 2]
    assert [r.status for r in hub.requests_to("/api/models")] == [429, 503, 503, 200]

    hub.fail("/api/models", 429, retry_after=7, times=1)
    list(api.list_models())
    assert sleeps[-1] == 8  # Retry-After + 1 s

    hub.fail("/api/models/*", 500, methods=["GET"])
    with pytest.raises(HfHubHTTPError) as error:
        api.model_info("org/Tiny-GGUF")  # model_info does not retry
    assert error.value.response.status_code == 500
    hub.clear_faults()

    hub.fail("*/resolve/*", 503)
    with pytest.raises(LocalEntryNotFoundError):  # HEAD errors fall back to the (empty) cache
        hf_hub_download("org/Tiny-GGUF", "README.md", endpoint=hub.url, cache_dir=tmp_path, token=False)


def test_throttle_slows_the_body(hub: FakeHub) -> None:
    hub.add_repo("org/slow", files={"blob.bin": bytes(40_000)})
    hub.throttle("*/blob.bin", bytes_per_second=200_000, chunk_size=10_000)
    url = hf_hub_url("org/slow", "blob.bin", endpoint=hub.url)

    started = time.monotonic()
    body = get_session().get(url).content
    elapsed = time.monotonic() - started

    assert body == bytes(40_000)
    assert 0.14 <= elapsed < 2.0  # 4 pieces of 10 kB, 50 ms between them


def test_stop_cuts_keep_alive_and_throttled_connections(tmp_path: Path) -> None:
    hub = FakeHub().start()
    hub.add_repo("org/slow", files={"blob.bin": bytes(1_000_000)})
    hub.throttle("*/blob.bin", bytes_per_second=10_000)
    get_session().get(f"{hub.url}/api/models")  # leaves a pooled keep-alive connection
    client_error: list[BaseException] = []

    def download() -> None:
        try:
            get_session().get(hf_hub_url("org/slow", "blob.bin", endpoint=hub.url)).read()
        except httpx2.HTTPError as error:
            client_error.append(error)

    client = threading.Thread(target=download)
    client.start()
    time.sleep(0.2)
    started = time.monotonic()
    hub.stop()
    client.join(5)

    assert time.monotonic() - started < 2.0
    assert not client.is_alive() and client_error
    assert not [t for t in threading.enumerate() if t.name.startswith("fake-hub")]


def test_lfs_redirect_to_a_cdn_drops_the_token(tmp_path: Path) -> None:
    with FakeHub(tokens={TOKEN}, lfs_redirect=True) as hub:
        _gguf_repo(hub, tmp_path)

        path = hf_hub_download("org/Tiny-GGUF", "tiny.Q4_K_M.gguf", endpoint=hub.url, cache_dir=tmp_path, token=TOKEN)

        assert Path(path).read_bytes() == GGUF
        head = hub.requests_to("*/resolve/*", "HEAD")[0]
        cdn = [r for r in hub.requests if r.origin == "cdn"]
        assert head.status == 302
        assert [(r.method, r.status) for r in cdn] == [("GET", 200)]
        assert cdn[0].header("authorization") is None  # the client does not send the token off the Hub
        assert hub.errors == []


def test_socket_guard_refuses_the_internet() -> None:
    with pytest.raises(httpx2.ConnectError, match=r"only 127\.0\.0\.1"):
        get_session().get("http://203.0.113.1/api/models")  # TEST-NET-3: never routed anyway


def test_fake_hub_without_start_has_no_url() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = FakeHub().url
    with pytest.raises(RuntimeError, match="lfs_redirect"), FakeHub() as hub:
        _ = hub.cdn_url
