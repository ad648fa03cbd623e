"""``hearth --screenshot``: render the window to a PNG without a display, for docs and CI checks."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from hearth.ui.main_window import DEFAULT_SIZE, MainWindow


def save_screenshot(window: MainWindow, path: Path, section: str | None = None) -> str | None:
    """Show ``window`` at the default size on ``section`` and save it; return an error message or None."""
    window.resize(*DEFAULT_SIZE)
    window.show()
    if section is not None:
        window.show_section(section)
    QApplication.processEvents()  # let layouts and the theme settle before painting
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"cannot create the folder for {path}: {exc.strerror or exc}"
    if not window.grab().save(str(path)):
        return f"cannot write {path} (is the folder writable and the extension .png or .jpg?)"
    return None
