"""One folder setting: a path field, "Browse…", "Reset to default", and an inline error line."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QGridLayout, QLabel, QLineEdit, QPushButton, QWidget

from hearth.ui.widgets.labels import error_label, show_message, text_label


def check_folder(text: str) -> str:
    """The value to store for what the user typed; ValueError says why it cannot be a folder.

    An empty value means "the default". The typed form is kept (``~/Models`` stays portable).
    """
    value = text.strip()
    if not value:
        return ""
    path = Path(value).expanduser()
    if not path.is_absolute():
        raise ValueError(f"“{value}” is not a full path. Use Browse… or type one such as {Path.home() / 'Models'}")
    if path.exists() and not path.is_dir():
        raise ValueError(f"{path} is a file, not a folder. Choose a folder.")
    return value


class FolderField(QWidget):
    """Edits one folder; the page decides whether a submitted value is accepted.

    Signals:
        submitted(str): the user finished typing, picked a folder, or reset (an empty string).
    """

    submitted = Signal(str)

    def __init__(self, title: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self._value = ""
        self._default = Path.home()
        self.line_edit = QLineEdit()
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.editingFinished.connect(self._on_editing_finished)
        self.browse_button = QPushButton("Browse…")
        self.browse_button.clicked.connect(self._browse)
        self.reset_button = QPushButton("Reset to default")
        self.reset_button.clicked.connect(lambda: self.submitted.emit(""))
        self.hint_label = text_label(hint, "fieldHint", wrap=True)
        self.error_label = error_label()

        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setHorizontalSpacing(8)
        layout.setVerticalSpacing(4)
        layout.addWidget(QLabel(title), 0, 0, 1, 3)
        layout.addWidget(self.line_edit, 1, 0)
        layout.addWidget(self.browse_button, 1, 1)
        layout.addWidget(self.reset_button, 1, 2)
        layout.addWidget(self.hint_label, 2, 0, 1, 3)
        layout.addWidget(self.error_label, 3, 0, 1, 3)
        layout.setColumnStretch(0, 1)

    def set_value(self, value: str) -> None:
        """Show the stored value (empty: the default, shown greyed) and clear any error."""
        self._value = value
        self.line_edit.setText(value)
        self.reset_button.setEnabled(bool(value))
        self.show_error(None)

    def set_default(self, default: Path) -> None:
        """The folder used while the field is empty; it can change when another folder does."""
        self._default = default
        self.line_edit.setPlaceholderText(f"{default}  (default)")

    def show_error(self, message: str | None) -> None:
        """Keep the typed text so nothing is lost; the message says how to fix it."""
        show_message(self.error_label, message)

    def _on_editing_finished(self) -> None:
        if self.line_edit.text().strip() != self._value:
            self.submitted.emit(self.line_edit.text())

    def _browse(self) -> None:
        start = self.line_edit.text().strip() or str(self._default)
        chosen = QFileDialog.getExistingDirectory(self, f"Choose the {self._title.lower()}", start)
        if chosen:
            self.line_edit.setText(chosen)
            self.submitted.emit(chosen)
