"""One thread that tells listeners about job changes, in order, and writes the queue file after them.

Why a thread of its own: listeners (a Qt adapter, the CLI) must see changes in the order they happened, a
slow listener must never slow a transfer, and neither the UI thread calling ``pause`` nor a worker should
wait for the queue file to be fsynced. Everything is funnelled through one FIFO read by this thread.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from hearth.core.downloads.job import DownloadJob

__all__ = ["EventDispatcher", "Listener"]

log = logging.getLogger(__name__)
Listener = Callable[[DownloadJob], None]
_SAVE = "save"


class EventDispatcher:
    """Delivers :class:`DownloadJob` snapshots to listeners and calls ``save`` after each batch of events."""

    def __init__(self, save: Callable[[], None]) -> None:
        self._save = save
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self._events: queue.Queue[DownloadJob | threading.Event | str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="hearth-downloads-events", daemon=True)
        self._thread.start()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)
        return lambda: self._unsubscribe(listener)

    def _unsubscribe(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def publish(self, job: DownloadJob) -> None:
        self._events.put(job)

    def request_save(self) -> None:
        self._events.put(_SAVE)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every event published so far was delivered and saved; ``False`` on timeout."""
        marker = threading.Event()
        self._events.put(marker)
        return marker.wait(timeout)

    def close(self, wait: bool = True) -> None:
        """Deliver what is queued, save a last time and end the thread."""
        self._events.put(None)
        if wait:
            self._thread.join()

    def _run(self) -> None:
        running = True
        while running:
            batch = [self._events.get()]
            while not self._events.empty():
                batch.append(self._events.get_nowait())
            for item in batch:
                if isinstance(item, DownloadJob):
                    self._notify(item)
                elif isinstance(item, threading.Event):
                    self._save()
                    item.set()
                elif item is None:
                    running = False
            self._save()

    def _notify(self, job: DownloadJob) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(job)
            except Exception:  # a broken listener must not stop the others nor the queue
                log.exception("download listener %r failed", listener)
