"""A small dialog to create or edit a system prompt preset (a name and the prompt)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from hearth.core.chat import Preset


class PresetDialog(QDialog):
    """OK stays disabled until the preset has a name (the store refuses an empty one)."""

    def __init__(self, preset: Preset | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit preset" if preset else "New preset")
        self.name = QLineEdit(preset.name if preset else "")
        self.name.setPlaceholderText("e.g. Friendly tutor")
        self.prompt = QPlainTextEdit(preset.system_prompt if preset else "")
        self.prompt.setPlaceholderText("You are a helpful assistant…")
        self.prompt.setMinimumSize(420, 160)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name.textChanged.connect(self._check)
        layout = QFormLayout(self)
        layout.addRow("Name", self.name)
        layout.addRow("System prompt", self.prompt)
        layout.addRow(self.buttons)
        self._check()

    def values(self) -> tuple[str, str]:
        return self.name.text().strip(), self.prompt.toPlainText()

    def _check(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name.text().strip()))


def ask_preset(parent: QWidget, preset: Preset | None) -> tuple[str, str] | None:
    """The default editor: the dialog, modal; None when cancelled. Tests inject their own."""
    dialog = PresetDialog(preset, parent)
    try:
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
