"""The Library page on a prepared computer: every origin listed with its header facts and fit, broken files
explained, Hearth's own models deleted after a question, other apps' models left alone, Chat and the filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from library_fixtures import WAIT_MS, Computer, Confirm, computer, confirm, finish, make_page, page, settle
from PySide6.QtCore import Qt, QUrl
from pytestqt.qtbot import QtBot

from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes
from hearth.ui.library.library_model import LibraryRole
from hearth.ui.library.page import LibraryPage

__all__ = ["computer", "confirm", "page"]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def rows(page: LibraryPage, role: int = LibraryRole.Name) -> list[object]:
    return [page.proxy.index(r, 0).data(role) for r in range(page.proxy.rowCount())]


def row_of(page: LibraryPage, path: Path) -> int:
    for r in range(page.proxy.rowCount()):
        if page.proxy.index(r, 0).data(LibraryRole.Path) == str(path):
            return r
    raise AssertionError(f"{path} is not listed")


def data(page: LibraryPage, path: Path, role: int) -> object:
    return page.proxy.index(row_of(page, path), 0).data(role)


def test_every_origin_is_listed_with_header_facts_and_fit(page: LibraryPage, computer: Computer, qtmodeltester) -> None:
    assert page.stack.currentWidget() is page.listing
    origins = dict(zip(rows(page, LibraryRole.Path), rows(page, LibraryRole.OriginLabel), strict=True))
    assert origins == {
        str(computer.hearth_model): "Hearth",
        str(computer.broken_model): "Hearth",
        str(computer.hf_model): "HF cache",
        str(computer.lm_studio_model): "LM Studio",
    }
    chips = data(page, computer.hearth_model, LibraryRole.Chips)
    assert chips[:2] == ["Q8_0", "llama"] or "llama" in chips
    assert "512 context" in chips and "Chat template" in chips
    assert "No chat template" in data(page, computer.hf_model, LibraryRole.Chips)
    assert data(page, computer.hearth_model, LibraryRole.Subtitle) == "org/Tiny-Chat-GGUF"
    assert data(page, computer.hf_model, LibraryRole.Subtitle) == "bartowski/Qwen-GGUF"
    fit = data(page, computer.hearth_model, LibraryRole.Fit)
    assert fit is not None and fit.verdict == "full_gpu"  # a tiny model on the hand-built RTX 4070
    assert "fit: Full GPU" in data(page, computer.hearth_model, Qt.ItemDataRole.AccessibleTextRole)
    assert "4 models" in page.status_label.text() and "1 cannot be loaded" in page.status_label.text()
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)


def test_broken_file_is_listed_with_its_reason(page: LibraryPage, computer: Computer) -> None:
    assert data(page, computer.broken_model, LibraryRole.Valid) is False
    reason = data(page, computer.broken_model, LibraryRole.Subtitle)
    assert reason and "GGUF" in reason
    assert data(page, computer.broken_model, LibraryRole.Fit) is None
    page.select_path(str(computer.broken_model))
    assert not page.action_bar.chat_button.isEnabled()
    assert "cannot be loaded" in page.action_bar.chat_button.toolTip()
    assert page.action_bar.delete_button.isEnabled()  # Hearth's own broken download can go


def test_deleting_a_hearth_model_asks_and_frees_its_space(
    qtbot: QtBot, page: LibraryPage, computer: Computer, confirm: Confirm
) -> None:
    size = computer.hearth_model.stat().st_size
    assert page.select_path(str(computer.hearth_model))
    with qtbot.waitSignal(page.controller.deleted, timeout=WAIT_MS) as blocker:
        page.action_bar.delete_button.click()
    [question] = confirm.asked
    assert question.startswith("Delete tiny-chat-Q8_0?") and f"frees {format_bytes(size)}" in question
    assert blocker.args[1] == size
    assert not computer.hearth_model.exists()
    assert not computer.hearth_model.parent.exists()  # the empty repo folder went with it
    assert str(computer.hearth_model) not in rows(page, LibraryRole.Path)
    assert "freed" in page.status_label.text()


def test_a_declined_question_keeps_the_model(qtbot: QtBot, computer: Computer, hearth_paths: AppPaths) -> None:
    confirm = Confirm(answer=False)
    page, events = make_page(qtbot, hearth_paths, confirm)
    try:
        page.show()
        settle(qtbot, page)
        page.select_path(str(computer.hearth_model))
        page.delete_selected()
        assert confirm.asked and computer.hearth_model.exists()
        assert str(computer.hearth_model) in rows(page, LibraryRole.Path)
    finally:
        finish(page, events)


@pytest.mark.parametrize(("which", "owner"), [("lm_studio_model", "LM Studio"), ("hf_model", "HF cache")])
def test_other_apps_models_cannot_be_deleted(
    page: LibraryPage, computer: Computer, confirm: Confirm, which: str, owner: str
) -> None:
    path = getattr(computer, which)
    page.select_path(str(path))
    button = page.action_bar.delete_button
    assert not button.isEnabled()
    assert button.toolTip() == f"Managed by {owner} — delete it there"
    page.delete_selected()  # even when called directly
    assert confirm.asked == [] and path.exists()


def test_chat_emits_the_model_path(qtbot: QtBot, page: LibraryPage, computer: Computer) -> None:
    page.select_path(str(computer.lm_studio_model))
    with qtbot.waitSignal(page.chatRequested, timeout=WAIT_MS) as blocker:
        page.action_bar.chat_button.click()
    assert blocker.args == [str(computer.lm_studio_model)]
    with qtbot.waitSignal(page.chatRequested, timeout=WAIT_MS) as blocker:
        page.list.activatedRow.emit(row_of(page, computer.hf_model))
    assert blocker.args == [str(computer.hf_model)]


def test_show_in_folder_opens_the_models_folder(
    page: LibraryPage, computer: Computer, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    services = "hearth.ui.widgets.open_folder.QDesktopServices"
    monkeypatch.setattr(f"{services}.openUrl", lambda url: opened.append(url) or True)
    page.select_path(str(computer.hf_model))
    page.action_bar.folder_button.click()
    assert opened == [QUrl.fromLocalFile(str(computer.hf_model.parent))]


def test_filter_narrows_the_list(page: LibraryPage, computer: Computer) -> None:
    page.filter_field.setText("lm studio")
    assert rows(page, LibraryRole.Path) == [str(computer.lm_studio_model)]
    page.filter_field.setText("q4_k_m")
    assert len(rows(page)) == 3  # the broken file's quant comes from its name
    page.filter_field.setText("no such model")
    assert rows(page) == [] and page.no_match_label.isVisible()
    page.filter_field.clear()
    assert len(rows(page)) == 4 and not page.no_match_label.isVisible()


def test_context_change_reestimates(qtbot: QtBot, page: LibraryPage, computer: Computer) -> None:
    page._store.update(context_length=256)  # the page's own store notifies its settings events
    qtbot.waitUntil(lambda: data(page, computer.hearth_model, LibraryRole.Fit).context == 256, timeout=WAIT_MS)


def test_nothing_found_keeps_the_empty_state(
    qtbot: QtBot, hearth_paths: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTH_SCAN_HOME", str(tmp_path / "empty-home"))
    page, events = make_page(qtbot, hearth_paths, Confirm())
    try:
        page.show()
        settle(qtbot, page)
        assert page.stack.currentWidget() is page.empty_state
        assert str(SettingsStore(hearth_paths).folders().models_dir) in page.empty_state.text_label.text()
        with qtbot.waitSignal(page.sectionRequested, timeout=WAIT_MS) as blocker:
            page.empty_state.action_button.click()
        assert blocker.args == ["discover"]
    finally:
        finish(page, events)
