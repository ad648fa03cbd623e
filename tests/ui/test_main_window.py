"""The main window: sections, navigation, empty-state buttons, remembered layout, status bar."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from pytestqt.qtbot import QtBot

from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.ui.main_window import MainWindow

SECTIONS = ["discover", "library", "chat", "documents", "settings"]


@pytest.fixture
def store(hearth_paths: AppPaths) -> SettingsStore:
    return SettingsStore(hearth_paths)


def open_window(qtbot: QtBot, store: SettingsStore) -> MainWindow:
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def window(qtbot: QtBot, store: SettingsStore) -> Iterator[MainWindow]:
    window = open_window(qtbot, store)
    yield window
    window.events.detach()


def test_five_sections_in_order(window: MainWindow, qtmodeltester) -> None:
    assert window.section_names() == SECTIONS
    assert window.sidebar.section_names() == SECTIONS
    labels = [window.sidebar.list_widget.item(row).text() for row in range(window.sidebar.list_widget.count())]
    assert labels == ["Discover", "Library", "Chat", "Documents", "Settings"]
    assert window.stack.count() == 5
    assert window.current_section() == "discover"
    qtmodeltester.check(window.sidebar.list_widget.model())


def test_clicking_the_sidebar_switches_page(qtbot: QtBot, window: MainWindow) -> None:
    nav = window.sidebar.list_widget
    for name in ("chat", "settings", "library"):
        rect = nav.visualItemRect(window.sidebar.item(name))
        with qtbot.waitSignal(window.sectionChanged, timeout=2000) as blocker:
            qtbot.mouseClick(nav.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert blocker.args == [name]
        assert window.current_section() == name
        assert window.stack.currentWidget() is window.page(name)
        assert nav.currentItem() is window.sidebar.item(name)


def test_show_section_updates_sidebar_and_rejects_unknown_names(qtbot: QtBot, window: MainWindow) -> None:
    with qtbot.waitSignal(window.sectionChanged, timeout=2000) as blocker:
        window.show_section("documents")
    assert blocker.args == ["documents"]
    assert window.sidebar.list_widget.currentItem().text() == "Documents"
    with qtbot.assertNotEmitted(window.sectionChanged):
        window.show_section("documents")
    with pytest.raises(ValueError, match="unknown section 'models'"):
        window.show_section("models")


@pytest.mark.parametrize(
    ("section", "target"),
    [("library", "discover"), ("chat", "library"), ("documents", "discover")],
)
def test_empty_state_buttons_lead_to_the_next_step(qtbot: QtBot, window: MainWindow, section: str, target: str) -> None:
    window.show_section(section)
    button = window.page(section).empty_state.action_button
    assert button.isVisible() and button.isEnabled()
    with qtbot.waitSignal(window.sectionChanged, timeout=2000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert blocker.args == [target]
    assert window.stack.currentWidget() is window.page(target)


def test_layout_is_restored_in_a_new_window(qtbot: QtBot, store: SettingsStore, hearth_paths: AppPaths) -> None:
    first = open_window(qtbot, store)
    first.resize(790, 580)  # within the offscreen screen (800x600): restoreGeometry clamps to the screen
    first.show_section("documents")
    first.close()
    assert (hearth_paths.config_dir / "window.ini").is_file()

    second = open_window(qtbot, store)
    try:
        assert second.current_section() == "documents"
        assert second.stack.currentWidget() is second.page("documents")
        assert second.size() == QSize(790, 580)
    finally:
        second.close()


def test_library_and_status_bar_follow_the_models_folder(
    window: MainWindow, store: SettingsStore, tmp_path: Path
) -> None:
    default = str(store.folders().models_dir)
    assert default in window.page("library").empty_state.text_label.text()
    assert f"Models folder: {default}" in window.status_bar.folder_label.text()
    assert "free" in window.status_bar.folder_label.text()

    moved = tmp_path / "elsewhere"
    store.update(models_dir=str(moved))
    assert str(moved) in window.page("library").empty_state.text_label.text()
    assert f"Models folder: {moved}" in window.status_bar.folder_label.text()
