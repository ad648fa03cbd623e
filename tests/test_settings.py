"""Settings: defaults, round-trip, folder redirection, and damaged files that must not lose anything."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from hearth.core.paths import platform_paths, portable_paths, resolve_paths
from hearth.core.settings import Settings, SettingsStore


def test_hearth_home_redirects_every_folder(hearth_home: Path) -> None:
    paths = resolve_paths()
    for folder in (paths.config_dir, paths.data_dir, paths.cache_dir, paths.log_dir):
        assert folder.is_relative_to(hearth_home)
    assert paths.settings_file.is_relative_to(hearth_home)


def test_explicit_home_wins_over_environment(tmp_path: Path) -> None:
    other = tmp_path / "portable"
    assert resolve_paths(other).data_dir == (other / "data").resolve()


def test_without_home_uses_platform_folders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HEARTH_HOME")
    assert resolve_paths() == platform_paths()
    assert "Hearth" in str(platform_paths().data_dir)


def test_defaults_when_no_file(hearth_paths) -> None:
    store = SettingsStore(hearth_paths)
    assert store.settings == Settings()
    assert not hearth_paths.settings_file.exists()
    folders = store.folders()
    assert folders.models_dir == hearth_paths.data_dir / "models"
    assert folders.cache_dir == hearth_paths.cache_dir


def test_round_trip_through_the_file(hearth_paths, tmp_path: Path) -> None:
    store = SettingsStore(hearth_paths)
    models = tmp_path / "my models"
    store.update(theme="dark", context_length=8192, models_dir=str(models))
    reloaded = SettingsStore(hearth_paths)
    assert reloaded.settings == store.settings
    assert reloaded.settings.theme == "dark"
    assert reloaded.folders().models_dir == models
    assert json.loads(hearth_paths.settings_file.read_text())["context_length"] == 8192


def test_listeners_hear_only_real_changes(hearth_paths) -> None:
    store = SettingsStore(hearth_paths)
    heard: list[frozenset[str]] = []
    unsubscribe = store.subscribe(lambda _settings, changed: heard.append(changed))
    store.update(theme="light")
    store.update(theme="light")
    unsubscribe()
    store.update(theme="dark")
    assert heard == [frozenset({"theme"})]


def test_invalid_update_changes_nothing(hearth_paths) -> None:
    store = SettingsStore(hearth_paths)
    store.update(theme="dark")
    with pytest.raises(ValueError, match="theme"):
        store.update(theme="purple")
    with pytest.raises(ValueError, match="context length"):
        store.update(context_length=12)
    assert SettingsStore(hearth_paths).settings.theme == "dark"
    assert store.settings.context_length == Settings().context_length


def test_unknown_keys_survive_a_save(hearth_paths) -> None:
    """A newer Hearth's settings must not be erased by an older one."""
    hearth_paths.settings_file.write_text(json.dumps({"theme": "dark", "future_option": [1, 2]}))
    store = SettingsStore(hearth_paths)
    store.update(context_length=2048)
    saved = json.loads(hearth_paths.settings_file.read_text())
    assert saved["future_option"] == [1, 2]
    assert saved["theme"] == "dark"


def test_wrong_types_fall_back_to_defaults(hearth_paths, caplog: pytest.LogCaptureFixture) -> None:
    hearth_paths.settings_file.write_text(json.dumps({"theme": 3, "context_length": "big", "models_dir": "/m"}))
    with caplog.at_level(logging.WARNING):
        settings = SettingsStore(hearth_paths).settings
    assert settings.theme == "system"
    assert settings.context_length == 4096
    assert settings.models_dir == "/m"
    assert "context_length" in caplog.text


def test_invalid_values_are_repaired_one_by_one(hearth_paths) -> None:
    hearth_paths.settings_file.write_text(json.dumps({"theme": "purple", "context_length": 8192}))
    settings = SettingsStore(hearth_paths).settings
    assert (settings.theme, settings.context_length) == ("system", 8192)


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", "\x00\x01"])
def test_corrupt_file_is_moved_aside_not_lost(hearth_paths, content: str) -> None:
    hearth_paths.settings_file.write_text(content)
    store = SettingsStore(hearth_paths)
    assert store.settings == Settings()
    kept = list(hearth_paths.config_dir.glob("settings.json.corrupt-*"))
    assert len(kept) == 1
    assert kept[0].read_text() == content


def test_write_is_atomic(hearth_paths) -> None:
    store = SettingsStore(hearth_paths)
    store.update(theme="dark")
    leftovers = [p.name for p in hearth_paths.config_dir.iterdir() if p.name != "settings.json"]
    assert leftovers == []


def test_portable_paths_are_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert portable_paths(Path("rel")).data_dir == tmp_path / "rel" / "data"
