"""The Settings page saves through SettingsStore; bad input shows a message and changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from hearth.core.paths import AppPaths
from hearth.core.settings import Settings, SettingsStore
from hearth.ui.settings import folder_field
from hearth.ui.settings.page import SettingsPage
from hearth.ui.settings_events import SettingsEvents

# The offscreen platform warns when a top-level widget's size constraints change; harmless there.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def store(hearth_paths: AppPaths) -> SettingsStore:
    return SettingsStore(hearth_paths)


@pytest.fixture
def page(qtbot: QtBot, store: SettingsStore) -> Iterator[SettingsPage]:
    events = SettingsEvents(store)
    page = SettingsPage(store, events)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    yield page
    events.detach()


def saved(paths: AppPaths) -> Settings:
    """What a fresh start would read from settings.json."""
    return SettingsStore(paths).settings


def submit(qtbot: QtBot, field: folder_field.FolderField, text: str) -> None:
    field.line_edit.clear()
    qtbot.keyClicks(field.line_edit, text)
    qtbot.keyClick(field.line_edit, Qt.Key.Key_Return)


def test_widgets_start_from_the_stored_settings(qtbot: QtBot, hearth_paths: AppPaths, tmp_path: Path) -> None:
    store = SettingsStore(hearth_paths)
    store.update(theme="dark", context_length=16384, cache_dir=str(tmp_path / "c"))
    page = SettingsPage(store, SettingsEvents(store))
    qtbot.addWidget(page)
    assert page.theme_combo.currentData() == "dark"
    assert page.context_spin.value() == 16384
    assert page.folder_fields["cache_dir"].line_edit.text() == str(tmp_path / "c")
    assert page.folder_fields["models_dir"].line_edit.text() == ""
    assert str(hearth_paths.data_dir / "models") in page.folder_fields["models_dir"].line_edit.placeholderText()


def test_theme_choice_is_saved(page: SettingsPage, hearth_paths: AppPaths) -> None:
    page.theme_combo.setCurrentIndex(page.theme_combo.findData("dark"))
    assert saved(hearth_paths).theme == "dark"
    assert json.loads(hearth_paths.settings_file.read_text(encoding="utf-8"))["theme"] == "dark"


def test_context_length_typed_is_saved(qtbot: QtBot, page: SettingsPage, hearth_paths: AppPaths) -> None:
    editor = page.context_spin.lineEdit()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "8192")
    assert saved(hearth_paths).context_length == 4096  # nothing saved while typing
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert saved(hearth_paths).context_length == 8192


def test_folder_typed_browsed_and_reset(
    qtbot: QtBot, page: SettingsPage, hearth_paths: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    models = page.folder_fields["models_dir"]
    submit(qtbot, models, str(tmp_path / "my models"))
    assert saved(hearth_paths).models_dir == str(tmp_path / "my models")
    assert models.reset_button.isEnabled()

    picked = tmp_path / "picked"
    monkeypatch.setattr(folder_field.QFileDialog, "getExistingDirectory", lambda *_args: str(picked))
    qtbot.mouseClick(page.folder_fields["cache_dir"].browse_button, Qt.MouseButton.LeftButton)
    assert saved(hearth_paths).cache_dir == str(picked)

    qtbot.mouseClick(models.reset_button, Qt.MouseButton.LeftButton)
    assert saved(hearth_paths).models_dir == ""
    assert models.line_edit.text() == ""
    assert not models.reset_button.isEnabled()


def test_data_folder_moves_the_default_models_folder(qtbot: QtBot, page: SettingsPage, tmp_path: Path) -> None:
    submit(qtbot, page.folder_fields["data_dir"], str(tmp_path / "data"))
    assert str(tmp_path / "data" / "models") in page.folder_fields["models_dir"].line_edit.placeholderText()


@pytest.mark.parametrize(
    ("typed", "message"),
    [("relative/models", "not a full path"), ("{file}", "is a file, not a folder")],
)
def test_invalid_folder_shows_an_error_and_keeps_the_old_value(
    qtbot: QtBot, page: SettingsPage, hearth_paths: AppPaths, tmp_path: Path, typed: str, message: str
) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a folder", encoding="utf-8")
    typed = typed.format(file=a_file)
    models = page.folder_fields["models_dir"]
    submit(qtbot, models, typed)
    assert models.error_label.isVisible()
    assert message in models.error_label.text()
    assert models.line_edit.text() == typed  # the user's typing is not lost
    assert saved(hearth_paths).models_dir == ""

    submit(qtbot, models, str(tmp_path / "fixed"))
    assert not models.error_label.isVisible()
    assert saved(hearth_paths).models_dir == str(tmp_path / "fixed")


def test_a_value_the_store_rejects_is_reported_inline(
    page: SettingsPage, store: SettingsStore, hearth_paths: AppPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    def reject(**_changes: object) -> Settings:
        raise ValueError("context length must be between 256 and 1,048,576 tokens")

    monkeypatch.setattr(store, "update", reject)
    page.context_spin.setValue(2048)
    assert page.context_error.isVisible()
    assert "between 256" in page.context_error.text()
    assert saved(hearth_paths).context_length == 4096


def test_changes_made_elsewhere_show_up(page: SettingsPage, store: SettingsStore) -> None:
    store.update(theme="light", context_length=32768)
    assert page.theme_combo.currentData() == "light"
    assert page.context_spin.value() == 32768


def test_paths_and_portable_mode_are_shown(page: SettingsPage, hearth_paths: AppPaths) -> None:
    assert page.diagnostics.config_path_label.text() == str(hearth_paths.settings_file)
    assert page.diagnostics.log_path_label.text() == str(hearth_paths.log_file)
    notices = [label.text() for label in page.findChildren(type(page.theme_error)) if "Portable mode" in label.text()]
    assert notices and str(hearth_paths.config_dir.parent) in notices[0]
