"""The chat page's left column: "New chat", a search box and the conversations (or search hits).

Only widgets and signals: the page owns the store and decides what each request does.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QLineEdit, QListView, QMenu, QPushButton, QVBoxLayout, QWidget

from hearth.ui.chat.conversation_delegate import ConversationDelegate
from hearth.ui.chat.conversations_model import ConversationListModel, ConversationRole

SEARCH_DELAY_MS = 120  # as you type, but not one query per keystroke of a fast typist


class ConversationList(QWidget):
    """New / search / list, with a context menu per conversation.

    Signals:
        newRequested(): "New chat".
        opened(int, object): conversation id and the message id of a search hit (None for a plain row).
        searchChanged(str): the search text settled (empty: show every conversation).
        actionRequested(str, int): ``("rename" | "duplicate" | "delete" | "markdown" | "json", conversation id)``.
    """

    newRequested = Signal()
    opened = Signal(int, object)
    searchChanged = Signal(str)
    actionRequested = Signal(str, int)

    def __init__(self, model: ConversationListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversationList")
        self.model = model
        self.new_button = QPushButton("New chat")
        self.new_button.setProperty("primary", True)
        self.new_button.clicked.connect(self.newRequested)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search chats")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(lambda: self.searchChanged.emit(self.search.text().strip()))
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.view = QListView()
        self.view.setObjectName("conversationView")
        self.view.setModel(model)
        self.view.setItemDelegate(ConversationDelegate(self.view))
        self.view.setUniformItemSizes(False)
        self.view.setMouseTracking(True)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._menu)
        self.view.clicked.connect(self._open)
        self.view.activated.connect(self._open)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 12, 6, 10)
        layout.setSpacing(8)
        layout.addWidget(self.new_button)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)

    def select(self, conversation_id: int | None) -> None:
        """Highlight ``conversation_id``'s row without emitting :attr:`opened`."""
        row = self.model.row_of(conversation_id) if conversation_id is not None else -1
        if row < 0:
            self.view.clearSelection()
            return
        self.view.setCurrentIndex(self.model.index(row))

    def menu_for(self, conversation_id: int) -> QMenu:
        """The context menu of a row (tests trigger its actions directly)."""
        menu = QMenu(self)
        for key, label in (
            ("rename", "Rename…"),
            ("duplicate", "Duplicate"),
            ("markdown", "Export as Markdown…"),
            ("json", "Export as JSON…"),
            (None, None),
            ("delete", "Delete…"),
        ):
            if key is None:
                menu.addSeparator()
                continue
            action = menu.addAction(label or "")
            action.setData(key)
            action.triggered.connect(lambda _c=False, k=key: self.actionRequested.emit(k, conversation_id))
        return menu

    def _menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.isValid():
            menu = self.menu_for(int(index.data(ConversationRole.ConversationId)))
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.view.mapToGlobal(pos))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.opened.emit(int(index.data(ConversationRole.ConversationId)), index.data(ConversationRole.MessageId))
