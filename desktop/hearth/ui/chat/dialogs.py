"""The questions the chat page asks (rename, confirm delete, where to save, preset editor), injectable for tests."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from hearth.core.chat import Preset
from hearth.ui.chat.preset_dialog import ask_preset

AskText = Callable[[QWidget, str, str, str], str | None]
Confirm = Callable[[QWidget, str, str], bool]
SavePath = Callable[[QWidget, str, str, str], str | None]
EditPreset = Callable[[QWidget, Preset | None], tuple[str, str] | None]


def ask_text(parent: QWidget, title: str, label: str, text: str) -> str | None:
    value, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return value if ok else None


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """A warning whose default button is the safe one."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.exec()
    return box.clickedButton() is delete


def save_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> str | None:
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, file_filter)
    return path or None


class ChatDialogs:
    """The four questions; tests replace any of them with a function that answers."""

    def __init__(
        self,
        ask_text: AskText = ask_text,
        confirm: Confirm = confirm,
        save_path: SavePath = save_path,
        edit_preset: EditPreset = ask_preset,
    ) -> None:
        self.ask_text = ask_text
        self.confirm = confirm
        self.save_path = save_path
        self.edit_preset = edit_preset
