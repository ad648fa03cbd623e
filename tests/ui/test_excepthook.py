"""Uncaught exceptions, in a slot or in a Python thread, are logged and reported on the main thread."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from hearth.core.paths import AppPaths
from hearth.ui.excepthook import ExceptionReporter, error_box

pytestmark = [
    # pytest-qt's own capture would swap sys.excepthook around each phase and fail on these deliberate errors.
    pytest.mark.qt_no_exception_capture,
    # The offscreen platform warns when a message box adjusts its size constraints; harmless there.
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


class Recorder:
    """Stands in for the dialog: records the message and whether it ran on the main thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, bool]] = []

    def __call__(self, message: str, details: str) -> None:
        self.calls.append((message, details, threading.current_thread() is threading.main_thread()))


class Emitter(QObject):
    fired = Signal()


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def reporter(hearth_paths: AppPaths, recorder: Recorder) -> Iterator[ExceptionReporter]:
    reporter = ExceptionReporter(hearth_paths.log_file, show_dialog=recorder)
    reporter.install()
    try:
        yield reporter
    finally:
        reporter.uninstall()


def test_install_returns_the_previous_hooks_and_uninstall_restores_them(hearth_paths: AppPaths) -> None:
    before = (sys.excepthook, threading.excepthook)
    reporter = ExceptionReporter(hearth_paths.log_file)
    assert reporter.install() == before
    assert sys.excepthook == reporter.handle
    assert threading.excepthook == reporter.handle_thread
    reporter.uninstall()
    assert (sys.excepthook, threading.excepthook) == before


def test_exception_in_a_slot_is_logged_and_reported(
    qtbot: QtBot, reporter: ExceptionReporter, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    emitter = Emitter()

    def broken_slot() -> None:
        raise RuntimeError("slot failed")

    emitter.fired.connect(broken_slot)
    with caplog.at_level(logging.CRITICAL), qtbot.waitSignal(reporter.reported, timeout=2000) as blocker:
        emitter.fired.emit()
    assert blocker.args[0] == "RuntimeError: slot failed"
    [(message, details, on_main_thread)] = recorder.calls
    assert message == "RuntimeError: slot failed"
    assert "broken_slot" in details and "Traceback" in details
    assert on_main_thread
    assert "uncaught exception" in caplog.text and "slot failed" in caplog.text


def test_exception_in_a_thread_is_reported_on_the_main_thread(
    qtbot: QtBot, reporter: ExceptionReporter, recorder: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    def work() -> None:
        raise ValueError("worker failed")

    worker = threading.Thread(target=work, name="download-worker")
    with caplog.at_level(logging.CRITICAL), qtbot.waitSignal(reporter.reported, timeout=2000):
        worker.start()
        worker.join()
    [(message, details, on_main_thread)] = recorder.calls
    assert message == "ValueError: worker failed"
    assert "in work" in details
    assert on_main_thread
    assert "download-worker" in caplog.text and "worker failed" in caplog.text


def test_default_dialog_opens_without_blocking_and_only_once(qtbot: QtBot, hearth_paths: AppPaths) -> None:
    reporter = ExceptionReporter(hearth_paths.log_file)
    reporter.install()
    try:
        for _ in range(2):
            with qtbot.waitSignal(reporter.reported, timeout=2000):
                reporter.handle(OSError, OSError("disk full"), None)
    finally:
        reporter.uninstall()
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]
    assert len(boxes) == 1
    assert boxes[0].text() == "OSError: disk full"
    boxes[0].close()


def test_error_box_names_the_log_file_and_carries_the_traceback(qtbot: QtBot, tmp_path: Path) -> None:
    box = error_box("KeyError: 'x'", "Traceback (most recent call last): ...", tmp_path / "hearth.log")
    qtbot.addWidget(box)
    assert box.icon() == QMessageBox.Icon.Critical
    assert box.text() == "KeyError: 'x'"
    assert str(tmp_path / "hearth.log") in box.informativeText()
    assert box.detailedText().startswith("Traceback")
