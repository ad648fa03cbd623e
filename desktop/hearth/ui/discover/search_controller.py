"""Search-as-you-type over the Hub: debounced, one worker per request, superseded requests cancelled and ignored.

Why a generation id as well as cancelling: a cancel Event only stops a request between HTTP calls, and a reply
may already be on its way to the main thread; every reply carries the generation it was started for, and one
that is not the current generation is dropped (napari's ``_LayerSlicer`` does the same).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, QTimer, Signal

from hearth.core.hub import HubRequestCancelled, HubUnreachable, SearchPage, Sort
from hearth.ui.discover.services import DiscoverServices
from hearth.ui.workers import TaskHandle, run_in_thread

DEBOUNCE_MS = 300
PAGE_SIZE = 30


@dataclass(frozen=True)
class SearchRequest:
    """Everything a search depends on; equal requests give equal pages."""

    query: str = ""
    sort: Sort = "downloads"
    author: str | None = None
    architecture: str | None = None
    min_params: int | None = None
    max_params: int | None = None


class SearchController(QObject):
    """Turns keystrokes and filter changes into Hub searches on worker threads.

    Signals:
        resultsReady(SearchPage, bool): a page for the current request; ``True`` when it continues the shown list
            ("load more"). ``page.from_cache`` means the Hub was unreachable and these are saved results.
        failed(BaseException, bool): the current request failed and there is nothing saved to show; ``True``
            when it was "load more" (the list shown so far stays valid).
        loadingChanged(bool): a request started (True) or the last one ended (False).
        cleared(): the query was emptied; nothing is being searched.
    """

    resultsReady = Signal(object, bool)
    failed = Signal(object, bool)
    loadingChanged = Signal(bool)
    cleared = Signal()

    def __init__(self, services: DiscoverServices, parent: QObject | None = None, *, debounce_ms: int = DEBOUNCE_MS):
        super().__init__(parent)
        self._services = services
        self._request = SearchRequest()
        self._generation = 0
        self._task: TaskHandle[SearchPage] | None = None
        self._tasks: list[TaskHandle[SearchPage]] = []
        self._next_page: str | None = None
        self._active = False  # a search was asked for (the list shows its results)
        self._last_append = False
        self._loading = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.search_now)
        self.page_size = PAGE_SIZE

    # --- what the user does ----------------------------------------------------------------------------------
    @property
    def request(self) -> SearchRequest:
        return self._request

    @property
    def generation(self) -> int:
        return self._generation

    def set_debounce(self, ms: int) -> None:
        """How long typing must pause before a search (tests shorten it)."""
        self._timer.setInterval(ms)

    def set_query(self, text: str) -> None:
        """Typing: search ``DEBOUNCE_MS`` after the last keystroke; an emptied field stops searching."""
        self._request = replace(self._request, query=text.strip())
        if not self._request.query:
            self._timer.stop()
            self._cancel_current()
            self._active = False
            self._set_loading(False)
            self.cleared.emit()
            return
        self._timer.start()

    def set_options(self, **changes: object) -> None:
        """Sort or filters changed: search again at once if results are showing (or a search is pending)."""
        request = replace(self._request, **changes)  # type: ignore[arg-type]
        if request == self._request:
            return
        self._request = request
        if self._active or self._timer.isActive():
            self.search_now()

    def search_now(self, query: str | None = None) -> None:
        """Search immediately (Enter, Retry, "Show popular models" with ``query=""``)."""
        if query is not None:
            self._request = replace(self._request, query=query.strip())
        self._timer.stop()
        self._active = True
        self._start(page=None, append=False)

    def load_more(self) -> bool:
        """Fetch the next page of the current results; False when there is none or a request is running."""
        if self._next_page is None or self.is_loading():
            return False
        self._start(page=self._next_page, append=True)
        return True

    def retry(self) -> None:
        """Repeat the request that failed (a further page, or the search itself)."""
        if self._last_append and self._next_page is not None:
            self._start(page=self._next_page, append=True)
        else:
            self.search_now()

    def has_more(self) -> bool:
        return self._next_page is not None

    def is_loading(self) -> bool:
        return self._task is not None and not self._task.finished and not self._task.cancelled

    # --- lifetime ------------------------------------------------------------------------------------------
    def cancel(self) -> None:
        """Stop the timer and drop any running request (the page is closing)."""
        self._timer.stop()
        self._cancel_current()
        self._set_loading(False)

    def wait(self, timeout: float = 10.0) -> bool:
        """Join every worker started (tests, shutdown); True when none is left running."""
        return all(task.wait(timeout) for task in self._tasks)

    # --- workers -------------------------------------------------------------------------------------------
    def _start(self, page: str | None, append: bool) -> None:
        self._cancel_current()
        self._generation += 1
        generation, request, services, limit = self._generation, self._request, self._services, self.page_size
        cancel = threading.Event()
        self._last_append = append

        def search() -> SearchPage:
            return services.hub().search_models(
                request.query,
                sort=request.sort,
                author=request.author,
                architecture=request.architecture,
                min_params=request.min_params,
                max_params=request.max_params,
                limit=limit,
                page=page,
                cancel=cancel,
            )

        self._task = run_in_thread(
            search,
            lambda result: self._done(generation, result, append),
            lambda error: self._error(generation, error, append),
            context=self,
            cancel_event=cancel,
            name="hub-search",
        )
        self._tasks = [t for t in self._tasks if t.running()] + [self._task]
        self._set_loading(True)

    def _cancel_current(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def _done(self, generation: int, page: SearchPage, append: bool) -> None:
        if generation != self._generation:
            return  # superseded while its reply was queued
        self._task = None
        self._next_page = page.next_page
        self._set_loading(False)
        self.resultsReady.emit(page, append)

    def _error(self, generation: int, error: BaseException, append: bool) -> None:
        if generation != self._generation or isinstance(error, HubRequestCancelled):
            return
        self._task = None
        self._set_loading(False)
        if isinstance(error, HubUnreachable) and isinstance(error.cached, SearchPage):
            self._next_page = error.cached.next_page
            self.resultsReady.emit(error.cached, append)
            return
        self.failed.emit(error, append)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loadingChanged.emit(loading)
