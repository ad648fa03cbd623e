"""The conversation side of the chat page: the list and search, opening a thread, and the list's actions
(new, rename, duplicate, delete, export), every write through the store worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from hearth.core.chat import Conversation, ConversationStore, Message
from hearth.ui.chat.conversation_list import ConversationList
from hearth.ui.chat.dialogs import ChatDialogs
from hearth.ui.chat.history import branches_for
from hearth.ui.chat.message_html import Branches
from hearth.ui.chat.store_worker import StoreWorker
from hearth.ui.workers import TaskHandle, run_in_thread


def file_name(title: str, suffix: str) -> str:
    """A safe default file name from a title."""
    stem = re.sub(r"[^\w\- ]+", "", title).strip()[:60] or "conversation"
    return f"{stem}{suffix}"


class Conversations(QObject):
    """Which conversation is open, and the list beside it.

    Signals:
        opened(object, object, object): the open :class:`Conversation` (or None), its thread, its branches.
        failed(str): a write failed (the text is for the user).
    """

    opened = Signal(object, object, object)
    failed = Signal(str)

    def __init__(
        self,
        store: ConversationStore,
        worker: StoreWorker,
        column: ConversationList,
        dialogs: ChatDialogs,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._store, self._worker, self._column, self._dialogs = store, worker, column, dialogs
        self._parent = parent
        self.current: Conversation | None = None
        self.defaults: Callable[[], dict[str, object]] = dict
        self._query = ""
        self._search: TaskHandle[object] | None = None
        column.newRequested.connect(lambda: self.new())
        column.opened.connect(self.open)
        column.searchChanged.connect(self.search)
        column.actionRequested.connect(self._act)

    # -- list ----------------------------------------------------------------------------------------------

    def refresh_list(self) -> None:
        """Re-read the list (a quick read), or re-run the search shown."""
        if self._query:
            self.search(self._query)
            return
        self._column.model.set_conversations(self._store.list_conversations())
        self._column.select(self.current.id if self.current else None)

    def search(self, query: str) -> None:
        """FTS search on a worker thread; a newer query cancels the older one's result."""
        self._query = query
        if self._search is not None:
            self._search.cancel()
        if not query:
            self._search = None
            self.refresh_list()
            return
        store = self._store
        self._search = run_in_thread(
            lambda: store.search(query), self._show_hits, self._search_failed, context=self, name="hearth-chat-search"
        )

    def wait(self, timeout: float = 5.0) -> None:
        if self._search is not None:
            self._search.wait(timeout)

    def _show_hits(self, hits: object) -> None:
        self._column.model.set_hits(hits)  # type: ignore[arg-type]
        self._column.select(self.current.id if self.current else None)

    def _search_failed(self, exc: BaseException) -> None:
        self._column.model.set_hits([])
        self.failed.emit(f"Search failed: {exc}")

    # -- the open conversation -----------------------------------------------------------------------------

    def open(self, conversation_id: int, message_id: int | None = None) -> None:
        """Show a conversation; with ``message_id`` (a search hit) the branch holding that message."""
        if message_id is not None:
            store = self._store
            self._worker.submit(
                lambda: store.switch_branch(message_id),
                lambda _t: self.reload(conversation_id),
                lambda exc: self.failed.emit(str(exc)),
            )
            return
        self.reload(conversation_id)

    def reload(self, conversation_id: int | None = None) -> None:
        """Read the conversation again (after a write) and tell the page."""
        cid = conversation_id if conversation_id is not None else (self.current.id if self.current else None)
        if cid is None:
            self.current = None
            self.opened.emit(None, [], {})
            return
        try:
            self.current = self._store.conversation(cid)
        except LookupError:
            self.current = None
            self.opened.emit(None, [], {})
            return
        thread, branches = self.thread_of(cid)
        self._column.select(cid)
        self.opened.emit(self.current, thread, branches)

    def thread_of(self, conversation_id: int) -> tuple[list[Message], dict[int, Branches]]:
        thread = self._store.messages(conversation_id)
        return thread, branches_for(thread, self._store.all_messages(conversation_id))

    def new(self, model_path: str = "", then: object = None, **settings: object) -> None:
        """Create a conversation (named after its first message) and open it; ``then(conversation)`` after.

        ``settings`` (``system_prompt``, ``sampling``, ``preset_id``) default to what the panel shows, so a
        setting chosen before the first message is not lost.
        """
        store = self._store
        settings = {**self.defaults(), **settings}

        def created(conversation: Conversation) -> None:
            self.refresh_list()
            self.reload(conversation.id)
            if callable(then):
                then(conversation)

        self._worker.submit(
            lambda: store.create_conversation(model_path=model_path, **settings),  # type: ignore[arg-type]
            created,
            lambda exc: self.failed.emit(str(exc)),
        )

    # -- actions -------------------------------------------------------------------------------------------

    def _act(self, action: str, conversation_id: int) -> None:
        store, parent = self._store, self._parent
        try:
            conversation = store.conversation(conversation_id)
        except LookupError:
            return
        if action == "rename":
            title = self._dialogs.ask_text(parent, "Rename chat", "Title", conversation.title)
            if title and title.strip():
                self._write(lambda: store.rename_conversation(conversation_id, title))
        elif action == "duplicate":
            self._write(lambda: store.duplicate_conversation(conversation_id), open_result=True)
        elif action == "delete":
            question = f"Delete “{conversation.title}”? Its messages and every branch are removed for good."
            if self._dialogs.confirm(parent, "Delete chat", question):
                if self.current is not None and self.current.id == conversation_id:
                    self.current = None
                    self.opened.emit(None, [], {})
                self._write(lambda: store.delete_conversation(conversation_id))
        elif action in ("markdown", "json"):
            self._export(conversation, action)

    def _export(self, conversation: Conversation, kind: str) -> None:
        suffix, file_filter = (".md", "Markdown (*.md)") if kind == "markdown" else (".json", "JSON (*.json)")
        chosen = self._dialogs.save_path(
            self._parent, "Export chat", file_name(conversation.title, suffix), file_filter
        )
        if not chosen:
            return
        store, cid, path = self._store, conversation.id, Path(chosen)

        def write() -> Path:
            import json

            if kind == "markdown":
                text = store.export_markdown(cid)
            else:
                text = json.dumps(store.export_json(cid), indent=2, ensure_ascii=False)
            path.write_text(text, encoding="utf-8")
            return path

        self._worker.submit(write, None, lambda exc: self.failed.emit(f"Could not export to {path}: {exc}"))

    def _write(self, fn: object, *, open_result: bool = False) -> None:
        def done(result: object) -> None:
            self.refresh_list()
            if open_result and isinstance(result, Conversation):
                self.reload(result.id)
            elif self.current is not None:
                self.reload()

        self._worker.submit(fn, done, lambda exc: self.failed.emit(str(exc)))  # type: ignore[arg-type]
