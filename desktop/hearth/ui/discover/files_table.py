"""The "Files" tab of a repo page: the recommendation, a context choice, the files table and "Download".

Why a context selector here: whether a file fits depends as much on the context as on the file (a 32k KV cache
can outweigh a small model); the table is re-estimated instantly when it changes, from headers already read.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hearth.core.hub import QuantFile, Recommendation
from hearth.core.units import format_bytes
from hearth.ui.discover.files_delegate import FilesDelegate
from hearth.ui.discover.files_model import BITS, FILE, FIT, QUANT, RECOMMENDED, SIZE, QuantFilesModel
from hearth.ui.discover.formatting import context_label
from hearth.ui.widgets.labels import show_message, text_label

CONTEXTS = (2048, 4096, 8192, 16384, 32768, 65536, 131072)


class FilesPanel(QWidget):
    """Recommendation banner, context combo, table of :class:`QuantFilesModel`, Download button.

    Signals:
        downloadClicked(QuantFile): the user asked to download the selected file.
        contextChanged(int): the context the fits are estimated at.
    """

    downloadClicked = Signal(object)
    contextChanged = Signal(int)

    def __init__(self, context_length: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = QuantFilesModel(self)
        self._blocked: str | None = None
        self.model.set_context(context_length)
        self.recommendation_label = text_label(role="noticeBanner", wrap=True, selectable=True)
        self.recommendation_label.hide()
        self.status_label = text_label(role="mutedLabel", wrap=True)
        self.context_combo = QComboBox()
        self.context_combo.setAccessibleName("Context length for the fit estimate")
        self.context_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for n in sorted({*CONTEXTS, context_length}):
            self.context_combo.addItem(f"{context_label(n)} tokens", n)
        self.context_combo.setCurrentIndex(self.context_combo.findData(context_length))
        self.context_combo.currentIndexChanged.connect(lambda: self.set_context(self.context_combo.currentData()))
        self.download_button = QPushButton("Download")
        self.download_button.setProperty("primary", True)
        self.download_button.setEnabled(False)
        self.download_button.clicked.connect(self._download)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegate(FilesDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setAccessibleName("GGUF files")
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        for column in (QUANT, BITS, SIZE, FIT, RECOMMENDED):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(FILE, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self._download())

        context_label_widget = QLabel("Fit at context")
        context_label_widget.setBuddy(self.context_combo)
        controls = QHBoxLayout()
        controls.setSpacing(10)
        controls.addWidget(context_label_widget)
        controls.addWidget(self.context_combo)
        controls.addSpacing(8)
        controls.addWidget(self.status_label, 10)
        controls.addStretch(1)
        controls.addWidget(self.download_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(self.recommendation_label)
        layout.addLayout(controls)
        layout.addWidget(self.table, 1)

    def set_context(self, n_ctx: int) -> None:
        index = self.context_combo.findData(n_ctx)
        if index >= 0 and index != self.context_combo.currentIndex():
            self.context_combo.setCurrentIndex(index)  # comes back here through the signal
            return
        if n_ctx != self.model.context():
            self.model.set_context(n_ctx)
            self.contextChanged.emit(n_ctx)

    def block_downloads(self, reason: str | None) -> None:
        """Disable "Download" with ``reason`` as its tooltip (a gated repo), or enable it again with None."""
        self._blocked = reason
        self._selection_changed()

    def set_status(self, text: str | None) -> None:
        show_message(self.status_label, text)

    def show_recommendation(self, pick: Recommendation | None) -> None:
        """The banner above the table, and the selection moved to the recommended row."""
        if pick is None:
            settled = self.model.is_settled() and any(not f.is_projector for f in self.model.files())
            text = "No file in this repo fits this computer at this context. Try a shorter context." if settled else ""
            show_message(self.recommendation_label, text if self.model.best_fit() is not None else None)
            return
        size = format_bytes(pick.file.size_bytes) if pick.file.size_bytes is not None else ""
        label = escape(pick.file.quant or pick.file.name)
        self.recommendation_label.setText(
            f"<b>★ Recommended for this computer: {label}</b>{f' ({size})' if size else ''}<br>{escape(pick.reason)}"
        )
        self.recommendation_label.show()
        row = self.model.recommended_row()
        if row is not None:
            self._select(row)

    def select_default(self) -> None:
        """Select the first model file until a recommendation arrives."""
        rows = [i for i, f in enumerate(self.model.files()) if not f.is_projector]
        if rows:
            self._select(rows[0])

    def selected_file(self) -> QuantFile | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.file(rows[0].row()) if rows else None

    def _select(self, row: int) -> None:
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        self.table.selectionModel().setCurrentIndex(self.model.index(row, 0), flags)

    def _selection_changed(self) -> None:
        file = self.selected_file()
        usable = file is not None and file.complete
        self.download_button.setEnabled(usable and self._blocked is None)
        self.download_button.setToolTip(self._blocked or "")
        if file is None:
            self.download_button.setText("Download")
            return
        size = f" · {format_bytes(file.size_bytes)}" if file.size_bytes is not None else ""
        what = "projector" if file.is_projector else (file.quant or "file")
        self.download_button.setText(f"Download {what}{size}")

    def _download(self) -> None:
        file = self.selected_file()
        if file is not None and file.complete and self._blocked is None:
            self.downloadClicked.emit(file)
