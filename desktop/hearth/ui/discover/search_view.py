"""The search half of Discover: field, filters, a status line, and the results list or a state that explains.

Why several states rather than an empty list: a new user, a search with no matches, a Hub that cannot be
reached and a list of results each need different words and a different next step.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hearth.ui.discover.filters_bar import FiltersBar
from hearth.ui.discover.result_delegate import ResultDelegate
from hearth.ui.discover.results_model import SearchResultsModel
from hearth.ui.resources import icon
from hearth.ui.widgets.banner import Banner
from hearth.ui.widgets.empty_state import EmptyState
from hearth.ui.widgets.labels import styled, text_label
from hearth.ui.widgets.page_header import PageHeader

IDLE_TEXT = (
    "Type a model name such as “Qwen2.5 7B Instruct” or “Llama 3.2 3B”. Hearth searches GGUF models on the "
    "Hugging Face Hub and shows which files fit this computer. Only searching and downloading use the internet; "
    "models run entirely on this computer."
)


class ResultsList(QListView):
    """The cards; Enter opens the current result like a double-click does.

    Signals:
        activatedRow(int): the user opened the result in this row.
    """

    activatedRow = Signal(int)

    def __init__(self, model: SearchResultsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setItemDelegate(ResultDelegate(self))
        self.setMouseTracking(True)  # hover highlight on the cards
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(True)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setSpacing(0)
        self.setAccessibleName("Search results")
        self.viewport().setAutoFillBackground(False)
        self.activated.connect(lambda index: self.activatedRow.emit(index.row()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activatedRow.emit(self.currentIndex().row())
            return
        super().keyPressEvent(event)


class SearchView(QWidget):
    """Everything above and including the results; :class:`DiscoverPage` wires it to the controller."""

    def __init__(self, model: SearchResultsModel, machine_summary: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_field = styled(QLineEdit(), "searchField")
        self.search_field.setPlaceholderText("Search the Hugging Face Hub for GGUF models")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.setAccessibleName("Search models")
        self._search_action = self.search_field.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.filters = FiltersBar()
        self.status_label = text_label(machine_summary, "mutedLabel", wrap=True)
        self.banner = Banner()
        self.results = ResultsList(model)
        self.load_more_button = QPushButton("Load more results")
        self.load_more_button.hide()
        self.idle_state = EmptyState("discover", "Find a model to run privately", IDLE_TEXT, "Show popular models")
        self.message_state = EmptyState("discover", "", "", "Try again")
        self.states = QStackedWidget()
        results_page = QWidget()
        results_layout = QVBoxLayout(results_page)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.setSpacing(8)
        results_layout.addWidget(self.results, 1)
        more_row = QHBoxLayout()
        more_row.addStretch(1)
        more_row.addWidget(self.load_more_button)
        more_row.addStretch(1)
        results_layout.addLayout(more_row)
        for widget in (self.idle_state, results_page, self.message_state):
            self.states.addWidget(widget)
        self._results_page = results_page

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(10)
        layout.addWidget(PageHeader("Discover", "Find models on the Hugging Face Hub and see which ones fit."))
        layout.addSpacing(6)
        layout.addWidget(self.search_field)
        layout.addWidget(self.filters)
        layout.addWidget(self.status_label)
        layout.addWidget(self.banner)
        layout.addWidget(self.states, 1)

    def show_idle(self) -> None:
        self.states.setCurrentWidget(self.idle_state)
        self.load_more_button.hide()

    def show_results(self) -> None:
        self.states.setCurrentWidget(self._results_page)

    def show_message(self, title: str, text: str, action: str | None) -> None:
        """A full-area state: no matches, Hub unreachable, an error; ``action`` labels its button (or hides it)."""
        self.message_state.title_label.setText(title)
        self.message_state.set_text(text)
        self.message_state.action_button.setText(action or "")
        self.message_state.action_button.setVisible(bool(action))
        self.states.setCurrentWidget(self.message_state)
        self.load_more_button.hide()

    def current_state(self) -> str:
        """``"idle"``, ``"results"`` or ``"message"`` (for tests and screenshots)."""
        current = self.states.currentWidget()
        return "idle" if current is self.idle_state else "results" if current is self._results_page else "message"

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._search_action.setIcon(icon("search", self.palette().color(QPalette.ColorRole.PlaceholderText)))
        super().changeEvent(event)

    def current_index(self) -> QModelIndex:
        return self.results.currentIndex()
