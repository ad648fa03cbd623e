"""Window geometry and last section, kept in ``window.ini`` in Hearth's config folder.

An INI file rather than the platform store (registry, plist, dconf): it lives with Hearth's other
settings, moves with ``HEARTH_HOME`` and so is never shared between a test and the user's real app.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

_GEOMETRY = "main_window/geometry"
_SECTION = "main_window/section"


class WindowState:
    """Reads and writes the main window's layout; QSettings keeps no file open between calls."""

    def __init__(self, config_dir: Path) -> None:
        self.file = config_dir / "window.ini"
        self._settings = QSettings(str(self.file), QSettings.Format.IniFormat)

    def restore_geometry(self, window: QMainWindow) -> bool:
        """Apply the saved geometry; False when there is none (first start) or it no longer fits."""
        geometry = self._settings.value(_GEOMETRY)
        return isinstance(geometry, QByteArray) and window.restoreGeometry(geometry)

    def last_section(self) -> str | None:
        value = self._settings.value(_SECTION)
        return value if isinstance(value, str) and value else None

    def save(self, window: QMainWindow, section: str) -> None:
        self._settings.setValue(_GEOMETRY, window.saveGeometry())
        self._settings.setValue(_SECTION, section)
        self._settings.sync()
