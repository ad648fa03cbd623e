"""Which model the chat talks to: the picker's list (with fit badges), loading with progress and Cancel, what the
engine reports once loaded, and the crash banner with Reload.

The list comes from ``LibraryServices`` on a worker thread (a scan and fit estimates read files). Loading is
asynchronous by nature: ``EngineClient.load`` returns a handle at once and the engine's events arrive through
the bridge.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QObject, Signal

from hearth.core.engine import EngineClient, EngineError, LoadHandle
from hearth.core.engine import protocol as p
from hearth.core.load_settings import LoadSettings
from hearth.ui.chat.engine_bridge import EngineBridge
from hearth.ui.chat.model_bar import ModelBar
from hearth.ui.chat.picker_model import ModelPickerModel
from hearth.ui.library.services import LibraryServices
from hearth.ui.widgets.banner import Banner
from hearth.ui.workers import TaskHandle, run_in_thread

SettingsFor = Callable[[str, int | None], LoadSettings]
DEFAULT_N_CTX = 8192


def default_settings(_path: str, trained: int | None) -> LoadSettings:
    """8k context, or the model's own when it was trained for less; GPU layers from the fit estimate."""
    return LoadSettings(n_ctx=min(DEFAULT_N_CTX, trained) if trained else DEFAULT_N_CTX)


class ModelLoader(QObject):
    """Keeps the model bar and the crash banner in step with the engine.

    Signals:
        modelsListed(int): the picker was (re)filled with this many models.
        loaded(object): a :class:`protocol.Loaded` (the chat may start).
        stopped(): the model went away (crash, unload, failed load).
    """

    modelsListed = Signal(int)
    loaded = Signal(object)
    stopped = Signal()

    def __init__(
        self,
        engine: EngineClient,
        bridge: EngineBridge,
        bar: ModelBar,
        banner: Banner,
        library: LibraryServices | None,
        settings_for: SettingsFor = default_settings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine, self._bar, self._banner, self._library = engine, bar, banner, library
        self._settings_for = settings_for
        self.picker_model: ModelPickerModel = bar.picker.model()  # type: ignore[assignment]
        self._handle: LoadHandle | None = None
        self._scan: TaskHandle[object] | None = None
        self._wanted: str | None = None
        self._cancel_asked = False
        bar.loadRequested.connect(self.load)
        bar.cancelRequested.connect(self.cancel)
        banner.actionTriggered.connect(self.reload)
        bridge.progress.connect(self._on_progress)
        bridge.loaded.connect(self._on_loaded)
        bridge.error.connect(self._on_error)
        bridge.crashed.connect(self._on_crash)
        bridge.unloaded.connect(self._on_unloaded)

    def refresh(self) -> None:
        """Rescan the library for the picker (on a worker; a newer request drops an older one)."""
        if self._library is None:
            return
        if self._scan is not None:
            self._scan.cancel()
        library = self._library

        def work() -> object:
            models = library.scan()
            fits = library.fits(models, DEFAULT_N_CTX)
            return models, {path: result.estimate for path, result in fits.items()}

        self._scan = run_in_thread(
            work, self._listed, lambda _e: self.modelsListed.emit(0), context=self, name="hearth-chat-models"
        )

    def wait(self, timeout: float = 10.0) -> None:
        if self._scan is not None:
            self._scan.wait(timeout)

    def loading(self) -> bool:
        return self._handle is not None

    def load(self, path: str) -> None:
        """Load ``path`` (the picker's selection or a model from the Library)."""
        self._wanted = path
        self._bar.select_path(path)
        row = self.picker_model.row_of(path)
        model = self.picker_model.model_at(row)
        trained = model.context_length if model is not None else None
        self._banner.clear()
        self._cancel_asked = False
        self._handle = self._engine.load(path, self._settings_for(path, trained))
        self._bar.show_loading(_name(path), 0.0)

    def cancel(self) -> None:
        if self._handle is not None:
            self._cancel_asked = True
            self._handle.cancel()

    def reload(self) -> None:
        """The crash banner's button: the same model and settings in a fresh engine process."""
        self._banner.clear()
        try:
            self._handle = self._engine.reload()
        except EngineError as exc:
            self._bar.show_unloaded(exc.message)
            return
        self._bar.show_loading(_name(self._handle.path), 0.0)

    def _listed(self, result: object) -> None:
        models, fits = cast("tuple[Any, Any]", result)
        self.picker_model.set_models(models, fits)
        path = self._wanted or (self._engine.loaded.path if self._engine.loaded else None)
        if path:
            self._bar.select_path(path)
        self.modelsListed.emit(self.picker_model.rowCount())

    def _on_progress(self, request_id: int, fraction: float) -> None:
        if self._handle is not None and request_id == self._handle.request_id:
            self._bar.show_loading(_name(self._handle.path), fraction)

    def _on_loaded(self, loaded: p.Loaded) -> None:
        if self._handle is not None and loaded.request_id == self._handle.request_id:
            self._handle = None
        self._bar.show_loaded(loaded, _name(loaded.path))
        self.loaded.emit(loaded)

    def _on_error(self, error: p.Error) -> None:
        if self._handle is None or error.request_id != self._handle.request_id:
            return
        self._handle = None
        cancelled = self._cancel_asked or "cancel" in error.message.lower()
        self._bar.show_unloaded("Loading cancelled" if cancelled else "No model loaded")
        if not cancelled:
            self._banner.show_message(html.escape(error.message))
        self.stopped.emit()

    def _on_crash(self, crash: p.EngineCrashed) -> None:
        self._handle = None
        self._bar.show_unloaded("The model stopped")
        self._banner.show_message(html.escape(crash.message), "Reload")
        self.stopped.emit()

    def _on_unloaded(self, unloaded: p.Unloaded) -> None:
        if unloaded.reason != "switch":
            self._bar.show_unloaded("Model unloaded to free memory; click Load to continue")
            self.stopped.emit()


def _name(path: str) -> str:
    return Path(path).stem
