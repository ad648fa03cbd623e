"""Turns :class:`SettingsStore` change callbacks into a Qt signal.

The store is core code and calls plain listeners on whatever thread changed a setting; widgets must only
be touched on the main thread, and a queued signal is how Qt gets there (the Dangerzone pattern).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from hearth.core.settings import Settings, SettingsStore

log = logging.getLogger(__name__)


class SettingsEvents(QObject):
    """Re-announces every successful settings change to widgets.

    Signals:
        changed(object, object): the new ``Settings`` and the ``frozenset`` of changed field names;
            delivered on the thread this object lives in (the main thread).
    """

    changed = Signal(object, object)

    def __init__(self, store: SettingsStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._unsubscribe: Callable[[], None] | None = store.subscribe(self._on_store_change)

    def detach(self) -> None:
        """Stop listening; the store outlives windows in tests and must not call into deleted objects."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _on_store_change(self, settings: Settings, changed: frozenset[str]) -> None:
        try:
            self.changed.emit(settings, changed)
        except RuntimeError:  # the C++ half is gone: the window was destroyed without detach()
            log.debug("settings change after the window was destroyed; detaching")
            self.detach()
