"""A repo page: its facts, the model card, and every GGUF file with how it would run on this computer.

Why the work is spread over workers: the repo's file list, its README, the hardware probe and each file's
header are separate waits on the network or drivers; each lands when ready (the table first, then fit badges
one by one), and leaving the page cancels whatever is still running.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from hearth.core.gguf import GGUFHeader
from hearth.core.hardware_types import HardwareSnapshot
from hearth.core.hub import GatedRepo, HubUnreachable, ModelSummary, QuantFile, RepoDetails
from hearth.ui.discover.files_table import FilesPanel
from hearth.ui.discover.header_loader import HeaderLoader
from hearth.ui.discover.messages import error_html, error_text, error_title, gated_html, saved_html
from hearth.ui.discover.model_card import ModelCardView
from hearth.ui.discover.repo_header import RepoHeader
from hearth.ui.discover.services import DiscoverServices
from hearth.ui.widgets.banner import Banner
from hearth.ui.widgets.empty_state import EmptyState
from hearth.ui.workers import TaskHandle, run_in_thread

Download = Callable[[str, QuantFile], Any]


class RepoView(QWidget):
    """One repo at a time; :meth:`open_repo` starts the workers, :meth:`close_repo` cancels them.

    Signals:
        backRequested(): the user wants the results list back.
        downloadRequested(str, QuantFile): download this file (all its shards) of this repo.
        bestFitChanged(str, object): the repo's best verdict (a FitEstimate, or None) for the results list.
    """

    backRequested = Signal()
    downloadRequested = Signal(str, object)
    bestFitChanged = Signal(str, object)

    def __init__(self, services: DiscoverServices, context_length: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._repo_id = ""
        self._details: RepoDetails | None = None
        self._hardware: HardwareSnapshot | None = None
        self._tasks: list[TaskHandle[Any]] = []
        self._probe_task: TaskHandle[HardwareSnapshot] | None = None
        self._header_error: BaseException | None = None
        self.loader = HeaderLoader(services.read_header, self)
        self.loader.headerReady.connect(self._header_ready)
        self.loader.headerFailed.connect(self._header_failed)

        self.header = RepoHeader()
        self.header.backRequested.connect(self.backRequested)
        self.banner = Banner()
        self.banner.actionTriggered.connect(self.retry)
        self.files = FilesPanel(context_length)
        self.files.downloadClicked.connect(lambda f: self.downloadRequested.emit(self._repo_id, f))
        self.files.model.recommendationChanged.connect(self.files.show_recommendation)
        self.files.model.settled.connect(self._settled)
        self.card = ModelCardView()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.files, "Files")
        self.tabs.addTab(self.card, "Model card")
        self.state = EmptyState("discover", "", "", "Try again")
        self.state.actionTriggered.connect(self.retry)
        self.body = QStackedWidget()
        self.body.addWidget(self.tabs)
        self.body.addWidget(self.state)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addWidget(self.body, 1)

    # --- public ------------------------------------------------------------------------------------------
    def repo_id(self) -> str:
        return self._repo_id

    def details(self) -> RepoDetails | None:
        return self._details

    def hardware(self) -> HardwareSnapshot | None:
        """The machine the fits are estimated for (None until the first probe finishes)."""
        return self._hardware

    def open_repo(self, repo_id: str, summary: ModelSummary | None = None) -> None:
        """Show ``repo_id``: facts from ``summary`` at once, then files, card and fit as they arrive."""
        self.close_repo()
        self._repo_id, self._details, self._header_error = repo_id, None, None
        self.header.show_repo(repo_id, summary, self._web())
        self.banner.clear()
        self.files.block_downloads(None)
        self.files.model.set_files(())
        self.files.set_status("Loading the list of files…")
        self.card.show_message("Loading the model card…")
        self.body.setCurrentWidget(self.tabs)
        self.tabs.setCurrentWidget(self.files)
        self._start(lambda: self._services.hub().repo_files(repo_id), self._details_ready, self._details_failed)
        self._start(lambda: self._services.hub().model_card(repo_id), self._card_ready, self._card_failed)
        if self._hardware is None and self._probe_task is None:
            self._probe_task = self._start(self._services.probe, self._hardware_ready, self._hardware_failed)

    def close_repo(self) -> None:
        """Cancel everything still loading for the current repo (leaving the page, or opening another)."""
        for task in self._tasks:
            if task is not self._probe_task:
                task.cancel()
        self.loader.cancel()

    def retry(self) -> None:
        if self._repo_id:
            self.open_repo(self._repo_id)

    def wait(self, timeout: float = 10.0) -> bool:
        """Join every worker (tests, shutdown)."""
        return all(t.wait(timeout) for t in self._tasks) and self.loader.wait(timeout)

    def set_context(self, n_ctx: int) -> None:
        self.files.set_context(n_ctx)

    # --- workers -----------------------------------------------------------------------------------------
    def _start(
        self, fn: Callable[[], Any], done: Callable[[Any], None], failed: Callable[[BaseException], None]
    ) -> TaskHandle[Any]:
        repo = self._repo_id
        task = run_in_thread(
            fn,
            lambda value: done(value) if repo == self._repo_id else None,
            lambda error: failed(error) if repo == self._repo_id else None,
            context=self,
            name="discover-repo",
        )
        self._tasks = [t for t in self._tasks if t.running()] + [task]
        return task

    def _details_ready(self, details: RepoDetails) -> None:
        self._details = details
        self.header.show_details(details)
        self.files.model.set_files(details.files)
        if details.from_cache:
            self.banner.show_message(saved_html(details.fetched_at, "this repo's files"), "Try again")
        if not details.files:
            self.files.set_status("This repo has no GGUF files Hearth can run.")
            return
        self.files.select_default()
        self.files.set_status(None if self._hardware else "Checking this computer…")
        self.loader.load(details.repo_id, details.sha, self.files.model.pending())

    def _details_failed(self, error: BaseException) -> None:
        if isinstance(error, HubUnreachable) and isinstance(error.cached, RepoDetails):
            self._details_ready(error.cached)
            return
        self.state.title_label.setText(error_title(error))
        self.state.set_text(error_text(error))
        self.body.setCurrentWidget(self.state)

    def _card_ready(self, text: str) -> None:
        self.card.set_card(text, f"{self._web()}/{self._repo_id}/blob/main/")

    def _card_failed(self, error: BaseException) -> None:
        if isinstance(error, GatedRepo):
            self.card.show_message("The model card is behind the licence gate: see the note above.")
            self._show_gated(error)
        else:
            self.card.show_message(f"The model card could not be loaded. {error_text(error)}")

    def _hardware_ready(self, hardware: HardwareSnapshot) -> None:
        self._hardware = hardware
        self._probe_task = None
        self.files.set_status(None)
        self.files.model.set_hardware(hardware)

    def _hardware_failed(self, error: BaseException) -> None:
        self._probe_task = None
        self.files.set_status(f"Could not check this computer's memory, so fit is unknown: {error}")

    def _header_ready(self, name: str, header: GGUFHeader) -> None:
        self.files.model.set_header(name, header)

    def _header_failed(self, name: str, error: BaseException) -> None:
        label = "Licence not accepted" if isinstance(error, GatedRepo) else "Unknown"
        if isinstance(error, HubUnreachable):
            label = "Unknown (offline)"
        self.files.model.set_failed(name, str(error), label)
        if self._header_error is None:
            self._header_error = error
            if isinstance(error, GatedRepo):
                self._show_gated(error)
            elif not self.banner.isVisible():
                self.banner.show_message(
                    error_html(error, self._repo_id) + " Fit is unknown for some files.", "Try again"
                )

    def _show_gated(self, error: GatedRepo) -> None:
        self.files.block_downloads("Accept the licence on the model page first (see the note above)")
        self.banner.show_message(gated_html(self._repo_id, error.link, error.has_token), "Try again")

    def _settled(self) -> None:
        """Every header is in: tell the results list this repo's best verdict at the chosen context."""
        if self._repo_id and self._hardware is not None:
            self.bestFitChanged.emit(self._repo_id, self.files.model.best_fit())

    def _web(self) -> str:
        return self._services.hub_web()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.backRequested.emit()
            return
        super().keyPressEvent(event)
