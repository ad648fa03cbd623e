"""Shared set-up for the Discover tests (no tests here): a fake Hub with a handful of GGUF repos and a page on it.

The repos hold tiny generated GGUF files, so every header read, fit estimate and recommendation is the real
code path; the machine is a hand-built RTX 4070 so the verdicts do not depend on the computer running the tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tqdm.std
from fit_fixtures import rtx_4070
from huggingface_hub import constants
from huggingface_hub.utils import close_session
from pytestqt.qtbot import QtBot

from hearth.core.hub import Hub, HubConfig
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.testing.fake_hub import FakeHub, make_model_card, only_local_connections
from hearth.testing.gguf_factory import write_sharded, write_tiny_model
from hearth.ui.discover.page import DiscoverPage

QWEN = "bartowski/Qwen2.5-7B-Instruct-GGUF"
SHARDED = "org/Sharded-Llama-GGUF"
VISION = "org/Vision-Llama-GGUF"
GATED = "meta/Gated-Llama-GGUF"
CARD = make_model_card({"license": "apache-2.0", "tags": ["gguf"]}, "# Tiny Qwen\n\nA [link](https://example.org).")


@pytest.fixture(autouse=True)
def offline_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No implicit token, no proxy, nothing but 127.0.0.1 (as in tests/core/test_hub.py)."""
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


def populate(hub: FakeHub, folder: Path) -> None:
    """Four repos: three quants of one model, a model split in two, a model with a projector, a gated one."""
    folder.mkdir(parents=True, exist_ok=True)
    model = write_tiny_model(folder / "tiny.gguf")
    shards = write_sharded(folder / "shards", 2, stem="Sharded-Llama-Q8_0")
    gguf = {"total": 500_000, "architecture": "llama", "context_length": 512}
    hub.add_repo(
        QWEN,
        files={f"Qwen2.5-7B-Instruct-{q}.gguf": model for q in ("Q4_K_M", "Q8_0", "F16")} | {"README.md": CARD},
        tags=["gguf", "llama", "en", "license:apache-2.0"],
        downloads=9_000,
        likes=50,
        trending_score=10,
        last_modified=datetime(2025, 3, 1, tzinfo=UTC),
        gguf=gguf,
        card_data={"license": "apache-2.0"},
    )
    hub.add_repo(
        SHARDED,
        files={p.name: p for p in shards},
        tags=["gguf"],
        downloads=5_000,
        likes=90,
        trending_score=30,
        last_modified=datetime(2025, 1, 1, tzinfo=UTC),
        gguf=gguf,
    )
    hub.add_repo(
        VISION,
        files={"Vision-Llama-Q8_0.gguf": model, "mmproj-Vision-Llama-f16.gguf": model},
        tags=["gguf"],
        downloads=1_000,
        likes=5,
        trending_score=90,
        last_modified=datetime(2025, 6, 1, tzinfo=UTC),
        gguf=gguf,
    )
    hub.add_repo(
        GATED,
        files={"Gated-Llama-Q4_K_M.gguf": model, "README.md": "# Gated"},
        tags=["gguf"],
        downloads=100,
        gated="manual",
        gguf=gguf,
    )


@pytest.fixture
def fake_hub(tmp_path: Path) -> Iterator[FakeHub]:
    with FakeHub() as hub:
        populate(hub, tmp_path / "models")
        yield hub
        assert hub.errors == []


def make_page(qtbot: QtBot, hub: FakeHub, paths: AppPaths, tmp_path: Path, **kwargs: object) -> DiscoverPage:
    client = Hub(HubConfig(endpoint=hub.url, token=False, cache_dir=tmp_path / "hub-cache"))
    page = DiscoverPage(SettingsStore(paths), hub=client, probe=rtx_4070, **kwargs)  # type: ignore[arg-type]
    page.controller.set_debounce(20)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    return page


@pytest.fixture
def page(qtbot: QtBot, fake_hub: FakeHub, hearth_paths: AppPaths, tmp_path: Path) -> Iterator[DiscoverPage]:
    page = make_page(qtbot, fake_hub, hearth_paths, tmp_path)
    yield page
    finish(qtbot, page)


def finish(qtbot: QtBot, page: DiscoverPage) -> None:
    """Cancel and join every worker, so the leak check sees no thread and the fake Hub stops cleanly."""
    page.shutdown()
    assert page.wait_for_workers(10)
