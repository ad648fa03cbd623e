"""Runs the Library's slow work on worker threads and feeds :class:`LibraryModel` on the main thread.

Why a controller: a scan walks other apps' folders and reads headers, the hardware probe talks to drivers, a
delete unlinks gigabytes; none may run on the main thread. A new scan drops the results of the one it
supersedes (its ``cancel`` event is set), so a slow scan of a network folder never overwrites a newer list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from hearth.core.library import LocalModel
from hearth.ui.library.library_model import LibraryModel
from hearth.ui.library.services import LibraryServices
from hearth.ui.workers import TaskHandle, run_in_thread


class LibraryController(QObject):
    """Scan, fit, add and delete, each on its own worker; results land in ``model``.

    Signals:
        busyChanged(bool): a scan started (True) or its results, fits included, are in (False).
        scanned(int): a scan finished with this many models (fits may still be coming).
        added(object): a model (a finished download) was added or refreshed.
        deleted(object, int): a model was deleted; the bytes freed.
        failed(str): something the user asked for went wrong; the sentence to show.
    """

    busyChanged = Signal(bool)
    scanned = Signal(int)
    added = Signal(object)
    deleted = Signal(object, int)
    failed = Signal(str)

    def __init__(
        self, services: LibraryServices, model: LibraryModel, context: Callable[[], int], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.model = model
        self._context = context
        self._scan: TaskHandle[Any] | None = None
        self._fit: TaskHandle[Any] | None = None
        self._tasks: list[TaskHandle[Any]] = []
        self.scan_count = 0

    def is_scanning(self) -> bool:
        return self._scan is not None

    def scan(self) -> None:
        """Rescan every folder (a running scan is superseded)."""
        if self._scan is not None:
            self._scan.cancel()
        if self._fit is not None:
            self._fit.cancel()
            self._fit = None
        cancel = threading.Event()
        self._scan = self._start(lambda: self.services.scan(cancel), self._scanned, self._scan_failed, cancel)
        self.busyChanged.emit(True)

    def refit(self) -> None:
        """Re-estimate every row (the context length setting changed)."""
        if self._fit is not None:
            self._fit.cancel()
        models, n_ctx, cancel = self.model.models(), self._context(), threading.Event()
        self._fit = self._start(
            lambda: self.services.fits(models, n_ctx, cancel=cancel), self._fits_ready, self._fit_failed, cancel
        )

    def add_file(self, path: Path) -> None:
        """Add the model ``path`` belongs to (a finished download), with its fit, without a rescan."""
        n_ctx = self._context()

        def work() -> tuple[LocalModel, Any]:
            model = self.services.add_file(path)
            fits = self.services.fits([model], n_ctx)
            return model, fits

        self._start(work, self._added, lambda exc: self.failed.emit(f"Could not add {path.name}: {exc}"))

    def delete(self, model: LocalModel) -> None:
        self._start(
            lambda: self.services.delete(model),
            lambda freed: self._deleted(model, freed),
            lambda exc: self.failed.emit(f"Could not delete {model.display_name}: {exc}"),
        )

    def cancel(self) -> None:
        """Drop every result still coming (the window is closing)."""
        for task in self._tasks:
            task.cancel()

    def wait(self, timeout: float = 10.0) -> bool:
        """Join every worker started (tests, shutdown)."""
        return all(task.wait(timeout) for task in self._tasks)

    # --- results (main thread) -----------------------------------------------------------------------------

    def _start(
        self,
        fn: Callable[[], Any],
        done: Callable[[Any], None],
        failed: Callable[[BaseException], None],
        cancel: threading.Event | None = None,
    ) -> TaskHandle[Any]:
        task = run_in_thread(fn, done, failed, context=self, cancel_event=cancel, name="library")
        self._tasks = [t for t in self._tasks if t.running()] + [task]
        return task

    def _scanned(self, models: list[LocalModel]) -> None:
        self._scan = None
        self.scan_count += 1
        self.model.set_models(models)
        self.scanned.emit(len(models))
        if any(m.valid for m in models):
            self.refit()
        else:
            self.busyChanged.emit(False)

    def _scan_failed(self, error: BaseException) -> None:
        self._scan = None
        self.busyChanged.emit(False)
        self.failed.emit(f"Could not look for models: {error}")

    def _fits_ready(self, fits: dict[Path, Any]) -> None:
        self._fit = None
        self.model.set_fits(fits)
        self.busyChanged.emit(False)

    def _fit_failed(self, error: BaseException) -> None:
        self._fit = None
        self.busyChanged.emit(False)
        self.failed.emit(f"Could not check this computer's memory, so fit is unknown: {error}")

    def _added(self, result: tuple[LocalModel, Any]) -> None:
        model, fits = result
        self.model.upsert(model)
        self.model.set_fits(fits)
        self.added.emit(model)

    def _deleted(self, model: LocalModel, freed: int) -> None:
        self.model.remove(model.path)
        self.deleted.emit(model, freed)
