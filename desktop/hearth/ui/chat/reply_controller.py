"""One reply at a time: check the context, write the turn, stream the model's text, record how it ended.

Threads: the engine's events arrive through :class:`EngineBridge` (queued signals, tokens buffered); every store
write goes through the one :class:`StoreWorker`; token counting runs on a short-lived worker thread. The render
timer drains the token buffer at most ~30 times a second, shows the text and hands the new text to the store,
whose own buffer writes it a few times a second, so a crash keeps the partial reply.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from hearth.core.chat import ConversationStore, Message, ReplyStats, SamplingSettings
from hearth.core.engine import EngineClient, GenerationHandle, Sampling
from hearth.core.engine import protocol as p
from hearth.ui.chat.engine_bridge import EngineBridge
from hearth.ui.chat.history import ContextFull, Fitted, fit_history, reserve_for
from hearth.ui.chat.store_worker import StoreWorker
from hearth.ui.workers import TaskHandle, run_in_thread

RENDER_INTERVAL_MS = 33  # ~30 updates a second at most, however fast the model

StoreOp = Callable[[ConversationStore], Message]


@dataclass
class Streaming:
    """The reply being generated."""

    conversation_id: int
    message: Message
    handle: GenerationHandle
    prefix: str = ""
    text: str = ""
    model: str = ""


def to_sampling(settings: SamplingSettings) -> Sampling:
    return Sampling(
        temperature=settings.temperature,
        top_k=settings.top_k,
        top_p=settings.top_p,
        min_p=settings.min_p,
        repeat_penalty=settings.repeat_penalty,
        max_tokens=settings.max_tokens,
        seed=settings.seed,
        stop=settings.stop,
    )


class ReplyController(QObject):
    """Starts, streams, stops and finishes replies.

    Signals:
        started(object): the reply :class:`Message` (empty) is in the store; show it.
        text(str): the reply's whole text so far (coalesced; at most ~30 per second).
        finished(int): the reply in this conversation ended and is saved (reload the thread).
        contextUsed(int): prompt + reply tokens of the last reply.
        contextFull(str): the conversation does not fit; the text explains the choice.
        failed(str): the reply could not start or failed (the text is for the user).
    """

    started = Signal(object)
    text = Signal(str)
    finished = Signal(int)
    contextUsed = Signal(int)
    contextFull = Signal(str)
    failed = Signal(str)

    def __init__(
        self,
        engine: EngineClient,
        bridge: EngineBridge,
        store: ConversationStore,
        worker: StoreWorker,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._engine, self._store, self._worker = engine, store, worker
        self._bridge = bridge
        self.current: Streaming | None = None
        self._preparing = False
        # Adds what the stats should also keep (the document sources of the reply) just before they are saved.
        self.annotate_stats: Callable[[int, ReplyStats], ReplyStats] | None = None
        self._count_task: TaskHandle[Fitted] | None = None
        self._last_render = 0.0
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._render)
        bridge.tokensReady.connect(self._schedule)
        bridge.done.connect(self._on_done)
        bridge.error.connect(self._on_error)
        bridge.crashed.connect(self._on_crash)

    def busy(self) -> bool:
        return self.current is not None or self._preparing

    def start(
        self,
        conversation_id: int,
        messages: list[p.Message],
        sampling: SamplingSettings,
        store_op: StoreOp,
        *,
        trim: bool = False,
        prefix: str = "",
    ) -> None:
        """Check that ``messages`` fit, run ``store_op`` (it writes the turn and returns the empty reply), then
        generate. ``prefix`` is text the reply already holds (Continue)."""
        loaded = self._engine.loaded
        if loaded is None:
            self.failed.emit("Load a model first: choose one above and click Load.")
            return
        if self.busy():
            return
        self._preparing = True
        reserve = reserve_for(sampling.max_tokens, loaded.n_ctx)
        engine, n_ctx = self._engine, loaded.n_ctx
        # Continue: the reply so far is part of the prompt (the engine continues a final assistant message).
        prompt = [*messages, {"role": "assistant", "content": prefix}] if prefix else messages
        self._count_task = run_in_thread(
            lambda: fit_history(engine, prompt, n_ctx, reserve, trim),
            lambda fitted: self._write(conversation_id, fitted, sampling, store_op, prefix, loaded.path),
            self._count_failed,
            context=self,
            name="hearth-chat-count",
        )

    def stop(self) -> None:
        if self.current is not None:
            self.current.handle.stop()

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Join a token count in flight (shutdown and tests)."""
        if self._count_task is not None:
            self._count_task.wait(timeout)

    # -- steps ---------------------------------------------------------------------------------------------

    def _count_failed(self, exc: BaseException) -> None:
        self._preparing = False
        if isinstance(exc, ContextFull):
            self.contextFull.emit(str(exc))
        else:
            self.failed.emit(str(exc))

    def _write(
        self,
        conversation_id: int,
        fitted: Fitted,
        sampling: SamplingSettings,
        store_op: StoreOp,
        prefix: str,
        model: str,
    ) -> None:
        store = self._store
        self._worker.submit(
            lambda: store_op(store),
            lambda reply: self._generate(conversation_id, reply, fitted, sampling, prefix, model),
            self._count_failed,
        )

    def _generate(
        self,
        conversation_id: int,
        reply: Message,
        fitted: Fitted,
        sampling: SamplingSettings,
        prefix: str,
        model: str,
    ) -> None:
        self._preparing = False
        handle = self._engine.generate(fitted.messages, to_sampling(sampling))
        self.current = Streaming(conversation_id, reply, handle, prefix, "", model)
        self._last_render = 0.0
        self.started.emit(reply)
        if prefix:
            self.text.emit(prefix)

    def _schedule(self) -> None:
        if not self._timer.isActive():
            wait = RENDER_INTERVAL_MS - (time.monotonic() - self._last_render) * 1000
            self._timer.start(max(0, int(wait)))

    def _render(self) -> None:
        """Drain the buffered tokens: one store append and one view update for all of them."""
        self._last_render = time.monotonic()
        current = self.current
        tokens = self._bridge.take_tokens()
        if current is None:
            return
        delta = "".join(t.text for t in tokens if t.request_id == current.handle.request_id)
        if not delta:
            return
        current.text += delta
        message_id, store = current.message.id, self._store
        self._worker.submit(lambda: store.append_reply(message_id, delta))
        self.text.emit(current.prefix + current.text)

    def _finish(self, stats: ReplyStats, status: str, error: str | None = None) -> None:
        current = self.current
        if current is None:
            return
        self._timer.stop()
        self._render()
        self.current = None
        store, message_id = self._store, current.message.id
        if self.annotate_stats is not None:
            stats = self.annotate_stats(message_id, stats)
        self._worker.submit(
            lambda: store.finish_reply(message_id, stats, status, error),  # type: ignore[arg-type]
            lambda _m: self.finished.emit(current.conversation_id),
            lambda exc: self.failed.emit(str(exc)),
        )

    # -- engine events -------------------------------------------------------------------------------------

    def _on_done(self, done: p.Done) -> None:
        current = self.current
        if current is None or done.request_id != current.handle.request_id:
            return
        first_ms = current.handle.first_token_ms if current.handle.first_token_ms is not None else done.ttft_ms
        stats = ReplyStats(
            ttft_ms=first_ms,
            tokens_per_s=done.decode_tokens_per_s,
            completion_tokens=done.completion_tokens,
            prompt_tokens=done.prompt_tokens,
            finish_reason=done.finish_reason,
            model=current.model.rsplit("/", 1)[-1] or None,
        )
        self._finish(stats, "interrupted" if done.finish_reason == "cancelled" else "complete")
        self.contextUsed.emit(done.prompt_tokens + done.completion_tokens)

    def _on_error(self, error: p.Error) -> None:
        current = self.current
        if current is None or error.request_id != current.handle.request_id:
            return
        self._finish(ReplyStats(), "error", error.message)
        if error.kind == "context":
            self.contextFull.emit(error.message)
        else:
            self.failed.emit(error.message)

    def _on_crash(self, crash: p.EngineCrashed) -> None:
        current = self.current
        if current is None:
            return
        tokens = current.handle.n_tokens or None
        self._finish(
            ReplyStats(completion_tokens=tokens, model=current.model.rsplit("/", 1)[-1] or None), "interrupted"
        )
