"""The Chat page: conversations on the left, the thread in the middle, the conversation's settings on the right.

Pieces: :class:`ModelLoader` (picker, load, crash banner), :class:`Conversations` (list, search, actions),
:class:`ReplyController` (one streaming reply), :class:`SettingsPanel` (prompt and sampling) and
:class:`ThreadActions` (send, edit, regenerate, continue, branches). The page owns the bridge and the store
worker; the main window owns the engine and the store and shuts them down after :meth:`ChatPage.shutdown`.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from hearth.core.chat import Conversation, ConversationStore
from hearth.core.engine import EngineClient
from hearth.ui.chat.collection_picker import CollectionPicker
from hearth.ui.chat.composer import Composer
from hearth.ui.chat.conversation_list import ConversationList
from hearth.ui.chat.conversations import Conversations
from hearth.ui.chat.conversations_model import ConversationListModel
from hearth.ui.chat.dialogs import ChatDialogs
from hearth.ui.chat.doc_context import DocumentContext
from hearth.ui.chat.engine_bridge import EngineBridge
from hearth.ui.chat.message_view import MessageView
from hearth.ui.chat.model_bar import ModelBar
from hearth.ui.chat.model_loader import ModelLoader, SettingsFor, default_settings
from hearth.ui.chat.picker_model import ModelPickerModel
from hearth.ui.chat.reply_controller import ReplyController
from hearth.ui.chat.settings_panel import SettingsPanel
from hearth.ui.chat.source_viewer import SourceViewer
from hearth.ui.chat.store_worker import StoreWorker
from hearth.ui.chat.thread_actions import ThreadActions
from hearth.ui.documents.services import DocsServices
from hearth.ui.library.services import LibraryServices
from hearth.ui.widgets.banner import Banner
from hearth.ui.widgets.empty_state import EmptyState


class ChatPage(QWidget):
    """Conversations with the loaded model.

    Args:
        engine: the app's engine client (its ``on_event`` is pointed at this page's bridge).
        store: the app's conversation store.
        library: where the picker finds models; None shows only models opened with :meth:`open_model`.
        settings_for: the load settings for a model path (and its trained context).
        dialogs: the questions the page asks (tests answer them).
        docs: the documents core, for answers from the user's collections (None: no documents).
        show_source: ``show_source(viewer)`` shows a cited passage's viewer (tests inspect it instead).

    Signals:
        sectionRequested(str): the user asked to go to another section (``"library"``).
    """

    sectionRequested = Signal(str)

    def __init__(
        self,
        engine: EngineClient,
        store: ConversationStore,
        library: LibraryServices | None = None,
        *,
        settings_for: SettingsFor = default_settings,
        dialogs: ChatDialogs | None = None,
        docs: DocsServices | None = None,
        show_source: Callable[[SourceViewer], object] = SourceViewer.open,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.engine, self.store = engine, store
        self.dialogs = dialogs or ChatDialogs()
        self.bridge = EngineBridge(self)
        engine.on_event = self.bridge.on_event
        self.worker = StoreWorker(self)

        self.empty_state = EmptyState(
            "chat",
            "Load a model to start chatting",
            "Pick a downloaded model in your Library and load it. The model runs on this computer: "
            "your conversations are never sent anywhere.",
            "Choose a model",
        )
        self.empty_state.actionTriggered.connect(lambda: self.sectionRequested.emit("library"))
        self.column = ConversationList(ConversationListModel(self))
        self.model_bar = ModelBar(ModelPickerModel(self))
        self.banner = Banner()
        self.view = MessageView()
        self.composer = Composer()
        self.settings = SettingsPanel()
        self.settings_button = QPushButton("Settings")
        self.settings_button.setCheckable(True)
        self.settings_button.setChecked(True)
        self.settings_button.toggled.connect(self.settings.setVisible)
        self._build_layout()

        self.loader = ModelLoader(engine, self.bridge, self.model_bar, self.banner, library, settings_for, self)
        self.conversations = Conversations(store, self.worker, self.column, self.dialogs, self)
        self.replies = ReplyController(engine, self.bridge, store, self.worker, self)
        self._show_source = show_source
        self.documents = DocumentContext(docs, engine, self)
        self.replies.started.connect(lambda reply: self.documents.log.attach(reply.id))  # before the view reloads
        self.documents.failed.connect(self.show_error)
        self.view.sources_html = self.documents.log.html_for
        self.replies.annotate_stats = self.documents.log.with_sources
        self.view.sourceRequested.connect(self.open_source)
        self.collection_picker = CollectionPicker()
        self.settings.add_section(self.collection_picker)
        self.collection_picker.changed.connect(self._picks_changed)
        self.conversations.opened.connect(self._conversation_opened)
        self.thread_actions = ThreadActions(self, self)
        self.conversations.defaults = self._panel_settings
        self._middle.insertWidget(2, self.thread_actions.context_banner)
        self.loader.modelsListed.connect(lambda _n: self._update_mode())
        self.loader.loaded.connect(lambda _l: self._update_mode())
        self.conversations.failed.connect(self.show_error)
        self.worker.failed.connect(self.show_error)
        self.conversations.refresh_list()
        self._update_mode()

    def _build_layout(self) -> None:
        center = QWidget()
        middle = QVBoxLayout(center)
        middle.setContentsMargins(14, 12, 14, 12)
        middle.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(self.model_bar, 1)
        top.addWidget(self.settings_button, 0, Qt.AlignmentFlag.AlignTop)
        middle.addLayout(top)
        middle.addWidget(self.banner)
        self._middle = middle
        middle.addWidget(self.view, 1)
        middle.addWidget(self.composer)
        self.splitter = QSplitter()
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.column)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.settings)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([240, 700, 280])
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.setContentsMargins(36, 28, 36, 16)
        empty_layout.addWidget(self.empty_state)
        self.stack = QStackedWidget()
        self.stack.addWidget(empty)
        self.stack.addWidget(self.splitter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

    # -- public --------------------------------------------------------------------------------------------

    def open_model(self, path: str) -> None:
        """Load the model at ``path`` (the Library's "Chat") and show the chat."""
        self.loader.load(path)
        self._update_mode()

    load_model = open_model  # the name the main window used before this page existed

    def show_error(self, message: str) -> None:
        self.banner.show_message(html.escape(message))

    def set_collections(self, names: list[str]) -> None:
        """The document collections that exist (the Documents page lists them)."""
        self.collection_picker.set_collections(names)

    def open_source(self, message_id: int, number: int) -> None:
        """Show source ``number`` of reply ``message_id`` in the viewer."""
        sources = self.documents.log.get(message_id)
        if sources is not None and 0 < number <= len(sources.passages):
            self._show_source(SourceViewer(number, sources.passages[number - 1], parent=self))

    def _conversation_opened(self, conversation: Conversation | None, *_rest: object) -> None:
        """Show the opened conversation's collections (a new one takes what was picked before it existed)."""
        if conversation is not None:
            self.documents.adopt_draft(conversation.id)
        self.collection_picker.set_picked(self.documents.picks(conversation.id if conversation else None))

    def _picks_changed(self, names: tuple[str, ...]) -> None:
        current = self.conversations.current
        self.documents.set_picks(current.id if current else None, names)

    def shutdown(self) -> None:
        """Finish queued store writes and background reads; the owner then closes the engine and the store."""
        self.replies.stop()
        self.replies.wait_idle()
        self.documents.wait()
        self.loader.wait()
        self.conversations.wait()
        self.thread_actions.wait()
        self.worker.shutdown()
        if self.engine.on_event == self.bridge.on_event:
            self.engine.on_event = None

    def _panel_settings(self) -> dict[str, object]:
        prompt, sampling = self.settings.values()
        return {"system_prompt": prompt, "sampling": sampling, "preset_id": self.settings.preset_id()}

    def showEvent(self, event: QShowEvent) -> None:
        """Each visit re-lists the models (a download may have finished meanwhile); the scan runs on a worker."""
        super().showEvent(event)
        self.loader.refresh()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.view.refresh()

    def _update_mode(self) -> None:
        has_chat = (
            self.loader.picker_model.rowCount() > 0
            or self.column.model.rowCount() > 0
            or self.engine.loaded is not None
            or self.loader.loading()
        )
        self.stack.setCurrentIndex(1 if has_chat else 0)
