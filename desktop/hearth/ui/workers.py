"""One-shot jobs off the Qt main thread, their result handed back on it.

Why plain Python threads and not ``QThreadPool``: Python code running in a pool thread that logs (the hardware
probe does) registers an unjoinable "dummy" thread with :mod:`threading`, pool threads outlive their job by 30 s,
and a probe stuck in a driver must never hold the app open. The jobs here are rare and short (a hardware probe,
a GGUF header read), so one daemon thread per job costs nothing a pool would save.

The hop back: a signal-only ``QObject`` (detached from every thread, so it may be emitted and destroyed from the
worker) is connected with a queued connection to a receiver that lives on the main thread, as a child of the
caller's ``context`` widget. When that widget is deleted first, Qt drops the connection and no callback runs on
a dead widget.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Emitter(QObject):
    """Raised from the worker thread; never receives events, so any thread may emit it or delete it.

    Signals:
        done(object): the job's return value.
        failed(object): the exception the job raised.
    """

    done = Signal(object)
    failed = Signal(object)


class _Receiver(QObject):
    """Lives on the main thread; its slots run the callbacks there."""

    def __init__(self, handle: TaskHandle[Any], parent: QObject | None) -> None:
        super().__init__(parent)
        self._handle = handle

    @Slot(object)
    def on_done(self, value: object) -> None:
        self._handle._deliver(value, None)

    @Slot(object)
    def on_failed(self, exc: object) -> None:
        self._handle._deliver(None, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))


class TaskHandle(Generic[T]):
    """A running job: cancel it (its callbacks then never run), or wait for its thread (tests, shutdown)."""

    def __init__(
        self,
        on_done: Callable[[T], None],
        on_error: Callable[[BaseException], None] | None,
        cancel_event: threading.Event | None,
    ) -> None:
        self._on_done = on_done
        self._on_error = on_error
        self.cancel_event = cancel_event or threading.Event()
        self._delivered = False
        self._thread: threading.Thread | None = None
        self._receiver: _Receiver | None = None
        self._emitter: QObject | None = None

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()

    @property
    def finished(self) -> bool:
        """True once a callback ran (or would have, had the job not been cancelled)."""
        return self._delivered

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def cancel(self) -> None:
        """Drop the result: superseded work must not overwrite newer results. Sets ``cancel_event`` too, so a
        core function that checks it can stop early."""
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Join the worker thread; True when it has ended. The callback still needs the event loop to run."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running()

    def _deliver(self, value: object, exc: BaseException | None) -> None:
        self._delivered = True
        if self._receiver is not None:
            self._receiver.deleteLater()
            self._receiver = None
        if self.cancelled:
            return
        if exc is None:
            self._on_done(value)  # type: ignore[arg-type]
        elif self._on_error is not None:
            self._on_error(exc)
        else:  # no handler: the app-wide excepthook tells the user
            sys.excepthook(type(exc), exc, exc.__traceback__)


def run_in_thread(
    fn: Callable[[], T],
    on_done: Callable[[T], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    context: QObject | None = None,
    cancel_event: threading.Event | None = None,
    name: str = "hearth-worker",
) -> TaskHandle[T]:
    """Run ``fn()`` on a new daemon thread; call ``on_done(result)`` or ``on_error(exc)`` on the main thread.

    Must be called from the main thread. ``context`` (usually the calling widget) bounds the callbacks'
    lifetime: once it is deleted they never run. ``cancel_event`` is the Event ``fn`` checks, if it takes one;
    ``handle.cancel()`` sets it. Without ``on_error``, an exception goes to ``sys.excepthook``.
    """
    handle: TaskHandle[T] = TaskHandle(on_done, on_error, cancel_event)
    receiver = _Receiver(handle, context)
    handle._receiver = receiver
    emitter = _Emitter()
    emitter.done.connect(receiver.on_done, Qt.ConnectionType.QueuedConnection)
    emitter.failed.connect(receiver.on_failed, Qt.ConnectionType.QueuedConnection)
    emitter.moveToThread(None)  # type: ignore[arg-type]  # no affinity: emitting and deleting it from the worker is safe

    def work() -> None:
        try:
            result = fn()
        except BaseException as exc:  # every failure goes back to the caller
            log.debug("%s failed", name, exc_info=True)
            emitter.failed.emit(exc)
        else:
            emitter.done.emit(result)

    thread = threading.Thread(target=work, name=name, daemon=True)
    handle._thread = thread
    # The handle keeps the emitter alive: freed by the worker thread as its last reference went away, it could be
    # deleted while the main thread was still delivering its queued signal (an intermittent crash in tests).
    handle._emitter = emitter
    thread.start()
    return handle
