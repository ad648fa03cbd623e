"""Settings → Hardware: what this computer offers a model, and how a given model file would fit on it.

Probing (NVML, importing llama.cpp) and reading a header both touch drivers or disks, so they run on worker
threads (:func:`hearth.ui.workers.run_in_thread`); the card only ever shows their results. The first probe
starts when the card is first shown, so an app that never opens Settings never pays for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from hearth.core import gguf, hardware
from hearth.core.gguf import GGUFHeader, InvalidGGUF
from hearth.core.hardware_types import GpuInfo, HardwareSnapshot
from hearth.core.load_settings import LoadSettings
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes
from hearth.ui.settings.sections import card, labeled_row
from hearth.ui.widgets.fit_panel import FitPanel
from hearth.ui.widgets.labels import error_label, show_message, text_label
from hearth.ui.workers import TaskHandle, run_in_thread

Probe = Callable[[Path | None], HardwareSnapshot]
HeaderReader = Callable[[Path], GGUFHeader]
NO_GPU = "No GPU: models run on the CPU"
_BACKENDS = {"cuda": "CUDA", "metal": "Metal"}


def gpu_text(gpu: GpuInfo) -> str:
    memory = f"{format_bytes(gpu.vram_free_bytes)} free of {format_bytes(gpu.vram_total_bytes)}"
    backend = _BACKENDS.get(gpu.backend, gpu.backend)
    if gpu.unified_memory:
        backend += ", memory shared with the system"
    return f"{gpu.name}: {memory} ({backend})"


def cpu_text(snapshot: HardwareSnapshot) -> str:
    cpu = snapshot.cpu
    cores = [f"{cpu.physical_cores} cores"] if cpu.physical_cores else []
    if cpu.logical_cores and cpu.logical_cores != cpu.physical_cores:
        cores.append(f"{cpu.logical_cores} threads")
    parts = [cpu.model, ", ".join(cores), cpu.machine]
    if cpu.features:
        parts.append(" ".join(f.upper() for f in cpu.features))
    return " · ".join(p for p in parts if p)


class HardwareCard(QWidget):
    """Memory, processor, GPUs, llama.cpp offload support, disk space and warnings; "Check a model file…".

    Signals:
        hardwareChanged(HardwareSnapshot): a probe finished and the card shows its result.
    """

    hardwareChanged = Signal(object)

    def __init__(
        self,
        store: SettingsStore | None = None,
        *,
        probe: Probe = hardware.snapshot,
        read_header: HeaderReader = gguf.read_model_header,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._probe = probe
        self._read_header = read_header
        self.snapshot: HardwareSnapshot | None = None
        self.probe_task: TaskHandle[HardwareSnapshot] | None = None
        self.header_task: TaskHandle[GGUFHeader] | None = None
        self._pending_header: GGUFHeader | None = None

        self.status_label = text_label("Checking this computer…", "mutedLabel")
        self.memory_label = _value_label()
        self.cpu_label = _value_label()
        self.gpu_label = _value_label()
        self.offload_label = _value_label()
        self.disk_label = _value_label()
        self.notices_layout = QVBoxLayout()
        self._notice_labels: list[QLabel] = []
        self.probe_error = error_label()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.check_button = QPushButton("Check a model file…")
        self.check_button.clicked.connect(self._choose_model)
        self.model_label = text_label(role="cardTitle", wrap=True, selectable=True)
        self.model_label.hide()
        self.model_error = error_label()
        self.fit_panel = FitPanel()
        self.fit_panel.hide()
        self._build_layout()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.check_button)
        buttons.addStretch(1)
        content = QVBoxLayout()
        content.addWidget(self.status_label)
        for title, label in (
            ("Memory", self.memory_label),
            ("Processor", self.cpu_label),
            ("Graphics", self.gpu_label),
            ("GPU offload", self.offload_label),
            ("Disk for models", self.disk_label),
        ):
            content.addLayout(labeled_row(title, label))
        content.addLayout(self.notices_layout)
        content.addWidget(self.probe_error)
        content.addLayout(buttons)
        content.addSpacing(4)
        content.addWidget(self.model_label)
        content.addWidget(self.model_error)
        content.addWidget(self.fit_panel)
        subtitle = "What a model can use on this computer. Check a model file to see how it would run here."
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(card("Hardware", content, subtitle))

    def showEvent(self, event: QShowEvent) -> None:
        if self.snapshot is None and self.probe_task is None:
            self.refresh()
        super().showEvent(event)

    # Probing --------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Probe the machine again on a worker thread; a probe still running is superseded."""
        if self.probe_task is not None:
            self.probe_task.cancel()
        models_dir = self._store.folders().models_dir if self._store is not None else None
        self.status_label.setText("Checking this computer…")
        self.status_label.show()
        self.refresh_button.setEnabled(False)
        probe = self._probe
        self.probe_task = run_in_thread(
            lambda: probe(models_dir), self._show_snapshot, self._probe_failed, context=self, name="hardware-probe"
        )

    def _show_snapshot(self, snapshot: HardwareSnapshot) -> None:
        self.snapshot = snapshot
        self.refresh_button.setEnabled(True)
        self.status_label.hide()
        show_message(self.probe_error, None)
        mem = snapshot.memory
        self.memory_label.setText(f"{format_bytes(mem.available_bytes)} available of {format_bytes(mem.total_bytes)}")
        self.cpu_label.setText(cpu_text(snapshot))
        self.gpu_label.setText("\n".join(gpu_text(g) for g in snapshot.gpus) or NO_GPU)
        self.offload_label.setText(_offload_text(snapshot))
        free = snapshot.models_dir_free_bytes
        where = f" in {self._store.folders().models_dir}" if self._store is not None else ""
        self.disk_label.setText("Unknown" if free is None else f"{format_bytes(free)} free{where}")
        self._show_notices(snapshot.notices)
        if self._pending_header is not None:
            header, self._pending_header = self._pending_header, None
            self._show_model(header)
        elif self.fit_panel.estimate() is not None:
            self.fit_panel.set_hardware(snapshot)
        self.hardwareChanged.emit(snapshot)

    def _probe_failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.status_label.hide()
        show_message(self.probe_error, f"Could not check this computer's hardware: {exc}")

    def _show_notices(self, notices: tuple[str, ...]) -> None:
        for label in self._notice_labels:
            self.notices_layout.removeWidget(label)
            label.deleteLater()
        self._notice_labels = [text_label(n, "noticeBanner", wrap=True, selectable=True) for n in notices]
        for label in self._notice_labels:
            self.notices_layout.addWidget(label)

    def notices(self) -> list[str]:
        """The warnings shown, in order."""
        return [label.text() for label in self._notice_labels]

    # Model check ----------------------------------------------------------------------------------------
    def _choose_model(self) -> None:
        start = str(self._store.folders().models_dir) if self._store is not None else ""
        path, _ = QFileDialog.getOpenFileName(self, "Check a model file", start, "GGUF models (*.gguf);;All files (*)")
        if path:
            self.check_model(Path(path))

    def check_model(self, path: Path) -> None:
        """Read ``path``'s header on a worker thread, then show how the model fits this machine."""
        if self.header_task is not None:
            self.header_task.cancel()
        self.model_label.setText(path.name)
        self.model_label.show()
        show_message(self.model_error, None)
        self.fit_panel.hide()
        read = self._read_header
        self.header_task = run_in_thread(
            lambda: read(path), self._header_read, lambda exc: self._header_failed(path, exc), context=self
        )

    def _header_read(self, header: GGUFHeader) -> None:
        if self.snapshot is None:  # shown once the probe finishes
            self._pending_header = header
            if self.probe_task is None:
                self.refresh()
            return
        self._show_model(header)

    def _show_model(self, header: GGUFHeader) -> None:
        assert self.snapshot is not None
        n_ctx = self._store.settings.context_length if self._store is not None else None
        settings = LoadSettings() if n_ctx is None else LoadSettings(n_ctx=n_ctx)
        self.fit_panel.set_model(header, self.snapshot, settings)
        self.fit_panel.show()

    def _header_failed(self, path: Path, exc: BaseException) -> None:
        if isinstance(exc, InvalidGGUF):
            message = str(exc)
        elif isinstance(exc, OSError):
            message = f"Cannot read {path.name}: {exc.strerror or exc}"
        else:
            message = f"{path.name} could not be checked: {exc}"
        show_message(self.model_error, message)


def _offload_text(snapshot: HardwareSnapshot) -> str:
    if snapshot.gpu_offload_supported:
        return "Supported: this llama.cpp build can run layers on the GPU"
    return "Not supported: this llama.cpp build runs models on the CPU only"


def _value_label() -> QLabel:
    return text_label(wrap=True, selectable=True)
