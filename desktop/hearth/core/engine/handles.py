"""What ``EngineClient`` returns for a request: something to wait on, iterate, or stop.

Why handles and callbacks both: the CLI and tests block on ``result()`` or iterate tokens; the UI subscribes to
``EngineClient(on_event=...)`` and turns events into queued Qt signals. Both see the same events, applied by the
client's reader thread. A handle never loses text: when the engine dies mid-reply, ``text`` still holds what
arrived and ``result()`` raises :class:`EngineCrashedError` carrying it.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from hearth.core.engine import protocol as p

T = TypeVar("T")


class EngineError(Exception):
    """A request failed (``kind`` as in :class:`protocol.Error`); the message is meant for the user."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


class EngineCrashedError(EngineError):
    """The engine process ended unexpectedly; ``partial_text`` is the reply received until then."""

    def __init__(self, crash: p.EngineCrashed) -> None:
        super().__init__("crashed", crash.message)
        self.exitcode = crash.exitcode
        self.partial_text = crash.partial_text


class Pending(Generic[T]):
    """A request's outcome: a value, or an :class:`EngineError`, set once by the client's reader thread."""

    def __init__(self, request_id: int) -> None:
        self.request_id = request_id
        self._done = threading.Event()
        self._value: T | None = None
        self._error: EngineError | None = None

    def done(self) -> bool:
        return self._done.is_set()

    def result(self, timeout: float | None = None) -> T:
        if not self._done.wait(timeout):
            raise TimeoutError(f"the engine did not answer request {self.request_id} within {timeout} s")
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value

    def _set(self, value: T) -> None:
        self._value = value
        self._done.set()

    def _fail(self, error: EngineError) -> None:
        self._error = error
        self._done.set()


class LoadHandle(Pending[p.Loaded]):
    """A load in progress; ``progress`` is 0.0–1.0. ``cancel()`` aborts it (llama.cpp stops reading)."""

    def __init__(self, request_id: int, path: str, cancel: Callable[[int], None]) -> None:
        super().__init__(request_id)
        self.path = path
        self.progress = 0.0
        self._cancel = cancel

    def cancel(self) -> None:
        if not self.done():
            self._cancel(self.request_id)


@dataclass(frozen=True)
class GenerationResult:
    """A finished reply. ``first_token_ms`` is measured by the client (what the user waits), ``ttft_ms`` by
    the engine (prompt processing only): the difference is the cost of the process boundary."""

    text: str
    finish_reason: p.FinishReason
    prompt_tokens: int
    completion_tokens: int
    ttft_ms: float
    decode_tokens_per_s: float
    first_token_ms: float


_END = object()


class GenerationHandle(Pending[GenerationResult]):
    """A reply in progress: iterate it for token texts, read ``text`` at any time, ``stop()`` it."""

    def __init__(self, request_id: int, stop: Callable[[int], None]) -> None:
        super().__init__(request_id)
        self._stop = stop
        self._pieces: list[str] = []
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._sent_at = time.perf_counter()
        self.first_token_ms: float | None = None
        self.n_tokens = 0
        """Tokens generated so far, as counted by the engine."""

    @property
    def text(self) -> str:
        return "".join(self._pieces)

    def stop(self) -> None:
        """Ask the engine to stop; it does so before the next token. ``result()`` then says "cancelled"."""
        if not self.done():
            self._stop(self.request_id)

    def __iter__(self) -> Iterator[str]:
        while (item := self._queue.get()) is not _END:
            assert isinstance(item, str)
            yield item

    def _token(self, token: p.Token) -> None:
        if self.first_token_ms is None:
            self.first_token_ms = (time.perf_counter() - self._sent_at) * 1000
        self.n_tokens = token.n
        self._pieces.append(token.text)
        self._queue.put(token.text)

    def _finish(self, done: p.Done) -> None:
        first = self.first_token_ms if self.first_token_ms is not None else (time.perf_counter() - self._sent_at) * 1000
        self._set(
            GenerationResult(
                self.text,
                done.finish_reason,
                done.prompt_tokens,
                done.completion_tokens,
                done.ttft_ms,
                done.decode_tokens_per_s,
                first,
            )
        )
        self._queue.put(_END)

    def _fail(self, error: EngineError) -> None:
        super()._fail(error)
        self._queue.put(_END)
