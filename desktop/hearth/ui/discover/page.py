"""The Discover page: search GGUF models on the Hugging Face Hub, open one, see which file fits, download it.

Every Hub call runs on a worker thread (:mod:`hearth.ui.workers`); the page only reacts to results. Nothing is
sent over the network until the user searches or asks for popular models.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QStackedWidget, QVBoxLayout, QWidget

from hearth.core import hardware
from hearth.core.hub import Hub, ModelSummary, QuantFile, SearchPage
from hearth.core.settings import SettingsStore
from hearth.core.units import format_bytes
from hearth.ui.discover.filters_bar import SORTS
from hearth.ui.discover.messages import error_html, error_text, error_title, saved_html
from hearth.ui.discover.repo_view import RepoView
from hearth.ui.discover.results_model import SearchResultsModel
from hearth.ui.discover.search_controller import SearchController
from hearth.ui.discover.search_view import SearchView
from hearth.ui.discover.services import DiscoverServices, Probe
from hearth.ui.widgets.empty_state import EmptyState

Download = Callable[[str, QuantFile], Any]
FIT_HINT = "Open a model to see which of its files fit this computer."


class DiscoverPage(QWidget):
    """Search results and repo pages in one stack; the main window injects how downloads are queued.

    Args:
        store: settings (cache folder, models folder, default context length).
        hub: the Hub client; by default one built from the environment and keyring, on a worker thread.
        download: ``download(repo_id, quant_file)`` queues a download; without it the page only emits
            :attr:`downloadRequested` and the main window decides.
        probe: the hardware snapshot for fit estimates (tests pass a hand-built machine).

    Signals:
        downloadRequested(str, QuantFile): the user asked to download this file of this repo.
    """

    downloadRequested = Signal(str, object)

    def __init__(
        self,
        store: SettingsStore,
        *,
        hub: Hub | None = None,
        download: Download | None = None,
        probe: Probe | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._download = download
        self.services = DiscoverServices.for_store(store, hub, probe)
        self.results_model = SearchResultsModel(self)
        self.controller = SearchController(self.services, self)
        self.search_view = SearchView(self.results_model, _machine_summary())
        self.repo_view = RepoView(self.services, store.settings.context_length)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.search_view)
        self.stack.addWidget(self.repo_view)
        self._machine = self.search_view.status_label.text()
        self._wire()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(36, 28, 36, 16)
        layout.addWidget(self.stack)

    # Old names kept for the main window and tests that reach into the search half.
    @property
    def search_field(self) -> QLineEdit:
        return self.search_view.search_field

    @property
    def empty_state(self) -> EmptyState:
        return self.search_view.idle_state

    def _wire(self) -> None:
        view, controller = self.search_view, self.controller
        view.search_field.textChanged.connect(controller.set_query)
        view.search_field.returnPressed.connect(self._search_now)
        view.filters.optionsChanged.connect(lambda changes: controller.set_options(**changes))
        view.idle_state.actionTriggered.connect(lambda: controller.search_now(""))
        view.message_state.actionTriggered.connect(controller.retry)
        view.banner.actionTriggered.connect(controller.retry)
        view.load_more_button.clicked.connect(controller.load_more)
        view.results.activatedRow.connect(self.open_result)
        controller.resultsReady.connect(self._show_page)
        controller.failed.connect(self._show_failure)
        controller.loadingChanged.connect(self._loading_changed)
        controller.cleared.connect(self._cleared)
        self.repo_view.backRequested.connect(self.show_results)
        self.repo_view.bestFitChanged.connect(self.results_model.set_fit)
        self.repo_view.downloadRequested.connect(self._request_download)

    # --- navigation ----------------------------------------------------------------------------------------
    def open_result(self, row: int) -> None:
        """Open the repo page of the result in ``row``."""
        summary = self.results_model.summary(row)
        self.open_repo(summary.repo_id, summary)

    def open_repo(self, repo_id: str, summary: ModelSummary | None = None) -> None:
        self.repo_view.open_repo(repo_id, summary)
        self.stack.setCurrentWidget(self.repo_view)
        self.repo_view.files.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_results(self) -> None:
        self.repo_view.close_repo()
        self.stack.setCurrentWidget(self.search_view)
        self.search_view.results.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- lifetime ------------------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Cancel every request (the window is closing)."""
        self.controller.cancel()
        self.repo_view.close_repo()

    def wait_for_workers(self, timeout: float = 10.0) -> bool:
        """Join every worker thread this page started (tests; results may still be queued for the event loop)."""
        return self.controller.wait(timeout) and self.repo_view.wait(timeout)

    # --- search results ------------------------------------------------------------------------------------
    def _search_now(self) -> None:
        if self.search_view.search_field.text().strip():
            self.controller.search_now()

    def _show_page(self, page: SearchPage, append: bool) -> None:
        view = self.search_view
        if append:
            self.results_model.append_results(page.results)
        else:
            self.results_model.set_results(page.results)
            view.results.scrollToTop()
        if page.from_cache:
            view.banner.show_message(saved_html(page.fetched_at), "Try again")
        else:
            view.banner.clear()
        count = self.results_model.rowCount()
        if count == 0:
            query = self.controller.request.query
            what = f"No GGUF models match “{query}”" if query else "No GGUF models match these filters"
            view.show_message(what, "Try fewer words, another spelling, or clear the filters.", None)
        else:
            view.show_results()
        view.load_more_button.setVisible(self.controller.has_more() and count > 0)
        self._describe(count)

    def _show_failure(self, error: BaseException, append: bool) -> None:
        if append and self.results_model.rowCount():
            self.search_view.banner.show_message(error_html(error), "Try again")
            return
        self.results_model.clear()
        self.search_view.show_message(error_title(error), error_text(error), "Try again")
        self.search_view.status_label.setText(self._machine)

    def _loading_changed(self, loading: bool) -> None:
        view = self.search_view
        view.load_more_button.setEnabled(not loading)
        view.load_more_button.setText("Loading…" if loading else "Load more results")
        if loading:
            view.status_label.setText("Searching the Hugging Face Hub…")
        elif view.current_state() != "results":
            view.status_label.setText(self._machine)

    def _cleared(self) -> None:
        self.results_model.clear()
        self.search_view.banner.clear()
        self.search_view.show_idle()
        self.search_view.status_label.setText(self._machine)

    def _describe(self, count: int) -> None:
        request = self.controller.request
        sort = dict(SORTS)[request.sort].lower()
        scope = f"for “{request.query}”" if request.query else "popular GGUF models"
        more = "+" if self.controller.has_more() else ""
        noun = "model" if count == 1 else "models"
        self.search_view.status_label.setText(f"{count}{more} {noun} {scope}, {sort}. {FIT_HINT}")

    # --- downloads -----------------------------------------------------------------------------------------
    def _request_download(self, repo_id: str, file: QuantFile) -> None:
        self.downloadRequested.emit(repo_id, file)
        if self._download is None:
            return
        try:
            self._download(repo_id, file)
        except (ValueError, OSError) as exc:
            self.repo_view.files.set_status(f"Could not start the download: {exc}")
            return
        self.repo_view.files.set_status(f"{file.name} added to downloads.")


def _machine_summary() -> str:
    """psutil reads counters the OS already keeps: cheap enough to build the page with."""
    memory = hardware.memory()
    cores = hardware.cpu().physical_cores
    cpu = f" · {cores} CPU cores" if cores else ""
    return (
        f"This computer: {format_bytes(memory.total_bytes)} memory{cpu}. "
        "Hearth marks which files fit before you download anything."
    )
