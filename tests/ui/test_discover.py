"""Discover against a fake Hub: search as you type, stale queries dropped, sort, load more, offline states."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from test_discover_support import QWEN, SHARDED, VISION, fake_hub, finish, make_page, offline_client, page

from hearth.core.hub import SearchPage
from hearth.core.paths import AppPaths
from hearth.testing.fake_hub import FakeHub
from hearth.ui.discover.page import DiscoverPage
from hearth.ui.discover.results_model import ResultRole

__all__ = ["fake_hub", "offline_client", "page"]  # fixtures used by name
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
WAIT_MS = 10_000


def shown(page: DiscoverPage) -> list[str]:
    return page.results_model.repo_ids()


def search(qtbot: QtBot, page: DiscoverPage, text: str) -> None:
    qtbot.keyClicks(page.search_field, text)
    qtbot.waitUntil(
        lambda: page.search_view.current_state() != "idle" and not page.controller.is_loading(), timeout=WAIT_MS
    )


def test_typing_searches_once_after_a_pause(qtbot: QtBot, page: DiscoverPage, fake_hub: FakeHub, qtmodeltester) -> None:
    page.controller.set_debounce(300)
    with qtbot.waitSignal(page.controller.resultsReady, timeout=WAIT_MS):
        qtbot.keyClicks(page.search_field, "llama")
    assert shown(page) == [SHARDED, VISION, "meta/Gated-Llama-GGUF"]  # most downloaded first
    assert len(fake_hub.requests_to("/api/models")) == 1  # five keystrokes, one request
    assert page.search_view.current_state() == "results"
    assert "3 models for “llama”" in page.search_view.status_label.text()
    index = page.results_model.index(0)
    assert index.data(ResultRole.Name) == "Sharded-Llama-GGUF"
    assert index.data(ResultRole.Author) == "org"
    assert index.data(ResultRole.Parameters) == "500k"
    assert index.data(ResultRole.Architecture) == "llama"
    assert index.data(ResultRole.Fit) is None  # honest: unknown until the repo's headers are read
    assert page.results_model.index(2).data(ResultRole.Gated) is True
    qtmodeltester.check(page.results_model)


def test_a_newer_query_supersedes_a_slow_one(qtbot: QtBot, page: DiscoverPage, fake_hub: FakeHub) -> None:
    fake_hub.throttle("/api/models", delay_s=1.0, times=1)
    pages: list[SearchPage] = []
    page.controller.resultsReady.connect(lambda result, _append: pages.append(result))
    page.controller.search_now("Sharded")  # slowed down by the fault
    qtbot.waitUntil(lambda: len(fake_hub.requests_to("/api/models")) == 1, timeout=WAIT_MS)
    page.controller.search_now("qwen")
    qtbot.waitUntil(lambda: shown(page) == [QWEN], timeout=WAIT_MS)
    assert page.controller.wait(10)  # the slow request has answered too...
    qtbot.waitUntil(lambda: not page.controller.is_loading(), timeout=WAIT_MS)
    assert [[r.repo_id for r in p.results] for p in pages] == [[QWEN]]  # ...and its results were dropped
    assert shown(page) == [QWEN]


def test_changing_the_sort_searches_again(qtbot: QtBot, page: DiscoverPage, fake_hub: FakeHub) -> None:
    search(qtbot, page, "gguf")
    assert shown(page)[0] == QWEN
    for sort, first in (("likes", SHARDED), ("trending", VISION), ("updated", VISION)):
        with qtbot.waitSignal(page.controller.resultsReady, timeout=WAIT_MS):
            page.search_view.filters.set_sort(sort)
        assert shown(page)[0] == first
        assert fake_hub.requests_to("/api/models")[-1].query["sort"] == [
            {"likes": "likes", "trending": "trendingScore", "updated": "lastModified"}[sort]
        ]


def test_author_filter(qtbot: QtBot, page: DiscoverPage) -> None:
    search(qtbot, page, "gguf")
    page.search_view.filters.author_field.setText("org")
    with qtbot.waitSignal(page.controller.resultsReady, timeout=WAIT_MS):
        page.search_view.filters.author_field.editingFinished.emit()
    assert sorted(shown(page)) == [SHARDED, VISION]


def test_load_more_appends_rows(qtbot: QtBot, page: DiscoverPage, fake_hub: FakeHub, qtmodeltester) -> None:
    fake_hub.list_page_size = 2
    page.controller.page_size = 2
    search(qtbot, page, "gguf")
    assert len(shown(page)) == 2
    assert page.search_view.load_more_button.isVisible()
    with qtbot.waitSignal(page.results_model.rowsInserted, timeout=WAIT_MS):
        qtbot.mouseClick(page.search_view.load_more_button, Qt.MouseButton.LeftButton)
    assert len(shown(page)) == 4
    assert not page.search_view.load_more_button.isVisible()  # nothing more
    qtmodeltester.check(page.results_model)


def test_no_matches_explains(qtbot: QtBot, page: DiscoverPage) -> None:
    search(qtbot, page, "no-such-model")
    assert page.search_view.current_state() == "message"
    assert "No GGUF models match “no-such-model”" in page.search_view.message_state.title_label.text()


def test_popular_models_without_typing(qtbot: QtBot, page: DiscoverPage) -> None:
    with qtbot.waitSignal(page.controller.resultsReady, timeout=WAIT_MS):
        qtbot.mouseClick(page.empty_state.action_button, Qt.MouseButton.LeftButton)
    assert len(shown(page)) == 4
    assert "popular GGUF models" in page.search_view.status_label.text()


def test_clearing_the_field_returns_to_the_start(qtbot: QtBot, page: DiscoverPage) -> None:
    search(qtbot, page, "qwen")
    page.search_field.clear()
    assert page.search_view.current_state() == "idle"
    assert page.results_model.rowCount() == 0


def test_hub_unreachable_then_retry(qtbot: QtBot, page: DiscoverPage, fake_hub: FakeHub) -> None:
    fake_hub.fail("/api/models", 503, times=1)
    search(qtbot, page, "qwen")
    view = page.search_view
    assert view.current_state() == "message"
    assert view.message_state.title_label.text() == "Hub unreachable"
    assert view.message_state.action_button.text() == "Try again"
    with qtbot.waitSignal(page.controller.resultsReady, timeout=WAIT_MS):
        qtbot.mouseClick(view.message_state.action_button, Qt.MouseButton.LeftButton)
    assert shown(page) == [QWEN]


def test_stopped_hub_shows_saved_results(
    qtbot: QtBot, fake_hub: FakeHub, hearth_paths: AppPaths, tmp_path: Path
) -> None:
    page = make_page(qtbot, fake_hub, hearth_paths, tmp_path)
    try:
        search(qtbot, page, "qwen")
        fake_hub.stop()
        with qtbot.waitSignal(page.controller.resultsReady, timeout=WAIT_MS) as blocker:
            page.controller.search_now()
        assert blocker.args[0].from_cache
        assert shown(page) == [QWEN]
        assert page.search_view.banner.isVisible()
        assert "Hub unreachable" in page.search_view.banner.text()
    finally:
        finish(qtbot, page)
