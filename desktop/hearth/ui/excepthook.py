"""Uncaught exceptions are logged and shown in a dialog instead of vanishing (qutebrowser's crashsignal).

PySide6 prints an exception raised in a slot and carries on; a Python thread's exception dies with it.
Both reach this hook, which logs the traceback and hands the dialog to the main thread through a queued
signal, because widgets may only be created there.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]
ThreadHook = Callable[[threading.ExceptHookArgs], object]
ShowDialog = Callable[[str, str], object]


class ExceptionReporter(QObject):
    """Installs ``sys.excepthook`` and ``threading.excepthook``; reports each exception once.

    Args:
        log_file: named in the dialog, so the user knows what to attach to a bug report.
        show_dialog: ``show_dialog(message, details)`` called on the main thread; default opens a
            non-blocking :class:`QMessageBox`. Tests pass a recorder.

    Signals:
        reported(str, str): the one-line message and the traceback, on the main thread.
    """

    reported = Signal(str, str)
    _raised = Signal(str, str)

    def __init__(self, log_file: Path, show_dialog: ShowDialog | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.log_file = log_file
        self._show_dialog = show_dialog or self._open_message_box
        self._previous: tuple[ExceptHook, ThreadHook] | None = None
        self._box: QMessageBox | None = None
        self._raised.connect(self._on_raised, Qt.ConnectionType.QueuedConnection)

    def install(self) -> tuple[ExceptHook, ThreadHook]:
        """Become the hooks; returns the ones replaced (also restored by :meth:`uninstall`)."""
        if self._previous is None:
            self._previous = (sys.excepthook, threading.excepthook)
            sys.excepthook = self.handle
            threading.excepthook = self.handle_thread
        return self._previous

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook, threading.excepthook = self._previous
            self._previous = None

    def handle(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        """``sys.excepthook``: callable from any thread."""
        if issubclass(exc_type, KeyboardInterrupt):  # Ctrl+C in a terminal is a request, not a crash
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(exc_type, exc, tb))
        message = "".join(traceback.format_exception_only(exc_type, exc)).strip()
        self._raised.emit(message, "".join(traceback.format_exception(exc_type, exc, tb)))

    def handle_thread(self, args: threading.ExceptHookArgs) -> None:
        """``threading.excepthook``: the same report, naming the thread."""
        if args.exc_value is None:
            return
        thread = args.thread.name if args.thread is not None else "an unknown thread"
        log.critical("uncaught exception in thread %s", thread)
        self.handle(args.exc_type, args.exc_value, args.exc_traceback)

    def _on_raised(self, message: str, details: str) -> None:
        self.reported.emit(message, details)
        try:
            self._show_dialog(message, details)
        except Exception:  # a failing dialog must not feed this hook again, in a loop
            log.exception("could not show the error dialog")

    def _open_message_box(self, message: str, details: str) -> None:
        """One dialog at a time: an error repeating in a loop must not bury the window in dialogs."""
        if self._box is not None and self._box.isVisible():
            return
        self._box = error_box(message, details, self.log_file)
        self._box.open()


def error_box(message: str, details: str, log_file: Path, parent: QWidget | None = None) -> QMessageBox:
    """A critical message box saying what happened, where the log is, and that work can go on."""
    box = QMessageBox(QMessageBox.Icon.Critical, "Hearth ran into a problem", message, parent=parent)
    box.setInformativeText(
        "Hearth kept running, but the last action may not have finished. The details were written to "
        f"{log_file}; please attach that file if you report this problem."
    )
    box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box
