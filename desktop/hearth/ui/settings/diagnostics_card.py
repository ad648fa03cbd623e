"""Where Hearth writes its settings and logs, and a button to open the logs for a bug report."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hearth.core.paths import AppPaths
from hearth.ui.settings.sections import card, labeled_row
from hearth.ui.widgets.labels import error_label, show_message, text_label
from hearth.ui.widgets.open_folder import open_folder


class DiagnosticsCard(QWidget):
    """Paths shown selectable (users paste them into bug reports) and "Open log folder"."""

    def __init__(self, paths: AppPaths, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paths = paths
        self.config_path_label = _path_label(str(paths.settings_file))
        self.log_path_label = _path_label(str(paths.log_file))
        self.open_logs_button = QPushButton("Open log folder")
        self.open_logs_button.clicked.connect(self._open_logs)
        self.error_label = error_label()

        buttons = QHBoxLayout()
        buttons.addWidget(self.open_logs_button)
        buttons.addStretch(1)
        content = QVBoxLayout()
        content.addLayout(labeled_row("Settings file", self.config_path_label))
        content.addLayout(labeled_row("Log file", self.log_path_label))
        content.addLayout(buttons)
        content.addWidget(self.error_label)
        frame: QFrame = card("Files and logs", content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)

    def _open_logs(self) -> None:
        show_message(self.error_label, open_folder(self._paths.log_dir))


def _path_label(text: str) -> QLabel:
    return text_label(text, "mutedLabel", wrap=True, selectable=True)
