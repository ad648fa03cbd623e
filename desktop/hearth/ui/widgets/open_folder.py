"""Open a folder in the system file manager, the one way every page does it."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

log = logging.getLogger(__name__)


def open_folder(folder: Path) -> str | None:
    """Create ``folder`` if needed and open it; return a message for the user if that failed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("could not create %s: %s", folder, exc)
        return f"Could not create {folder}: {exc.strerror or exc}"
    if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
        log.warning("no file manager opened %s", folder)
        return f"No file manager could open {folder}. Open it yourself; the path can be copied."
    return None
