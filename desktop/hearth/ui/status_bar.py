"""The bottom line: where models go and how much room is left, so a failed download never surprises."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from hearth.core import hardware
from hearth.core.settings import Folders
from hearth.core.units import format_bytes

log = logging.getLogger(__name__)


class HearthStatusBar(QStatusBar):
    """Models folder and its free space on the left; downloads, then the loaded model, on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.folder_label = QLabel()
        self.model_label = QLabel("No model loaded")
        self.addWidget(self.folder_label, 1)
        self.addPermanentWidget(self.model_label)

    def add_downloads(self, indicator: QWidget) -> None:
        """The downloads line, between the folder and the loaded model (the window owns the queue)."""
        self.insertPermanentWidget(1, indicator)  # after the folder (index 0), before the model

    def show_folders(self, folders: Folders) -> None:
        """One ``statvfs``: cheap enough for the main thread, and only on start and on a folder change."""
        folder = folders.models_dir
        try:
            free = f"{format_bytes(hardware.free_disk_bytes(folder))} free"
        except OSError as exc:
            log.warning("free space of %s unknown: %s", folder, exc)
            free = "free space unknown"
        self.folder_label.setText(f"Models folder: {folder}  ·  {free}")
        self.folder_label.setToolTip(str(folder))
