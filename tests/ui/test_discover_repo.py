"""Discover's repo page against a fake Hub: files grouped, fit filled in, one recommendation, gated repos."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot
from test_discover_support import GATED, QWEN, SHARDED, VISION, fake_hub, finish, make_page, offline_client, page

from hearth.core.paths import AppPaths
from hearth.testing.fake_hub import FakeHub
from hearth.ui.discover.files_model import FIT, QUANT, RECOMMENDED, RECOMMENDED_TEXT, SIZE, FileRole
from hearth.ui.discover.model_card import ModelCardView, readable_markdown, strip_front_matter
from hearth.ui.discover.page import DiscoverPage
from hearth.ui.discover.results_model import ResultRole

__all__ = ["fake_hub", "offline_client", "page"]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
WAIT_MS = 10_000


def open_settled(qtbot: QtBot, page: DiscoverPage, repo_id: str) -> None:
    page.open_repo(repo_id)
    model = page.repo_view.files.model
    qtbot.waitUntil(
        lambda: model.rowCount() > 0 and model.is_settled() and page.repo_view.hardware() is not None, timeout=WAIT_MS
    )


def column(page: DiscoverPage, col: int) -> list[str]:
    model = page.repo_view.files.model
    return [model.index(row, col).data() for row in range(model.rowCount())]


def test_quants_fit_and_one_recommendation(qtbot: QtBot, page: DiscoverPage, qtmodeltester) -> None:
    open_settled(qtbot, page, QWEN)
    model = page.repo_view.files.model
    assert sorted(column(page, QUANT)) == ["F16", "Q4_K_M", "Q8_0"]
    assert all(model.index(r, 0).data(FileRole.Estimate) is not None for r in range(3))
    assert column(page, FIT) == ["Full GPU"] * 3  # tiny models on a 12 GiB GPU
    assert column(page, RECOMMENDED).count(RECOMMENDED_TEXT) == 1
    pick = model.recommendation()
    assert pick is not None and pick.file.quant == "F16"  # the highest quality that runs fully on the GPU
    banner = page.repo_view.files.recommendation_label
    assert banner.isVisible()
    assert "Recommended for this computer: F16" in banner.text()
    assert "runs fully on your GPU" in banner.text()
    assert page.repo_view.files.selected_file() == pick.file  # selected, ready for "Download"
    assert page.repo_view.files.download_button.text().startswith("Download F16")
    assert page.repo_view.header.chips.chips()[0] == "Licence: apache-2.0"
    qtmodeltester.check(model)


def test_shards_are_one_row_and_projectors_are_marked(qtbot: QtBot, page: DiscoverPage) -> None:
    open_settled(qtbot, page, SHARDED)
    assert column(page, QUANT) == ["Q8_0"]
    assert column(page, SIZE)[0].endswith("· 2 parts")
    assert page.repo_view.files.model.file(0).files == (
        "Sharded-Llama-Q8_0-00001-of-00002.gguf",
        "Sharded-Llama-Q8_0-00002-of-00002.gguf",
    )
    assert column(page, FIT) == ["Full GPU"]  # both shards' headers, merged

    open_settled(qtbot, page, VISION)
    quants = column(page, QUANT)
    assert quants == ["Q8_0", "F16 · vision projector"]
    assert column(page, FIT)[1].startswith("Vision projector")
    assert column(page, RECOMMENDED) == [RECOMMENDED_TEXT, ""]  # a projector is never recommended


def test_context_change_reestimates_every_row(qtbot: QtBot, page: DiscoverPage) -> None:
    open_settled(qtbot, page, QWEN)
    model = page.repo_view.files.model
    combo = page.repo_view.files.context_combo
    combo.setCurrentIndex(combo.findData(2048))
    estimates = [model.index(r, 0).data(FileRole.Estimate) for r in range(model.rowCount())]
    assert {e.context for e in estimates} == {512}  # clamped to the tiny model's trained context
    assert model.context() == 2048


def test_results_list_learns_the_best_fit(qtbot: QtBot, page: DiscoverPage) -> None:
    page.controller.search_now("qwen")
    qtbot.waitUntil(lambda: page.results_model.rowCount() == 1, timeout=WAIT_MS)
    page.open_result(0)
    qtbot.waitUntil(lambda: page.results_model.index(0).data(ResultRole.Fit) is not None, timeout=WAIT_MS)
    assert page.results_model.index(0).data(ResultRole.Fit).verdict == "full_gpu"
    page.show_results()
    assert page.stack.currentWidget() is page.search_view


def test_gated_repo_explains_the_licence(qtbot: QtBot, page: DiscoverPage, fake_hub: FakeHub) -> None:
    page.open_repo(GATED)
    banner = page.repo_view.banner
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    text = banner.text()
    assert "accept the licence" in text
    assert f'href="{fake_hub.url}/{GATED}"' in text
    assert "add your Hugging Face token in Settings" in text
    model = page.repo_view.files.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and model.is_settled(), timeout=WAIT_MS)
    assert column(page, FIT) == ["Licence not accepted"]
    assert "accept the licence" in model.index(0, FIT).data(FileRole.Error)
    assert page.repo_view.files.model.recommendation() is None
    assert not page.repo_view.files.download_button.isEnabled()  # it would only fail with 401


def test_model_card_is_markdown_without_front_matter(qtbot: QtBot, page: DiscoverPage) -> None:
    page.open_repo(QWEN)
    card = page.repo_view.card
    qtbot.waitUntil(lambda: "Tiny Qwen" in card.toPlainText(), timeout=WAIT_MS)
    assert "license" not in card.toPlainText()
    assert not card.openLinks()


def test_card_text_helpers() -> None:
    text = '---\nlicense: mit\n---\n# Title\n![logo](x.png) <img src="a.png" alt="Banner"> [![b](c.svg)](d)\n'
    assert strip_front_matter(text).startswith("# Title")
    assert readable_markdown(text) == "# Title\n*logo* *Banner* *b*\n"
    assert strip_front_matter("# No front matter") == "# No front matter"


def test_card_links_only_open_on_the_web(qtbot: QtBot) -> None:
    view = ModelCardView()
    qtbot.addWidget(view)
    assert not view.open_link(QUrl("file:///etc/passwd"))
    assert not view.open_link(QUrl("javascript:alert(1)"))


def test_unreachable_repo_page_offers_retry(qtbot: QtBot, page: DiscoverPage, fake_hub: FakeHub) -> None:
    fake_hub.fail(f"/api/models/{VISION}*", 503, times=1)
    page.open_repo(VISION)
    view = page.repo_view
    qtbot.waitUntil(lambda: view.body.currentWidget() is view.state, timeout=WAIT_MS)
    assert view.state.title_label.text() == "Hub unreachable"
    view.state.action_button.click()
    qtbot.waitUntil(lambda: view.files.model.rowCount() == 2, timeout=WAIT_MS)
    assert view.body.currentWidget() is view.tabs


def test_download_goes_to_the_injected_queue(
    qtbot: QtBot, fake_hub: FakeHub, hearth_paths: AppPaths, tmp_path: Path
) -> None:
    queued: list[tuple[str, str]] = []
    page = make_page(qtbot, fake_hub, hearth_paths, tmp_path, download=lambda repo, f: queued.append((repo, f.name)))
    try:
        open_settled(qtbot, page, SHARDED)
        with qtbot.waitSignal(page.downloadRequested, timeout=WAIT_MS) as blocker:
            page.repo_view.files.download_button.click()
        assert blocker.args[0] == SHARDED
        assert blocker.args[1].files[1].endswith("00002-of-00002.gguf")
        assert queued == [(SHARDED, "Sharded-Llama-Q8_0-00001-of-00002.gguf")]
        assert "added to downloads" in page.repo_view.files.status_label.text()
    finally:
        finish(qtbot, page)
