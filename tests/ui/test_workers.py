"""run_in_thread: work off the main thread, callbacks on it, cancelled or orphaned results dropped."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from hearth.ui.workers import run_in_thread


def test_result_comes_back_on_the_main_thread(qtbot: QtBot) -> None:
    main = threading.get_ident()
    ran_on: list[int] = []
    results: list[tuple[int, int]] = []

    def job() -> int:
        ran_on.append(threading.get_ident())
        return 42

    handle = run_in_thread(job, lambda v: results.append((v, threading.get_ident())))
    qtbot.waitUntil(lambda: handle.finished, timeout=2000)
    assert ran_on != [main]
    assert results == [(42, main)]
    assert handle.wait(1)


def test_errors_go_to_on_error(qtbot: QtBot) -> None:
    errors: list[BaseException] = []
    handle = run_in_thread(lambda: 1 / 0, lambda _v: pytest.fail("no result expected"), errors.append)
    qtbot.waitUntil(lambda: handle.finished, timeout=2000)
    assert isinstance(errors[0], ZeroDivisionError)


def test_cancel_drops_the_result(qtbot: QtBot) -> None:
    release = threading.Event()
    cancel = threading.Event()
    results: list[object] = []
    handle = run_in_thread(lambda: release.wait(5), results.append, cancel_event=cancel)
    handle.cancel()
    assert cancel.is_set() and handle.cancelled
    release.set()
    qtbot.waitUntil(lambda: handle.finished, timeout=2000)
    assert results == []


def test_deleted_context_gets_no_callback(qtbot: QtBot) -> None:
    release = threading.Event()
    results: list[object] = []
    widget = QWidget()
    handle = run_in_thread(lambda: release.wait(5), results.append, context=widget)
    widget.deleteLater()
    qtbot.waitUntil(lambda: not _alive(widget), timeout=2000)
    release.set()
    assert handle.wait(2)
    QApplication.processEvents()  # a (wrongly) queued callback would be delivered here
    assert results == []


def _alive(widget: QWidget) -> bool:
    try:
        widget.objectName()
    except RuntimeError:
        return False
    return True
