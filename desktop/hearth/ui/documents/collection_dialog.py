"""Add or edit a collection: a name, its folders, include/exclude patterns and the embedder.

Why injectable: the folder chooser is a native modal dialog; tests pass ``choose_folder`` returning a path, and
:meth:`CollectionDialog.spec` reads the result without running ``exec``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hearth.core.docs.collections import DEFAULT_EXCLUDES, CollectionSpec
from hearth.core.docs.embedders import DEFAULT_EMBEDDER_ID, GGUF_PREFIX
from hearth.ui.widgets.labels import error_label, show_message, text_label

ChooseFolder = Callable[[QWidget], str | None]
BUILT_IN_EMBEDDER = "WordLlama (offline, built in)"


def ask_for_folder(parent: QWidget) -> str | None:
    """The default chooser: the platform's folder dialog."""
    return QFileDialog.getExistingDirectory(parent, "Choose a folder to index") or None


def _patterns(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.replace(";", ",").split(",") if p.strip())


class CollectionDialog(QDialog):
    """The form; ``embedders`` are extra ``(label, path to a .gguf embedding model)`` choices from the Library."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        spec: CollectionSpec | None = None,
        taken: Sequence[str] = (),
        embedders: Sequence[tuple[str, str]] = (),
        choose_folder: ChooseFolder = ask_for_folder,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit collection" if spec else "Add a collection")
        self.setMinimumWidth(520)
        self._choose, self._taken, self._original = choose_folder, set(taken), spec
        self.name = QLineEdit(spec.name if spec else "")
        self.name.setPlaceholderText("e.g. Work notes")
        self.folders = QListWidget()
        self.folders.setFixedHeight(96)
        self.add_folder = QPushButton("Add folder…")
        self.remove_folder = QPushButton("Remove")
        self.include = QLineEdit(", ".join(spec.include) if spec else "")
        self.include.setPlaceholderText("Every supported file (e.g. *.md, *.pdf)")
        extra_excludes = [p for p in (spec.exclude if spec else ()) if p not in DEFAULT_EXCLUDES]
        self.exclude = QLineEdit(", ".join(extra_excludes))
        self.exclude.setPlaceholderText("e.g. drafts, *.log")
        self.embedder = QComboBox()
        self.embedder.addItem(BUILT_IN_EMBEDDER, DEFAULT_EMBEDDER_ID)
        for label, path in embedders:
            self.embedder.addItem(label, GGUF_PREFIX + path)
        if spec is not None:
            at = self.embedder.findData(spec.embedder_id)
            if at < 0:
                self.embedder.addItem(spec.embedder_id, spec.embedder_id)
                at = self.embedder.count() - 1
            self.embedder.setCurrentIndex(at)
            self.folders.addItems(list(spec.folders))
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.add_folder.clicked.connect(self.choose_folder)
        self.remove_folder.clicked.connect(lambda: self.folders.takeItem(self.folders.currentRow()))

        folder_buttons = QVBoxLayout()
        folder_buttons.addWidget(self.add_folder)
        folder_buttons.addWidget(self.remove_folder)
        folder_buttons.addStretch(1)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folders, 1)
        folder_row.addLayout(folder_buttons)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Folders", folder_row)
        form.addRow("Only files like", self.include)
        form.addRow("Skip", self.exclude)
        form.addRow("Embedder", self.embedder)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(
            text_label(
                "Hidden files, caches and lock files are always skipped. The index stays on this computer; "
                "Hearth only reads these folders, it never changes them.",
                "mutedLabel",
                wrap=True,
            )
        )
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def choose_folder(self) -> None:
        folder = self._choose(self)
        if folder and not self.folders.findItems(folder, Qt.MatchFlag.MatchExactly):
            self.folders.addItem(folder)
            if not self.name.text().strip():
                self.name.setText(Path(folder).name)

    def folder_list(self) -> list[str]:
        return [self.folders.item(i).text() for i in range(self.folders.count())]

    def problem(self) -> str | None:
        """Why the form cannot be saved yet (None when it can)."""
        name = self.name.text().strip()
        if not name:
            return "Give the collection a name."
        if name in self._taken and (self._original is None or self._original.name != name):
            return f"There is already a collection named {name}."
        if not self.folder_list():
            return "Add at least one folder."
        missing = [f for f in self.folder_list() if not Path(f).is_dir()]
        if missing:
            return f"Not a folder: {', '.join(missing)}"
        return None

    def spec(self) -> CollectionSpec:
        extra = dict(self._original.extra) if self._original else {}
        return CollectionSpec(
            name=self.name.text().strip(),
            folders=tuple(self.folder_list()),
            embedder_id=str(self.embedder.currentData()),
            include=_patterns(self.include.text()),
            exclude=DEFAULT_EXCLUDES + _patterns(self.exclude.text()),
            extra=extra,
        )

    def _accept(self) -> None:
        problem = self.problem()
        show_message(self.error, problem)
        if problem is None:
            self.accept()
