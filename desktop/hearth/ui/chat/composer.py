"""Where the user types: Enter sends, Shift+Enter breaks the line; the button is Send or Stop.

Editing a past message reuses the composer (with a strip saying so) instead of an inline editor: one place to
type, and Escape cancels.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from hearth.ui.widgets.labels import text_label


class _Input(QPlainTextEdit):
    """Plain text with Enter = submit and Escape = cancel."""

    submitted = Signal()
    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
            event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self.submitted.emit()
            return
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)


class Composer(QWidget):
    """Text box, Send/Stop button, and the "editing" strip.

    Signals:
        sendRequested(str): the text to send (already stripped, never empty).
        stopRequested(): Stop was clicked while a reply streams.
        editCancelled(): the user left editing mode.
    """

    sendRequested = Signal(str)
    stopRequested = Signal()
    editCancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.input = _Input()
        self.input.setPlaceholderText("Message the model — Enter to send, Shift+Enter for a new line")
        self.input.setAccessibleName("Message")
        self.input.setFixedHeight(76)
        self.input.submitted.connect(self._submit)
        self.input.cancelled.connect(self.cancel_edit)
        self.button = QPushButton("Send")
        self.button.setProperty("primary", True)
        self.button.setMinimumWidth(96)  # "Stop" and "Send" swap without the row jumping or clipping
        self.button.clicked.connect(self._clicked)
        self.edit_note = text_label(
            "Editing a message: sending replaces the replies after it (the old ones are kept as a branch).",
            "fieldHint",
            wrap=True,
        )
        self.cancel_button = QPushButton("Cancel edit")
        self.cancel_button.clicked.connect(self.cancel_edit)
        strip = QHBoxLayout()
        strip.addWidget(self.edit_note, 1)
        strip.addWidget(self.cancel_button)
        self._strip = QWidget()
        self._strip.setLayout(strip)
        strip.setContentsMargins(0, 0, 0, 0)
        self._strip.hide()
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.input, 1)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self._strip)
        layout.addLayout(row)
        self._streaming = False
        self.editing_id: int | None = None

    def set_streaming(self, streaming: bool) -> None:
        self._streaming = streaming
        self.button.setText("Stop" if streaming else "Send")
        self.button.setProperty("primary", not streaming)
        self.button.style().unpolish(self.button)
        self.button.style().polish(self.button)

    def start_edit(self, message_id: int, text: str) -> None:
        self.editing_id = message_id
        self.input.setPlainText(text)
        self._strip.show()
        self.input.setFocus()

    def cancel_edit(self) -> None:
        if self.editing_id is None:
            return
        self.editing_id = None
        self.input.clear()
        self._strip.hide()
        self.editCancelled.emit()

    def finish_edit(self) -> None:
        self.editing_id = None
        self._strip.hide()

    def _clicked(self) -> None:
        if self._streaming:
            self.stopRequested.emit()
        else:
            self._submit()

    def _submit(self) -> None:
        text = self.input.toPlainText().strip()
        if self._streaming or not text:
            return
        self.sendRequested.emit(text)
