"""The strip above the messages: which model, its load progress, where it runs, and how full the context is.

Shows what really happened, from the engine's ``Loaded`` event ("3/3 layers on GPU (CUDA)", "CPU · 2 threads"),
not what was asked for, and the template notice when the model brought no chat template.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from hearth.core.engine import protocol as p
from hearth.ui.chat.picker_delegate import PickerDelegate
from hearth.ui.chat.picker_model import ModelPickerModel, PickerRole
from hearth.ui.widgets.labels import styled, text_label
from hearth.ui.widgets.progress_line import ProgressLine


def placement_text(loaded: p.Loaded) -> str:
    """ "18/18 layers on GPU (CUDA)", or "CPU · 2 threads" when nothing is on a GPU."""
    if loaded.gpu_layers_offloaded == 0:
        return f"CPU · {loaded.n_threads} thread{'s' if loaded.n_threads != 1 else ''}"
    return loaded.gpu_summary


def context_text(used: int | None, n_ctx: int) -> str:
    return f"{'…' if used is None else f'{used:,}'} / {n_ctx:,} tokens"


class ModelBar(QWidget):
    """Picker + Load/Cancel, then a status line (placement, context meter) and the template notice.

    Signals:
        loadRequested(str): load the model at this path.
        cancelRequested(): stop the load in progress.
    """

    loadRequested = Signal(str)
    cancelRequested = Signal()

    def __init__(self, model: ModelPickerModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.picker = QComboBox()
        self.picker.setModel(model)
        self.picker.setItemDelegate(PickerDelegate(self.picker))
        self.picker.setMinimumContentsLength(24)
        self.picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.picker.setPlaceholderText("Choose a model")
        self.picker.setAccessibleName("Model")
        self.load_button = QPushButton("Load")
        self.load_button.clicked.connect(self._load)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.cancel_button.hide()
        self.progress = ProgressLine()
        self.progress.setAccessibleName("Model loading progress")
        self.progress.hide()
        self.status = text_label("No model loaded", "mutedLabel")
        self.status.setAccessibleName("Model status")
        self.context_label = text_label("", "mutedLabel")
        self.context_meter = ProgressLine()
        self.context_meter.setAccessibleName("Context used")
        self.context_meter.setFixedWidth(120)
        self.context_meter.hide()
        self.notice = styled(text_label("", "noticeBanner", wrap=True), "noticeBanner")
        self.notice.hide()

        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.picker, 1)
        top.addWidget(self.load_button)
        top.addWidget(self.cancel_button)
        line = QHBoxLayout()
        line.setSpacing(10)
        line.addWidget(self.status, 1)
        line.addWidget(self.context_label, 0, Qt.AlignmentFlag.AlignRight)
        line.addWidget(self.context_meter, 0, Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addLayout(line)
        layout.addWidget(self.notice)

    def select_path(self, path: str) -> None:
        row = self.picker.model().row_of(path)  # type: ignore[attr-defined]
        if row >= 0:
            self.picker.setCurrentIndex(row)

    def selected_path(self) -> str | None:
        path = self.picker.currentData(PickerRole.Path)
        return str(path) if path else None

    def show_loading(self, name: str, fraction: float) -> None:
        self.progress.set_fraction(fraction)
        self.progress.show()
        self.load_button.hide()
        self.cancel_button.show()
        self.status.setText(f"Loading {name}… {fraction * 100:.0f}%")

    def show_loaded(self, loaded: p.Loaded, name: str) -> None:
        self._end_loading()
        self.status.setText(f"{name} · {placement_text(loaded)}")
        self.status.setToolTip(f"Loaded in {loaded.load_ms / 1000:.1f} s · {loaded.n_ctx:,}-token context")
        self.notice.setText(loaded.notice or "")
        self.notice.setVisible(bool(loaded.notice))
        self.set_context(None, loaded.n_ctx)

    def show_unloaded(self, text: str) -> None:
        self._end_loading()
        self.status.setText(text)
        self.status.setToolTip("")
        self.notice.hide()
        self.context_label.clear()
        self.context_meter.hide()

    def set_context(self, used: int | None, n_ctx: int) -> None:
        """The meter turns red from 90 % full: the next reply may not fit."""
        self.context_label.setText(context_text(used, n_ctx))
        fraction = (used or 0) / n_ctx if n_ctx else 0.0
        self.context_meter.set_fraction(fraction)
        self.context_meter.set_tone("failed" if fraction >= 0.9 else "accent")
        self.context_meter.setAccessibleDescription(context_text(used, n_ctx))
        self.context_meter.show()

    def _end_loading(self) -> None:
        self.progress.hide()
        self.cancel_button.hide()
        self.load_button.show()

    def _load(self) -> None:
        if (path := self.selected_path()) is not None:
            self.loadRequested.emit(path)
