"""Light and dark themes that follow the operating system unless the user picks one in Settings.

Fusion plus an explicit palette looks the same on every OS (native styles ignore half of a palette), and
a small stylesheet per scheme adds what a palette cannot say: the sidebar, cards, the primary button.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from hearth.core.settings import THEMES
from hearth.ui.resources import read_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchemeColors:
    """The colours of one scheme; the ``.qss`` files use the same values."""

    window: str
    base: str
    alternate_base: str
    text: str
    muted: str
    button: str
    border: str
    accent: str
    on_accent: str
    link: str
    disabled: str
    tooltip: str
    tooltip_text: str


LIGHT = SchemeColors(
    window="#f6f5f3",
    base="#ffffff",
    alternate_base="#f1eeea",
    text="#1f1b18",
    muted="#6d655e",
    button="#ffffff",
    border="#e1ddd8",
    accent="#d9582b",
    on_accent="#ffffff",
    link="#b4441c",
    disabled="#aaa29b",
    tooltip="#2a2522",
    tooltip_text="#f6f5f3",
)

DARK = SchemeColors(
    window="#1f1d1c",
    base="#1c1a19",
    alternate_base="#232120",
    text="#ece8e4",
    muted="#a29a92",
    button="#2a2826",
    border="#35322f",
    accent="#e8703a",
    on_accent="#1b1210",
    link="#ffa877",
    disabled="#6a635d",
    tooltip="#ece8e4",
    tooltip_text="#1f1d1c",
)

SCHEMES = {"light": LIGHT, "dark": DARK}


def build_palette(colors: SchemeColors) -> QPalette:
    """A complete palette, so no role falls back to the platform's (which may be the other scheme)."""
    palette = QPalette()
    role = QPalette.ColorRole
    for roles, value in (
        ((role.Window,), colors.window),
        ((role.WindowText, role.Text, role.ButtonText, role.BrightText), colors.text),
        ((role.Base,), colors.base),
        ((role.AlternateBase,), colors.alternate_base),
        ((role.Button,), colors.button),
        ((role.PlaceholderText,), colors.muted),
        ((role.Highlight, role.Accent), colors.accent),
        ((role.HighlightedText,), colors.on_accent),
        ((role.Link,), colors.link),
        ((role.LinkVisited,), colors.link),
        ((role.ToolTipBase,), colors.tooltip),
        ((role.ToolTipText,), colors.tooltip_text),
        ((role.Mid, role.Midlight), colors.border),
    ):
        for r in roles:
            palette.setColor(r, QColor(value))
    for r in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, r, QColor(colors.disabled))
    return palette


def system_scheme() -> str:
    """``"dark"`` when the OS says so; an unknown scheme (offscreen, old desktops) counts as light."""
    dark = QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark
    return "dark" if dark else "light"


class ThemeController(QObject):
    """Applies the theme the settings ask for and re-applies it when the OS switches scheme.

    Signals:
        schemeChanged(str): ``"light"`` or ``"dark"``, after palette and stylesheet were applied.
    """

    schemeChanged = Signal(str)

    def __init__(self, app: QApplication, preference: str = "system", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self._preference = "system"
        self._scheme = ""
        app.setStyle("Fusion")
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme_changed)
        self.set_preference(preference)

    @property
    def preference(self) -> str:
        return self._preference

    @property
    def scheme(self) -> str:
        """The scheme in effect: ``"light"`` or ``"dark"``."""
        return self._scheme

    def set_preference(self, preference: str) -> None:
        """``"system"``, ``"light"`` or ``"dark"``; applied at once."""
        if preference not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {preference!r}")
        self._preference = preference
        self._tell_platform(preference)
        self._apply(system_scheme() if preference == "system" else preference)

    def _tell_platform(self, preference: str) -> None:
        """Qt 6.8+ passes an explicit choice to native dialogs and title bars too."""
        hints = QGuiApplication.styleHints()
        if preference == "system":
            if hasattr(hints, "unsetColorScheme"):
                hints.unsetColorScheme()
        elif hasattr(hints, "setColorScheme"):
            hints.setColorScheme(Qt.ColorScheme.Dark if preference == "dark" else Qt.ColorScheme.Light)

    def _on_system_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._preference == "system":
            self._apply(system_scheme())

    def _apply(self, scheme: str) -> None:
        if scheme == self._scheme:
            return
        self._app.setPalette(build_palette(SCHEMES[scheme]))
        self._app.setStyleSheet(read_text(f"themes/{scheme}.qss"))
        self._scheme = scheme
        log.info("theme: %s (preference %s)", scheme, self._preference)
        self.schemeChanged.emit(scheme)
