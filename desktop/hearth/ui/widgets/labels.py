"""Labels styled by role: the theme's QSS targets these object names, so a role is a style, not an id."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

W = TypeVar("W", bound=QWidget)


def styled(widget: W, role: str) -> W:
    """Give ``widget`` the object name its QSS rule uses (``QFrame#card``, ``QLabel#errorLabel``...)."""
    widget.setObjectName(role)
    return widget


def text_label(
    text: str = "",
    role: str | None = None,
    *,
    wrap: bool = False,
    selectable: bool = False,
    align: Qt.AlignmentFlag | None = None,
) -> QLabel:
    """A label in one of the theme's roles; paths and messages are ``selectable`` so users can copy them."""
    label = QLabel(text)
    if role is not None:
        label.setObjectName(role)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if align is not None:
        label.setAlignment(align)
    return label


def error_label() -> QLabel:
    """An inline error line, hidden until there is something to say."""
    label = text_label(role="errorLabel", wrap=True, selectable=True)
    label.hide()
    return label


def show_message(label: QLabel, message: str | None) -> None:
    """Show ``message`` in ``label``, or hide the label when there is none."""
    label.setText(message or "")
    label.setVisible(bool(message))
