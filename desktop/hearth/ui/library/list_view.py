"""The Library's card list and the action bar under it: Chat, Show in folder, Delete for the selected model.

Why an action bar rather than buttons painted on each card: real buttons take keyboard focus, carry a tooltip
(why Delete is off for LM Studio's models) and a screen-reader name, and the list stays a cheap painted list.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QListView, QPushButton, QWidget

from hearth.core.library import LocalModel
from hearth.ui.library.library_delegate import LibraryDelegate
from hearth.ui.library.library_model import owner_note
from hearth.ui.widgets.labels import text_label


class LibraryList(QListView):
    """The cards; Enter or a double-click asks to chat with the current model.

    Signals:
        activatedRow(int): the user opened the model in this (view) row.
    """

    activatedRow = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(LibraryDelegate(self))
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(True)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAccessibleName("Models on this computer")
        self.viewport().setAutoFillBackground(False)
        self.activated.connect(lambda index: self.activatedRow.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activatedRow.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)

    def select_row(self, row: int) -> None:
        index = self.model().index(row, 0, QModelIndex())
        self.setCurrentIndex(index)
        self.scrollTo(index)


class ActionBar(QWidget):
    """What can be done with the selected model; buttons are enabled per model, with the reason when not."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_label = text_label(role="mutedLabel")
        self.folder_button = QPushButton("Show in folder")
        self.delete_button = QPushButton("Delete…")
        self.chat_button = QPushButton("Chat")
        self.chat_button.setProperty("primary", True)
        for button in (self.folder_button, self.delete_button, self.chat_button):
            button.setCursor(Qt.CursorShape.PointingHandCursor)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.name_label, 1)
        layout.addWidget(self.folder_button)
        layout.addWidget(self.delete_button)
        layout.addWidget(self.chat_button)
        self.show_model(None)

    def show_model(self, model: LocalModel | None) -> None:
        """Enable what ``model`` allows; None (nothing selected) disables every button."""
        note = owner_note(model) if model is not None else None
        name = model.display_name if model else "Select a model to chat with it or manage it."
        self.name_label.setText(f"{name}  ·  {note}" if note else name)
        self.folder_button.setEnabled(model is not None)
        self.chat_button.setEnabled(model is not None and model.valid)
        self.chat_button.setToolTip(
            "" if model is None or model.valid else f"This file cannot be loaded: {model.error}"
        )
        self.delete_button.setEnabled(model is not None and note is None)
        self.delete_button.setToolTip(note or ("Delete this model's files from disk" if model else ""))
