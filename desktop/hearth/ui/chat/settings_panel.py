"""The collapsible side panel: the conversation's system prompt (from a preset or typed) and its sampling.

Every edit emits :attr:`SettingsPanel.changed`; the page saves it to the conversation (debounced), so settings
are per conversation and survive a restart.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hearth.core.chat import Preset, SamplingSettings
from hearth.ui.widgets.labels import text_label


def _double(low: float, high: float, step: float, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setMinimumHeight(26)  # the theme gives QSpinBox 26 px; the double boxes must match
    return box


def _int(low: int, high: int, special: str | None = None) -> QSpinBox:
    box = QSpinBox()
    box.setRange(low, high)
    if special:
        box.setSpecialValueText(special)  # shown at the minimum: 0 tokens = unlimited, -1 seed = random
    return box


class SettingsPanel(QWidget):
    """Preset picker (+ New / Edit), system prompt, sampling fields and "Reset to model defaults".

    Signals:
        changed(): a value was edited by the user; read :meth:`values`.
        presetChosen(object): a preset id (None: "Custom") was picked.
        newPresetRequested(): "New…" was clicked.
        editPresetRequested(int): "Edit…" was clicked for this preset id.
        resetRequested(): "Reset to model defaults" was clicked.
    """

    changed = Signal()
    presetChosen = Signal(object)
    newPresetRequested = Signal()
    editPresetRequested = Signal(int)
    resetRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatSettings")
        self.setMinimumWidth(250)
        self.setMaximumWidth(320)
        self.preset = QComboBox()
        self.preset.setAccessibleName("Preset")
        self.new_preset = QPushButton("New…")
        self.edit_preset = QPushButton("Edit…")
        self.system_prompt = QPlainTextEdit()
        self.system_prompt.setPlaceholderText("No system prompt")
        self.system_prompt.setAccessibleName("System prompt")
        self.system_prompt.setFixedHeight(110)
        self.temperature = _double(0.0, 2.0, 0.05)
        self.top_k = _int(0, 500)
        self.top_p = _double(0.0, 1.0, 0.01)
        self.min_p = _double(0.0, 1.0, 0.01)
        self.repeat_penalty = _double(0.5, 2.0, 0.01)
        self.max_tokens = _int(0, 1_000_000, "Unlimited")
        self.seed = _int(-1, 2**31 - 1, "Random")
        self.stop = QPlainTextEdit()
        self.stop.setPlaceholderText("One per line")
        self.stop.setFixedHeight(54)
        self.stop.setAccessibleName("Stop strings")
        self.reset = QPushButton("Reset to model defaults")

        presets = QHBoxLayout()
        presets.setSpacing(6)
        presets.addWidget(self.preset, 1)
        presets.addWidget(self.new_preset)
        presets.addWidget(self.edit_preset)
        form = QFormLayout()
        form.setSpacing(6)
        for label, widget in (
            ("Temperature", self.temperature),
            ("Top-k", self.top_k),
            ("Top-p", self.top_p),
            ("Min-p", self.min_p),
            ("Repeat penalty", self.repeat_penalty),
            ("Max tokens", self.max_tokens),
            ("Seed", self.seed),
            ("Stop strings", self.stop),
        ):
            form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(text_label("Conversation settings", "cardTitle"))
        layout.addWidget(text_label("System prompt", "fieldHint"))
        layout.addLayout(presets)
        layout.addWidget(self.system_prompt)
        layout.addWidget(text_label("Sampling", "fieldHint"))
        layout.addLayout(form)
        layout.addWidget(self.reset)
        layout.addStretch(1)

        for box in (self.temperature, self.top_p, self.min_p, self.repeat_penalty):
            box.valueChanged.connect(self.changed)
        for spin in (self.top_k, self.max_tokens, self.seed):
            spin.valueChanged.connect(self.changed)
        self.system_prompt.textChanged.connect(self.changed)
        self.stop.textChanged.connect(self.changed)
        self.preset.activated.connect(lambda _row: self.presetChosen.emit(self.preset.currentData()))
        self.preset.currentIndexChanged.connect(lambda _row: self._update_edit())
        self.new_preset.clicked.connect(self.newPresetRequested)
        self.edit_preset.clicked.connect(self._edit)
        self.reset.clicked.connect(self.resetRequested)
        self._update_edit()
        # Before any conversation is open the panel still decides the first one's settings: it must show
        # llama.cpp's defaults, not each spin box's minimum (temperature 0, top-p 0, repeat penalty 0.5, seed 0).
        self.set_values("", SamplingSettings())

    def add_section(self, widget: QWidget) -> None:
        """Another per-conversation choice (the document collections), under the sampling fields."""
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(layout.count() - 1, widget)

    def set_presets(self, presets: Sequence[Preset], current: int | None) -> None:
        with QSignalBlocker(self.preset):
            self.preset.clear()
            self.preset.addItem("Custom", None)
            for preset in presets:
                self.preset.addItem(preset.name, preset.id)
            self.preset.setCurrentIndex(max(0, self.preset.findData(current)) if current is not None else 0)
        self._update_edit()

    def set_values(self, system_prompt: str, sampling: SamplingSettings) -> None:
        """Show stored values without emitting :attr:`changed`."""
        blockers = [QSignalBlocker(w) for w in self._fields()]
        if self.system_prompt.toPlainText() != system_prompt:
            self.system_prompt.setPlainText(system_prompt)
        self.temperature.setValue(sampling.temperature)
        self.top_k.setValue(sampling.top_k)
        self.top_p.setValue(sampling.top_p)
        self.min_p.setValue(sampling.min_p)
        self.repeat_penalty.setValue(sampling.repeat_penalty)
        self.max_tokens.setValue(sampling.max_tokens or 0)
        self.seed.setValue(-1 if sampling.seed is None else sampling.seed)
        self.stop.setPlainText("\n".join(sampling.stop))
        del blockers

    def values(self) -> tuple[str, SamplingSettings]:
        """The system prompt and sampling as shown."""
        sampling = SamplingSettings(
            temperature=round(self.temperature.value(), 2),
            top_k=self.top_k.value(),
            top_p=round(self.top_p.value(), 2),
            min_p=round(self.min_p.value(), 2),
            repeat_penalty=round(self.repeat_penalty.value(), 2),
            max_tokens=self.max_tokens.value() or None,
            seed=None if self.seed.value() < 0 else self.seed.value(),
            stop=tuple(s for s in self.stop.toPlainText().split("\n") if s),
        )
        return self.system_prompt.toPlainText(), sampling

    def preset_id(self) -> int | None:
        data = self.preset.currentData()
        return int(data) if data is not None else None

    def _fields(self) -> list[QWidget]:
        return [
            self.system_prompt,
            self.temperature,
            self.top_k,
            self.top_p,
            self.min_p,
            self.repeat_penalty,
            self.max_tokens,
            self.seed,
            self.stop,
        ]

    def _update_edit(self) -> None:
        self.edit_preset.setEnabled(self.preset.currentData() is not None)

    def _edit(self) -> None:
        if (preset_id := self.preset_id()) is not None:
            self.editPresetRequested.emit(preset_id)
