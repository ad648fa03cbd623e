"""What the user does to the open thread: send, edit and resend, regenerate, continue, switch branches, stop;
and keeping the settings panel, the context meter and the context-full choice in step with it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QPushButton

from hearth.core.chat import Conversation, ConversationStore, Message, SamplingSettings
from hearth.core.chat.model_sampling import sampling_for_model
from hearth.core.engine import protocol as p
from hearth.ui.chat.history import engine_messages, reserve_for
from hearth.ui.chat.message_html import Branches
from hearth.ui.widgets.banner import Banner
from hearth.ui.workers import TaskHandle, run_in_thread

if TYPE_CHECKING:
    from hearth.ui.chat.page import ChatPage

SAVE_DELAY_MS = 300


class ThreadActions(QObject):
    """Glue between the page's widgets and its controllers (see the module docstring)."""

    def __init__(self, page: ChatPage, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self._trim: set[int] = set()
        self._retry: Callable[[], None] | None = None
        self._count: TaskHandle[int] | None = None
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_settings)
        self.context_banner = Banner()
        self.context_banner.actionTriggered.connect(self._trim_and_retry)
        self.context_stop = QPushButton("Stop")  # the other choice: leave the conversation as it is
        self.context_stop.clicked.connect(self.context_banner.clear)
        banner_layout = self.context_banner.layout()
        assert banner_layout is not None
        banner_layout.addWidget(self.context_stop)
        c, r, s = page.conversations, page.replies, page.settings
        c.opened.connect(self._show)
        page.composer.sendRequested.connect(self.send)
        page.composer.stopRequested.connect(r.stop)
        page.view.actionRequested.connect(self._on_view_action)
        r.started.connect(self._started)
        r.text.connect(self._text)
        r.finished.connect(self._finished)
        r.failed.connect(self._failed)
        r.contextFull.connect(self._context_full)
        r.contextUsed.connect(self._context_used)
        page.loader.loaded.connect(self._model_loaded)
        s.changed.connect(self._save_timer.start)
        s.presetChosen.connect(self._preset_chosen)
        s.newPresetRequested.connect(lambda: self._edit_preset(None))
        s.editPresetRequested.connect(self._edit_preset)
        s.resetRequested.connect(self._reset)
        s.set_presets(self.store.presets.all(), None)  # a new user's first chat can start from a preset too

    @property
    def store(self) -> ConversationStore:
        return self.page.store

    def wait(self, timeout: float = 5.0) -> None:
        if self._count is not None:
            self._count.wait(timeout)

    # -- showing -------------------------------------------------------------------------------------------

    def _show(self, conversation: Conversation | None, thread: list[Message], branches: dict[int, Branches]) -> None:
        streaming = self.page.replies.current
        mine = streaming is not None and conversation is not None and streaming.conversation_id == conversation.id
        if mine and streaming is not None and thread and thread[-1].id == streaming.message.id:
            self.page.view.set_messages(thread[:-1], branches, busy=True)
            self.page.view.begin_stream(streaming.message)
            self.page.view.update_stream(streaming.prefix + streaming.text)
        else:
            self.page.view.set_messages(thread, branches)
        self._save_timer.stop()
        self.page.settings.set_presets(self.store.presets.all(), conversation.preset_id if conversation else None)
        if conversation is not None:
            self.page.settings.set_values(conversation.system_prompt, conversation.sampling)
        self.page.composer.cancel_edit()
        self.context_banner.clear()
        self.count_context()

    def _model_loaded(self, loaded: p.Loaded) -> None:
        self.count_context()
        self._offer_model_sampling(loaded.path)

    def _offer_model_sampling(self, path: str) -> None:
        """A chat not started yet takes the sampling the model's author recommends (its GGUF header, read off the
        main thread), unless the user has already changed the panel: their choice wins."""
        if self.page.conversations.current is not None or self.page.settings.values()[1] != SamplingSettings():
            return
        run_in_thread(
            lambda: sampling_for_model(path),
            self._adopt_model_sampling,
            lambda _e: None,  # the defaults stay: nothing to tell the user
            context=self,
            name="hearth-chat-model-sampling",
        )

    def _adopt_model_sampling(self, sampling: SamplingSettings) -> None:
        prompt, shown = self.page.settings.values()
        if self.page.conversations.current is None and shown == SamplingSettings():  # nobody got there first
            self.page.settings.set_values(prompt, sampling)

    def count_context(self) -> None:
        """The meter: the thread's prompt tokens, counted by the engine on a worker (not while it streams)."""
        loaded, current = self.page.engine.loaded, self.page.conversations.current
        if loaded is None or self.page.replies.busy():
            return
        if self._count is not None:
            self._count.cancel()
        prompt, _ = self.page.settings.values()
        messages = engine_messages(prompt, self.store.messages(current.id) if current else [])
        if not messages:
            self.page.model_bar.set_context(0, loaded.n_ctx)
            return
        engine, n_ctx = self.page.engine, loaded.n_ctx
        self._count = run_in_thread(
            lambda: engine.count_tokens(messages),
            lambda n: self.page.model_bar.set_context(n, n_ctx),
            lambda _e: None,
            context=self,
            name="hearth-chat-context",
        )

    # -- sending -------------------------------------------------------------------------------------------

    def send(self, text: str) -> None:
        current = self.page.conversations.current
        if self.page.engine.loaded is None:
            self._failed("Load a model first: choose one above and click Load.")
            return
        if current is None:
            model = self.page.engine.loaded.path
            self.page.conversations.new(model, then=lambda c: self._send(c.id, text))
            return
        self._send(current.id, text)

    def _send(self, cid: int, text: str) -> None:
        editing = self.page.composer.editing_id
        thread = self.store.messages(cid)
        if editing is not None:
            cut = next((i for i, m in enumerate(thread) if m.id == editing), len(thread))
            history = thread[:cut]

            def op(s: ConversationStore) -> Message:
                s.edit_user_message(editing, text)
                return s.begin_reply(cid)
        else:
            history = thread

            def op(s: ConversationStore) -> Message:
                s.add_message(cid, "user", text)
                return s.begin_reply(cid)

        messages = [*self._messages(history), {"role": "user", "content": text}]
        self._start(cid, messages, op, lambda: self._send(cid, text))

    def _reply_again(self, message: Message, *, keep: bool) -> None:
        """Regenerate (``keep=False``) or continue (``keep=True``) the reply ``message`` as a new branch."""
        cid, parent = message.conversation_id, message.parent_id
        thread = self.store.messages(cid)
        cut = next((i for i, m in enumerate(thread) if m.id == message.id), len(thread))
        prefix = message.content if keep else ""

        def op(s: ConversationStore) -> Message:
            reply = s.begin_reply(cid, parent_id=parent)
            if prefix:
                s.append_reply(reply.id, prefix)
            return reply

        self._start(cid, self._messages(thread[:cut]), op, lambda: self._reply_again(message, keep=keep), prefix)

    def _start(
        self,
        cid: int,
        messages: list[p.Message],
        op: Callable[[ConversationStore], Message],
        retry: Callable[[], None],
        prefix: str = "",
    ) -> None:
        self._retry = retry
        self.context_banner.clear()
        _prompt, sampling = self.page.settings.values()
        trim = cid in self._trim

        def go(prompt: list[p.Message]) -> None:
            self.page.replies.start(cid, prompt, sampling, op, trim=trim, prefix=prefix)

        loaded = self.page.engine.loaded
        if prefix or loaded is None:  # Continue extends a reply: it keeps the passages it had
            go(messages)
            return
        self.page.documents.adopt_draft(cid)
        self.page.documents.prepare(cid, messages, reserve_for(sampling.max_tokens, loaded.n_ctx), go)

    def _messages(self, thread: list[Message]) -> list[p.Message]:
        prompt, _ = self.page.settings.values()
        return engine_messages(prompt, thread)

    # -- reply events --------------------------------------------------------------------------------------

    def _started(self, reply: Message) -> None:
        self.page.composer.input.clear()
        self.page.composer.finish_edit()
        self.page.composer.set_streaming(True)
        self.page.conversations.refresh_list()
        self.page.conversations.reload(reply.conversation_id)

    def _text(self, text: str) -> None:
        streaming, current = self.page.replies.current, self.page.conversations.current
        if streaming is not None and current is not None and streaming.conversation_id == current.id:
            self.page.view.update_stream(text)

    def _finished(self, cid: int) -> None:
        self.page.composer.set_streaming(False)
        current = self.page.conversations.current
        if current is not None and current.id == cid:
            self.page.conversations.reload(cid)
        self.page.conversations.refresh_list()

    def _failed(self, message: str) -> None:
        self.page.composer.set_streaming(self.page.replies.current is not None)
        self.page.show_error(message)

    def _context_full(self, message: str) -> None:
        self.page.composer.set_streaming(False)
        self.context_banner.show_message(html.escape(message), "Trim oldest turns")

    def _context_used(self, used: int) -> None:
        if (loaded := self.page.engine.loaded) is not None:
            self.page.model_bar.set_context(used, loaded.n_ctx)

    def _trim_and_retry(self) -> None:
        current = self.page.conversations.current
        if current is not None:
            self._trim.add(current.id)
        self.context_banner.clear()
        if self._retry is not None:
            self._retry()

    def _on_view_action(self, action: str, message_id: int) -> None:
        try:
            message = self.store.message(message_id)
        except LookupError:
            return
        if self.page.replies.busy():
            return
        if action == "edit":
            self.page.composer.start_edit(message.id, message.content)
        elif action in ("regenerate", "continue"):
            self._reply_again(message, keep=action == "continue")
        elif action == "branch":
            self.page.conversations.open(message.conversation_id, message.id)

    # -- settings ------------------------------------------------------------------------------------------

    def save_settings(self) -> None:
        """Store the panel's values in the open conversation (debounced: typing is not a write per key)."""
        self._save_timer.stop()
        current = self.page.conversations.current
        if current is None:
            return
        prompt, sampling = self.page.settings.values()
        preset, cid, store = self.page.settings.preset_id(), current.id, self.store
        self.page.worker.submit(
            lambda: store.update_conversation(cid, system_prompt=prompt, sampling=sampling, preset_id=preset)
        )

    def _preset_chosen(self, preset_id: int | None) -> None:
        if preset_id is not None:
            preset = self.store.presets.get(preset_id)
            self.page.settings.set_values(preset.system_prompt, preset.sampling)
        self.save_settings()

    def _edit_preset(self, preset_id: int | None) -> None:
        preset = self.store.presets.get(preset_id) if preset_id is not None else None
        answer = self.page.dialogs.edit_preset(self.page, preset)
        if answer is None:
            return
        name, prompt = answer
        _p, sampling = self.page.settings.values()
        store = self.store

        def write() -> int:
            if preset is None:
                return store.presets.create(name, prompt, sampling).id
            return store.presets.update(preset.id, name=name, system_prompt=prompt).id

        self.page.worker.submit(write, self._preset_saved)

    def _preset_saved(self, preset_id: int) -> None:
        self.page.settings.set_presets(self.store.presets.all(), preset_id)
        self._preset_chosen(preset_id)

    def _reset(self) -> None:
        """llama.cpp's defaults overlaid by what the model's author recommends (its GGUF header, read off the
        main thread): the loaded model's, else the one this conversation was held with."""
        loaded, current = self.page.engine.loaded, self.page.conversations.current
        path = loaded.path if loaded is not None else (current.model_path if current is not None else "")
        if not path:
            self._apply_reset(SamplingSettings.model_defaults())
            return
        run_in_thread(
            lambda: sampling_for_model(path),
            self._apply_reset,
            lambda _e: self._apply_reset(SamplingSettings.model_defaults()),
            context=self,
            name="hearth-chat-model-defaults",
        )

    def _apply_reset(self, sampling: SamplingSettings) -> None:
        prompt, _ = self.page.settings.values()
        self.page.settings.set_values(prompt, sampling)
        self.save_settings()
