"""The question before a collection is removed: what goes (its index) and what stays (every file in its folders).

Why injectable: the page takes ``confirm(parent, title, text) -> bool`` so tests answer it without a modal loop.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from hearth.ui.documents.services import CollectionStatus

Confirm = Callable[[QWidget, str, str], bool]


def ask_to_remove(parent: QWidget, title: str, text: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.NoButton, parent)
    remove = box.addButton("Remove index", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(box.addButton(QMessageBox.StandardButton.Cancel))
    box.exec()
    return box.clickedButton() is remove


def remove_question(status: CollectionStatus) -> str:
    return (
        f"Remove the collection {status.name}?\n\nThis deletes its index on this computer. Your files are not "
        f"touched: everything in {', '.join(status.spec.folders)} stays where it is."
    )
