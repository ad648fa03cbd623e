"""The row under the search field: sort order, architecture, size range and author.

Why a fixed list of architectures and size bands: they are the ones GGUF uploads use (``general.architecture``)
and the sizes people shop by (what runs on a laptop, on a gaming GPU, on a workstation); free text would let
users type names the Hub never matches.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

SORTS = (
    ("downloads", "Most downloaded"),
    ("likes", "Most liked"),
    ("trending", "Trending"),
    ("updated", "Recently updated"),
)
ARCHITECTURES = (
    "llama", "qwen2", "qwen3", "qwen3moe", "gemma2", "gemma3", "phi3", "mistral3", "deepseek2", "gpt-oss",
    "granite", "olmo2",
)  # fmt: skip
B = 1_000_000_000
SIZES: tuple[tuple[str, int | None, int | None], ...] = (
    ("Any size", None, None),
    ("Up to 4B", None, 4 * B),
    ("4B – 9B", 4 * B, 9 * B),
    ("9B – 16B", 9 * B, 16 * B),
    ("16B – 40B", 16 * B, 40 * B),
    ("Over 40B", 40 * B, None),
)


class FiltersBar(QWidget):
    """Sort, architecture, parameter range and author; each change is reported at once.

    Signals:
        optionsChanged(dict): keyword changes for :meth:`SearchController.set_options` (``sort``,
            ``architecture``, ``min_params``, ``max_params``, ``author``).
    """

    optionsChanged = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sort_combo = QComboBox()
        self.sort_combo.setAccessibleName("Sort results by")
        for value, label in SORTS:
            self.sort_combo.addItem(label, value)
        self.arch_combo = QComboBox()
        self.arch_combo.setAccessibleName("Architecture")
        self.arch_combo.addItem("Any architecture", None)
        for name in ARCHITECTURES:
            self.arch_combo.addItem(name, name)
        self.size_combo = QComboBox()
        self.size_combo.setAccessibleName("Parameter count")
        for label, low, high in SIZES:
            self.size_combo.addItem(label, (low, high))
        self.author_field = QLineEdit()
        self.author_field.setPlaceholderText("Any author")
        self.author_field.setAccessibleName("Author")
        self.author_field.setClearButtonEnabled(True)
        self.author_field.setMaximumWidth(200)

        self.sort_combo.currentIndexChanged.connect(lambda: self.optionsChanged.emit({"sort": self.sort()}))
        self.arch_combo.currentIndexChanged.connect(
            lambda: self.optionsChanged.emit({"architecture": self.arch_combo.currentData()})
        )
        self.size_combo.currentIndexChanged.connect(self._size_changed)
        self.author_field.editingFinished.connect(
            lambda: self.optionsChanged.emit({"author": self.author_field.text().strip() or None})
        )

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        for widget in (self.sort_combo, self.arch_combo, self.size_combo, self.author_field):
            layout.addWidget(widget)
        layout.addStretch(1)

    def sort(self) -> str:
        return str(self.sort_combo.currentData())

    def set_sort(self, value: str) -> None:
        self.sort_combo.setCurrentIndex(self.sort_combo.findData(value))

    def _size_changed(self) -> None:
        low, high = self.size_combo.currentData()
        self.optionsChanged.emit({"min_params": low, "max_params": high})
