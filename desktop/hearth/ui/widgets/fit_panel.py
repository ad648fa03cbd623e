"""Verdict badge, one plain sentence, the memory bar and the knobs that change them, for one model file.

The estimate is pure arithmetic on a header already in memory (milliseconds), so it runs on the main thread;
slider moves are coalesced by a timer so dragging re-estimates at most ~30 times a second.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout, QWidget

from hearth.core import fit
from hearth.core.fit import FitEstimate
from hearth.core.gguf import GGUFHeader
from hearth.core.hardware_types import HardwareSnapshot
from hearth.core.load_settings import LoadSettings
from hearth.ui.widgets.fit_badge import FitBadge
from hearth.ui.widgets.fit_bar import FitBar
from hearth.ui.widgets.labels import error_label, show_message, text_label

MIN_CONTEXT = 512
FALLBACK_MAX_CONTEXT = 32768  # a header without ``context_length`` (rare): offer up to 32k
UPDATE_INTERVAL_MS = 33  # at most ~30 re-estimates a second while the slider is dragged
KV_TYPES = (
    ("f16", "f16 (best quality)"),
    ("q8_0", "q8_0 (half the memory)"),
    ("q4_0", "q4_0 (a quarter, lower quality)"),
)


def context_words(n_ctx: int) -> str:
    """``8192`` -> ``"8k"``; a context that is no multiple of 1024 keeps its digits (``"1,536"``)."""
    return f"{n_ctx // 1024}k" if n_ctx % 1024 == 0 else f"{n_ctx:,}"


def context_steps(trained: int | None, current: int) -> tuple[int, ...]:
    """Slider stops: powers of two from 512 up to the model's trained context, that context itself, and the
    current setting (so opening the panel never moves the user's value)."""
    top = max(MIN_CONTEXT, trained or max(current, FALLBACK_MAX_CONTEXT))
    steps = {top}
    n = MIN_CONTEXT
    while n < top:
        steps.add(n)
        n *= 2
    if MIN_CONTEXT <= current <= top:
        steps.add(current)
    return tuple(sorted(steps))


class FitPanel(QWidget):
    """How one model file fits this machine, re-estimated live as the context or KV cache type changes.

    Signals:
        settingsChanged(LoadSettings): the user moved the slider or changed the cache type (after coalescing).
        estimateChanged(FitEstimate): a new estimate is shown.
    """

    settingsChanged = Signal(object)
    estimateChanged = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._header: GGUFHeader | None = None
        self._hardware: HardwareSnapshot | None = None
        self._settings: LoadSettings | None = None
        self._estimate: FitEstimate | None = None
        self._steps: tuple[int, ...] = (MIN_CONTEXT,)

        self.badge = FitBadge()
        self.explanation_label = text_label(role="fitExplanation", wrap=True, selectable=True)
        self.bar = FitBar()
        self.error_label = error_label()
        self.context_slider = QSlider(Qt.Orientation.Horizontal)
        self.context_slider.setAccessibleName("Context length")
        self.context_slider.setPageStep(1)
        self.context_slider.setMinimumWidth(160)
        self.context_slider.valueChanged.connect(self._on_slider_moved)
        self.context_value = text_label(role="fitContextValue")
        self.context_value.setMinimumWidth(self.fontMetrics().horizontalAdvance("1024k tokens") + 4)
        self.kv_combo = QComboBox()
        self.kv_combo.setAccessibleName("KV cache type")
        for value, label in KV_TYPES:
            self.kv_combo.addItem(label, value)
        self.kv_combo.currentIndexChanged.connect(self._on_kv_chosen)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(UPDATE_INTERVAL_MS)
        self._timer.timeout.connect(self._apply_slider)
        self._build_layout()
        self.setEnabled(False)

    def _build_layout(self) -> None:
        context_label = QLabel("Context length")
        context_label.setBuddy(self.context_slider)
        kv_label = QLabel("KV cache")
        kv_label.setBuddy(self.kv_combo)
        knobs = QHBoxLayout()
        knobs.setSpacing(10)
        knobs.addWidget(context_label)
        knobs.addWidget(self.context_slider, 1)
        knobs.addWidget(self.context_value)
        knobs.addSpacing(12)
        knobs.addWidget(kv_label)
        knobs.addWidget(self.kv_combo)
        top = QHBoxLayout()
        top.addWidget(self.badge)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addWidget(self.explanation_label)
        layout.addWidget(self.bar)
        layout.addLayout(knobs)
        layout.addWidget(self.error_label)

    # Public API -----------------------------------------------------------------------------------------
    def set_model(self, header: GGUFHeader, hardware: HardwareSnapshot, settings: LoadSettings | None = None) -> None:
        """Show ``header``'s model on ``hardware``; ``settings`` default to Hearth's, the context clamped to
        what the model was trained for."""
        settings = settings or LoadSettings()
        trained = header.arch_value("context_length")
        trained = int(trained) if isinstance(trained, int) and trained > 0 else None
        n_ctx = min(settings.n_ctx, trained) if trained else settings.n_ctx
        self._header, self._hardware = header, hardware
        self._estimate = None
        self.badge.set_estimate(None)
        self.bar.set_estimate(None)
        self.explanation_label.clear()
        self._settings = settings.replace(n_ctx=max(MIN_CONTEXT, n_ctx))
        self._steps = context_steps(trained, self._settings.n_ctx)
        with QSignalBlocker(self.context_slider), QSignalBlocker(self.kv_combo):
            self.context_slider.setRange(0, len(self._steps) - 1)
            self.context_slider.setValue(self._steps.index(self._settings.n_ctx))
            self.kv_combo.setCurrentIndex(max(0, self.kv_combo.findData(self._settings.type_k)))
            self.kv_combo.setEnabled(self._settings.flash_attn)  # a quantized V cache needs flash attention
        self._show_context(self._settings.n_ctx)
        self.setEnabled(True)
        self._refresh()

    def set_hardware(self, hardware: HardwareSnapshot) -> None:
        """Re-estimate for a new snapshot of the machine (after "Refresh")."""
        self._hardware = hardware
        self._refresh()

    def estimate(self) -> FitEstimate | None:
        return self._estimate

    def load_settings(self) -> LoadSettings | None:
        return self._settings

    def context_steps(self) -> tuple[int, ...]:
        return self._steps

    # Slots ----------------------------------------------------------------------------------------------
    def _on_slider_moved(self, index: int) -> None:
        self._show_context(self._steps[index])
        if not self._timer.isActive():
            self._timer.start()

    def _apply_slider(self) -> None:
        self._change(n_ctx=self._steps[self.context_slider.value()])

    def _on_kv_chosen(self, _index: int) -> None:
        cache = self.kv_combo.currentData()
        self._change(type_k=cache, type_v=cache)

    def _change(self, **changes: object) -> None:
        if self._settings is None:
            return
        try:
            candidate = self._settings.replace(**changes)
        except ValueError as exc:
            show_message(self.error_label, str(exc))
            return
        if candidate == self._settings:
            return
        previous, self._settings = self._settings, candidate
        if not self._refresh():
            self._settings = previous
            with QSignalBlocker(self.kv_combo):  # show what is really in effect
                self.kv_combo.setCurrentIndex(max(0, self.kv_combo.findData(previous.type_k)))
            return
        self.settingsChanged.emit(candidate)

    def _show_context(self, n_ctx: int) -> None:
        self.context_value.setText(f"{context_words(n_ctx)} tokens")
        self.context_slider.setAccessibleDescription(f"{n_ctx:,} tokens")

    def _refresh(self) -> bool:
        """Estimate and show; False (message shown, old estimate kept) when the model cannot be estimated."""
        if self._header is None or self._hardware is None or self._settings is None:
            return False
        try:
            result = fit.estimate(self._header, self._settings, self._hardware)
        except ValueError as exc:  # no block count, a cache type the model's widths do not allow...
            show_message(self.error_label, f"Cannot estimate memory for this model: {exc}")
            return False
        show_message(self.error_label, None)
        self._estimate = result
        self.badge.set_estimate(result)
        self.explanation_label.setText(result.explanation)
        self.bar.set_estimate(result, self._hardware)
        self.estimateChanged.emit(result)
        return True
