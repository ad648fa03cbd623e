"""Keep a collection current while the app runs: watchdog events, debounced, re-index only the changed paths.

Why debounce: an editor's save is several events (temp file, rename, modify) and a ``git checkout`` is thousands;
waiting for a quiet second turns each burst into one incremental re-index. The callback runs on the watcher's own
thread, never the UI thread; ``stop`` joins every thread this module started.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

if TYPE_CHECKING:
    from hearth.core.docs.index import DocumentIndex

log = logging.getLogger(__name__)


class _Collector(FileSystemEventHandler):
    def __init__(self, watcher: FolderWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads, not changes
        paths = [event.src_path, getattr(event, "dest_path", "")]
        self._watcher.note(p if isinstance(p, str) else p.decode() for p in paths if p)


class FolderWatcher:
    """Calls ``on_change(paths)`` once the folders have been quiet for ``debounce_s`` after a change."""

    def __init__(self, folders: Iterable[str], on_change: Callable[[set[str]], Any], debounce_s: float = 1.0) -> None:
        self.folders = [str(f) for f in folders]
        self._on_change = on_change
        self._debounce_s = debounce_s
        self._pending: set[str] = set()
        self._last_event = 0.0
        self._cond = threading.Condition()
        self._stopping = False
        self._observer: Any = None
        self._worker: threading.Thread | None = None

    def note(self, paths: Iterable[str]) -> None:
        with self._cond:
            self._pending.update(paths)
            self._last_event = time.monotonic()
            self._cond.notify()

    def start(self) -> None:
        if self._worker is not None:
            return
        observer = Observer()
        handler = _Collector(self)
        for folder in self.folders:
            observer.schedule(handler, folder, recursive=True)
        observer.daemon = True
        observer.start()
        self._observer = observer
        self._worker = threading.Thread(target=self._loop, name="hearth-docs-watch", daemon=True)
        self._worker.start()

    def stop(self) -> None:
        """Stop watching; a re-index already running finishes first (it is incremental, so that is cheap)."""
        if self._observer is not None:
            self._observer.stop()
            self._observer.join()
            self._observer = None
        with self._cond:
            self._stopping = True
            self._cond.notify()
        if self._worker is not None:
            self._worker.join()
            self._worker = None

    def __enter__(self) -> FolderWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    if self._pending:
                        quiet_for = time.monotonic() - self._last_event
                        if quiet_for >= self._debounce_s:
                            break
                        self._cond.wait(self._debounce_s - quiet_for)
                    else:
                        self._cond.wait()
                if self._stopping:
                    return
                batch, self._pending = self._pending, set()
            try:
                self._on_change(batch)
            except Exception:  # the watcher must survive one bad re-index; the log says why
                log.exception("re-indexing %d changed paths failed", len(batch))


def watch_index(index: DocumentIndex, debounce_s: float = 1.0) -> FolderWatcher:
    """A started watcher that re-indexes just the changed paths of ``index``'s collection; ``stop`` it when done."""
    watcher = FolderWatcher(index.spec.folders, lambda paths: index.index(only_paths=paths), debounce_s)
    watcher.start()
    return watcher
