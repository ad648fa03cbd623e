"""Themes and icons: the palette follows the setting, every icon renders in every colour."""

from __future__ import annotations

from collections.abc import Iterator
from importlib.resources import files

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from hearth.ui.resources import icon, read_text
from hearth.ui.theme import DARK, LIGHT, ThemeController, system_scheme


@pytest.fixture
def restore_look(qapp: QApplication) -> Iterator[QApplication]:
    palette, style_sheet = qapp.palette(), qapp.styleSheet()
    yield qapp
    qapp.setStyleSheet(style_sheet)
    qapp.setPalette(palette)


def window_color(app: QApplication) -> str:
    return app.palette().color(QPalette.ColorRole.Window).name()


def test_explicit_choice_overrides_the_system(restore_look: QApplication, qtbot) -> None:
    theme = ThemeController(restore_look, "dark")
    assert theme.scheme == "dark"
    assert window_color(restore_look) == DARK.window
    assert "QFrame#sidebar" in restore_look.styleSheet()
    with qtbot.waitSignal(theme.schemeChanged, timeout=1000) as blocker:
        theme.set_preference("light")
    assert blocker.args == ["light"]
    assert window_color(restore_look) == LIGHT.window


def test_system_preference_follows_the_platform(restore_look: QApplication) -> None:
    theme = ThemeController(restore_look, "system")
    assert theme.scheme == system_scheme()
    with pytest.raises(ValueError, match="theme must be one of"):
        theme.set_preference("sepia")
    assert theme.preference == "system"


@pytest.mark.parametrize("name", ["hearth", "discover", "library", "chat", "documents", "settings", "search", "folder"])
def test_every_icon_renders(qapp: QApplication, name: str) -> None:
    for color in (LIGHT.text, DARK.accent, None):
        pixmap = icon(name, color).pixmap(32, 32)
        assert not pixmap.isNull()
        assert pixmap.toImage().pixelColor(16, 16).isValid()


def test_theme_files_and_desktop_entry_are_packaged() -> None:
    for scheme in ("light", "dark"):
        assert "QListWidget#sidebarList" in read_text(f"themes/{scheme}.qss")
    entry = files("hearth.resources").joinpath("hearth.desktop").read_text(encoding="utf-8")
    assert "Exec=hearth" in entry and "Icon=hearth" in entry
