"""Folder watchers for the collections with "Watch for changes" on; changes become queued index jobs.

Why not ``core.docs.watcher.watch_index``: it re-indexes on the watcher's thread, which would race the page's own
index runs. Here the core :class:`FolderWatcher` only reports the changed paths; they cross to the main thread as a
queued signal and join the page's one :class:`IndexQueue`, so there is always a single writer.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from hearth.core.docs.watcher import FolderWatcher


class CollectionWatchers(QObject):
    """One :class:`FolderWatcher` per watched collection; :meth:`stop_all` joins every thread they started.

    Signals:
        changed(str, object): these paths (a ``set[str]``) of this collection changed; emitted from a watcher
            thread, delivered queued on the main thread.
    """

    changed = Signal(str, object)

    def __init__(self, debounce_s: float = 1.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._debounce_s = debounce_s
        self._watchers: dict[str, FolderWatcher] = {}

    def watching(self, name: str) -> bool:
        return name in self._watchers

    def start(self, name: str, folders: tuple[str, ...]) -> None:
        """Watch ``folders`` (restarting when already watched, so edited folders take effect)."""
        self.stop(name)
        watcher = FolderWatcher(folders, lambda paths: self.changed.emit(name, set(paths)), self._debounce_s)
        watcher.start()
        self._watchers[name] = watcher

    def stop(self, name: str) -> None:
        watcher = self._watchers.pop(name, None)
        if watcher is not None:
            watcher.stop()

    def stop_all(self) -> None:
        for name in list(self._watchers):
            self.stop(name)
