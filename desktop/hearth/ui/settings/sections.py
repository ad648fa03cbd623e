"""Building blocks of the Settings page: cards that group settings, rows that line their fields up."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QLayout, QVBoxLayout, QWidget

from hearth.ui.widgets.labels import styled, text_label

LABEL_WIDTH = 170


def card(title: str, content: QLayout, subtitle: str | None = None) -> QFrame:
    """A rounded panel (styled as ``QFrame#card`` by the theme) with a title above ``content``."""
    frame = styled(QFrame(), "card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(20, 16, 20, 18)
    layout.setSpacing(10)
    layout.addWidget(text_label(title, "cardTitle"))
    if subtitle:
        layout.addWidget(text_label(subtitle, "fieldHint", wrap=True))
    layout.addLayout(content)
    return frame


def labeled_row(text: str, field: QWidget) -> QHBoxLayout:
    """Label and field side by side, the field at its natural width.

    A theme menu stretched across a wide window reads as a text box; a shared label width lines the
    fields of all cards up.
    """
    label = QLabel(text)
    label.setMinimumWidth(LABEL_WIDTH)
    label.setBuddy(field)
    row = QHBoxLayout()
    row.setSpacing(16)
    row.addWidget(label)
    row.addWidget(field, 1 if isinstance(field, QLabel) else 0)
    if not isinstance(field, QLabel):
        row.addStretch(1)
    return row
