"""The question before a delete: what goes, how much space comes back, and that it can be downloaded again.

Why injectable: the page takes ``confirm(parent, title, text) -> bool`` so tests answer it without a modal loop.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from hearth.core.library import LocalModel
from hearth.core.units import format_bytes

Confirm = Callable[[QWidget, str, str], bool]


def delete_question(model: LocalModel) -> str:
    files = len(model.files)
    what = f"its {files} files" if files > 1 else "its file"
    return (
        f"Delete {model.display_name}?\n\nThis frees {format_bytes(model.size_bytes)} on disk by deleting "
        f"{what} from {model.path.parent}. You can download it again from Discover."
    )


def ask_to_delete(parent: QWidget, title: str, text: str) -> bool:
    """The default confirmation: a warning box whose default button is the safe one."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    delete = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.exec()
    return box.clickedButton() is delete
