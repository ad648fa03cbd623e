"""The engine's events as Qt signals on the main thread, tokens coalesced so a fast model cannot flood the loop.

``EngineClient`` calls ``on_event`` on its reader thread. Every event but tokens becomes a queued signal.
Tokens go into a locked buffer instead, and only the first token of an empty buffer queues a ``tokensReady``
signal: however fast the model, at most one token event waits in the Qt queue, and the page drains the buffer
on its ~30 Hz render timer.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Signal

from hearth.core.engine import protocol as p


class EngineBridge(QObject):
    """Pass :meth:`on_event` as ``EngineClient(on_event=...)``; connect to the signals.

    Signals:
        progress(int, float): load request id, fraction 0–1.
        loaded(object): a :class:`protocol.Loaded`.
        unloaded(object): a :class:`protocol.Unloaded`.
        tokensReady(): the token buffer went from empty to non-empty; call :meth:`take_tokens`.
        done(object): a :class:`protocol.Done` (its tokens are already in the buffer).
        error(object): a :class:`protocol.Error`.
        crashed(object): a :class:`protocol.EngineCrashed`.
    """

    progress = Signal(int, float)
    loaded = Signal(object)
    unloaded = Signal(object)
    tokensReady = Signal()
    done = Signal(object)
    error = Signal(object)
    crashed = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._tokens: list[p.Token] = []

    def on_event(self, event: p.Event) -> None:
        """Called on the engine's reader thread; the signals are delivered queued to this object's thread."""
        if isinstance(event, p.Token):
            with self._lock:
                first = not self._tokens
                self._tokens.append(event)
            if first:
                self.tokensReady.emit()
        elif isinstance(event, p.LoadProgress):
            self.progress.emit(event.request_id, event.fraction)
        elif isinstance(event, p.Loaded):
            self.loaded.emit(event)
        elif isinstance(event, p.Unloaded):
            self.unloaded.emit(event)
        elif isinstance(event, p.Done):
            self.done.emit(event)
        elif isinstance(event, p.Error):
            self.error.emit(event)
        elif isinstance(event, p.EngineCrashed):
            self.crashed.emit(event)

    def take_tokens(self) -> list[p.Token]:
        """Every token received since the last call, oldest first."""
        with self._lock:
            tokens, self._tokens = self._tokens, []
        return tokens
