"""The Hub wrapper against the real ``huggingface_hub`` client and a fake Hub on 127.0.0.1: search and "load
more", repo files grouped by model, errors the user can act on, answers kept for offline use."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tqdm.std
from huggingface_hub import constants
from huggingface_hub.utils import close_session

from hearth.core.hub import (
    GatedRepo,
    Hub,
    HubConfig,
    HubRequestCancelled,
    HubUnreachable,
    NotFound,
    RateLimited,
    SearchPage,
    TokenRejected,
)
from hearth.testing.fake_hub import FakeHub, make_model_card, only_local_connections
from hearth.testing.gguf_factory import write_sharded, write_tiny_model

TOKEN = "hf_hearth_test_token"


@pytest.fixture(autouse=True)
def offline_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No implicit token, no proxy, no telemetry, nothing but 127.0.0.1 (as in tests/test_fake_hub.py)."""
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_IMPLICIT_TOKEN", True)
    monkeypatch.setattr(tqdm.std.tqdm, "monitor_interval", 0)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    close_session()
    with only_local_connections():
        yield
    close_session()


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub(tokens={TOKEN}) as fake:
        yield fake
        assert fake.errors == []


def client(hub: FakeHub | str, tmp_path: Path, token: str | bool = False) -> Hub:
    url = hub if isinstance(hub, str) else hub.url
    return Hub(HubConfig(endpoint=url, token=token, cache_dir=tmp_path / "cache"))


def _populate(hub: FakeHub) -> None:
    rows = [  # repo, downloads, likes, trending, modified day, architecture, parameters
        ("bartowski/Llama-3.2-1B-Instruct-GGUF", 900, 10, 5, 3, "llama", 1_240_000_000),
        ("Qwen/Qwen3-8B-GGUF", 500, 90, 50, 1, "qwen3", 8_190_000_000),
        ("unsloth/Llama-3.3-70B-Instruct-GGUF", 300, 40, 99, 2, "llama", 70_600_000_000),
        ("org/Llama-Tiny-GGUF", 100, 5, 1, 9, "llama", 1_000_000),
    ]
    for repo_id, downloads, likes, trending, day, arch, params in rows:
        hub.add_repo(
            repo_id,
            tags=["gguf", arch],
            downloads=downloads,
            likes=likes,
            trending_score=trending,
            last_modified=datetime(2025, 1, day, tzinfo=UTC),
            gguf={"total": params, "architecture": arch, "context_length": 131072},
            gated="manual" if repo_id.startswith("unsloth") else False,
        )
    hub.add_repo("org/Llama-safetensors", tags=["safetensors"], downloads=10_000)


# --- search --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("downloads", "bartowski/Llama-3.2-1B-Instruct-GGUF"),
        ("likes", "Qwen/Qwen3-8B-GGUF"),
        ("trending", "unsloth/Llama-3.3-70B-Instruct-GGUF"),
        ("updated", "org/Llama-Tiny-GGUF"),
    ],
)
def test_search_sorts_and_parses_summaries(hub: FakeHub, tmp_path: Path, sort: str, first: str) -> None:
    _populate(hub)

    page = client(hub, tmp_path).search_models("", sort=sort)  # type: ignore[arg-type]

    assert page.results[0].repo_id == first
    assert len(page.results) == 4  # GGUF repos only
    assert page.next_page is None
    query = hub.requests_to("/api/models")[0].query
    assert query["filter"] == ["gguf"]
    assert {"gguf", "downloads", "likes", "lastModified", "gated", "tags"} <= set(query["expand"])


def test_search_summary_fields(hub: FakeHub, tmp_path: Path) -> None:
    _populate(hub)

    results = {r.repo_id: r for r in client(hub, tmp_path).search_models("llama").results}

    assert set(results) == {
        "bartowski/Llama-3.2-1B-Instruct-GGUF",
        "unsloth/Llama-3.3-70B-Instruct-GGUF",
        "org/Llama-Tiny-GGUF",
    }
    big = results["unsloth/Llama-3.3-70B-Instruct-GGUF"]
    assert big.author == "unsloth"
    assert (big.downloads, big.likes) == (300, 40)
    assert (big.architecture, big.parameters, big.context_length) == ("llama", 70_600_000_000, 131072)
    assert big.gated is True
    assert big.last_modified == datetime(2025, 1, 2, tzinfo=UTC)
    assert "gguf" in big.tags


def test_load_more_pages_one_request_each_without_gaps(tmp_path: Path) -> None:
    with FakeHub() as hub:
        for i in range(7):
            hub.add_repo(f"org/Model-{i}-GGUF", tags=["gguf"], downloads=100 - i)
        api = client(hub, tmp_path)

        pages = [api.search_models("model", limit=3)]
        while pages[-1].next_page is not None:
            pages.append(api.search_models("model", limit=3, page=pages[-1].next_page))

        ids = [r.repo_id for p in pages for r in p.results]
        assert ids == [f"org/Model-{i}-GGUF" for i in range(7)]
        assert [len(p.results) for p in pages] == [3, 3, 1]
        assert len(hub.requests_to("/api/models")) == 3
        assert hub.errors == []


def test_client_side_filters_fetch_more_pages_when_needed(tmp_path: Path) -> None:
    with FakeHub(list_page_size=2) as hub:
        for i in range(6):
            arch = "qwen3" if i % 3 == 0 else "llama"
            hub.add_repo(f"o/M{i}-GGUF", tags=["gguf"], downloads=100 - i, gguf={"architecture": arch, "total": i * 10})
        api = client(hub, tmp_path)

        qwen = api.search_models("", architecture="qwen3", limit=2)
        sized = api.search_models("", min_params=20, max_params=40, limit=10)

        assert [r.repo_id for r in qwen.results] == ["o/M0-GGUF", "o/M3-GGUF"]
        assert qwen.next_page is not None  # two pages of two were needed to find two; more may follow
        assert len(hub.requests_to("/api/models")) == 2 + 3
        assert [r.parameters for r in sized.results] == [20, 30, 40]
        assert sized.next_page is None
        rest = api.search_models("", architecture="qwen3", limit=2, page=qwen.next_page)
        assert rest.results == () and rest.next_page is None


def test_offline_returns_saved_results_and_unreachable_carries_them(tmp_path: Path) -> None:
    with FakeHub() as hub:
        _populate(hub)
        url = hub.url
        fresh = client(hub, tmp_path).search_models("llama", sort="likes")
    api = client(url, tmp_path)  # the hub has stopped: connections are refused

    offline = api.search_models("llama", sort="likes", offline=True)
    with pytest.raises(HubUnreachable) as unreachable:
        api.search_models("llama", sort="likes")
    with pytest.raises(HubUnreachable) as never_searched:
        api.search_models("qwen")
    with pytest.raises(HubUnreachable):
        api.search_models("qwen", offline=True)

    assert offline.from_cache and offline.results == fresh.results
    assert offline.fetched_at is not None
    cached = unreachable.value.cached
    assert isinstance(cached, SearchPage) and cached.results == fresh.results
    assert str(unreachable.value).startswith("Hub unreachable — check your connection; cached results are shown")
    assert never_searched.value.cached is None


def test_cancelled_search_sends_nothing(hub: FakeHub, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(HubRequestCancelled):
        client(hub, tmp_path).search_models("llama", cancel=cancel)
    assert hub.requests_to("/api/models") == []


def test_rate_limited_says_when_to_retry(hub: FakeHub, tmp_path: Path) -> None:
    _populate(hub)
    hub.fail("/api/models*", 429, retry_after=7)

    with pytest.raises(RateLimited) as search_error:
        client(hub, tmp_path).search_models("llama")
    with pytest.raises(RateLimited) as repo_error:
        client(hub, tmp_path).repo_files("Qwen/Qwen3-8B-GGUF")

    assert search_error.value.retry_after == 7
    assert repo_error.value.retry_after == 7
    assert "try again in 7 s" in str(search_error.value)


def test_search_rejects_bad_arguments(hub: FakeHub, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="sort"):
        client(hub, tmp_path).search_models("x", sort="stars")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="limit"):
        client(hub, tmp_path).search_models("x", limit=0)


# --- repo files --------------------------------------------------------------------------------------------


def _model_repo(hub: FakeHub, tmp_path: Path, repo_id: str = "org/Tiny-GGUF", **meta: object) -> dict[str, Path]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    single = write_tiny_model(tmp_path / "single.gguf")
    shards = write_sharded(tmp_path / "shards", 3, stem="Tiny-Q8_0")
    files: dict[str, object] = {
        "Tiny-Q4_K_M.gguf": single,
        "Tiny-F16.gguf": single,
        "mmproj-Tiny-f16.gguf": b"GGUF projector",
        "README.md": make_model_card({"license": "apache-2.0", "base_model": "org/Tiny"}, "# Tiny\nA tiny model.\n"),
        "config.json": "{}",
    }
    files |= {f"Q8_0/{p.name}": p for p in shards}
    files["broken/Half-Q2_K-00001-of-00002.gguf"] = single  # the second shard was never uploaded
    hub.add_repo(
        repo_id, files=files, tags=["gguf", "license:apache-2.0"], gguf={"total": 100_000, "architecture": "llama"},
        card_data={"license": "apache-2.0", "base_model": "org/Tiny"}, **meta,
    )  # fmt: skip
    return {"single": single, **{f"shard{i}": p for i, p in enumerate(shards, 1)}}


def test_repo_files_groups_shards_marks_projectors_and_parses_quants(hub: FakeHub, tmp_path: Path) -> None:
    paths = _model_repo(hub, tmp_path)
    import hashlib

    details = client(hub, tmp_path).repo_files("org/Tiny-GGUF")

    by_name = {f.name: f for f in details.files}
    assert set(by_name) == {
        "Tiny-Q4_K_M.gguf",
        "Tiny-F16.gguf",
        "mmproj-Tiny-f16.gguf",
        "Q8_0/Tiny-Q8_0-00001-of-00003.gguf",
        "broken/Half-Q2_K-00001-of-00002.gguf",
    }
    split = by_name["Q8_0/Tiny-Q8_0-00001-of-00003.gguf"]
    assert split.files == tuple(f"Q8_0/Tiny-Q8_0-0000{i}-of-00003.gguf" for i in (1, 2, 3))
    assert split.size_bytes == sum(paths[f"shard{i}"].stat().st_size for i in (1, 2, 3))
    assert split.sha256s == tuple(hashlib.sha256(paths[f"shard{i}"].read_bytes()).hexdigest() for i in (1, 2, 3))
    assert split.quant == "Q8_0" and split.complete and split.is_sharded
    assert split.bits_per_weight == pytest.approx(split.size_bytes * 8 / 100_000)  # type: ignore[operator]
    assert by_name["Tiny-Q4_K_M.gguf"].quant == "Q4_K_M"
    assert by_name["Tiny-F16.gguf"].quant == "F16"
    projector = by_name["mmproj-Tiny-f16.gguf"]
    assert projector.is_projector and projector.bits_per_weight is None
    assert details.files[-1] is projector  # models first, projectors last
    assert details.projectors == (projector,)
    assert not by_name["broken/Half-Q2_K-00001-of-00002.gguf"].complete
    assert details.license == "apache-2.0"
    assert details.card_data["base_model"] == "org/Tiny"
    assert (details.architecture, details.parameters) == ("llama", 100_000)
    assert details.gated is False and "gguf" in details.tags


def test_repo_files_offline_and_not_found(hub: FakeHub, tmp_path: Path) -> None:
    _model_repo(hub, tmp_path)
    api = client(hub, tmp_path)
    fresh = api.repo_files("org/Tiny-GGUF")

    offline = api.repo_files("org/Tiny-GGUF", offline=True)
    with pytest.raises(NotFound):
        api.repo_files("org/No-Such-GGUF")
    with pytest.raises(HubUnreachable, match="was not opened before"):
        api.repo_files("org/Other", offline=True)

    assert offline.from_cache and offline.files == fresh.files and offline.license == fresh.license


def test_model_card_text_and_missing_card(hub: FakeHub, tmp_path: Path) -> None:
    _model_repo(hub, tmp_path)
    hub.add_repo("org/No-Card-GGUF", files={"a.gguf": b"x"}, tags=["gguf"])
    api = client(hub, tmp_path)

    card = api.model_card("org/Tiny-GGUF")

    assert "A tiny model." in card and '"license": "apache-2.0"' in card
    assert api.model_card("org/No-Card-GGUF") == ""
    assert list((tmp_path / "cache" / "hub" / "files").iterdir())  # Hearth's cache, not ~/.cache


def test_gated_repo_without_and_with_token(hub: FakeHub, tmp_path: Path) -> None:
    _model_repo(hub, tmp_path, repo_id="org/Gated-GGUF", gated="manual")
    _model_repo(hub, tmp_path / "b", repo_id="org/Closed-GGUF", gated="manual", allowed_tokens={"hf_someone_else"})
    hub.tokens.add("hf_someone_else")

    details = client(hub, tmp_path).repo_files("org/Gated-GGUF")  # metadata stays public
    with pytest.raises(GatedRepo) as anonymous:
        client(hub, tmp_path).model_card("org/Gated-GGUF")
    card = client(hub, tmp_path, token=TOKEN).model_card("org/Gated-GGUF")
    with pytest.raises(GatedRepo) as no_access:
        client(hub, tmp_path / "other", token=TOKEN).model_card("org/Closed-GGUF")

    assert details.gated is True
    assert "A tiny model." in card
    assert f"{hub.url}/org/Gated-GGUF" in str(anonymous.value)
    assert "add your token in Settings" in str(anonymous.value)
    assert no_access.value.has_token is True
    assert "accept the licence on the model page" in str(no_access.value)


def test_rejected_token(hub: FakeHub, tmp_path: Path) -> None:
    _populate(hub)
    with pytest.raises(TokenRejected, match="Settings"):
        client(hub, tmp_path, token="hf_revoked").search_models("llama")
