"""Which document collections a conversation answers from: a button with a checkable menu in the settings panel.

Why a menu: most people have one to three collections; a menu keeps the panel short and still allows several.
The picks are per conversation (kept by :class:`DocumentContext`); this widget only shows and edits them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolButton, QVBoxLayout, QWidget

from hearth.ui.widgets.labels import text_label


class CollectionPicker(QWidget):
    """A "Documents: …" button; its menu lists the collections, checked = used for answers.

    Signals:
        changed(object): the checked collection names (a tuple), after the user toggled one.
    """

    changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.button = QToolButton()
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setAccessibleName("Answer from documents")
        self.button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.menu = QMenu(self.button)
        self.button.setMenu(self.menu)
        self.hint = text_label("", "mutedLabel", wrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(text_label("Answer from documents", "fieldHint"))
        layout.addWidget(self.button)
        layout.addWidget(self.hint)
        self._actions: dict[str, QAction] = {}
        self.set_collections([])

    def set_collections(self, names: Sequence[str]) -> None:
        """The collections that exist (from the Documents page); picks of removed ones are dropped."""
        picked = set(self.picked())
        self.menu.clear()
        self._actions = {}
        for name in names:
            action = self.menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(name in picked)
            action.toggled.connect(lambda _on: self._toggled())
            self._actions[name] = action
        self.button.setEnabled(bool(names))
        self.hint.setText("" if names else "Add a folder in Documents to ask about your files.")
        self.hint.setVisible(not names)
        self._label()

    def set_picked(self, names: Iterable[str]) -> None:
        """Show a conversation's picks without emitting :attr:`changed`."""
        wanted = set(names)
        for name, action in self._actions.items():
            action.blockSignals(True)
            action.setChecked(name in wanted)
            action.blockSignals(False)
        self._label()

    def picked(self) -> tuple[str, ...]:
        return tuple(name for name, action in self._actions.items() if action.isChecked())

    def _toggled(self) -> None:
        self._label()
        self.changed.emit(self.picked())

    def _label(self) -> None:
        picked = self.picked()
        self.button.setText("None — answer from the model alone" if not picked else ", ".join(picked))
