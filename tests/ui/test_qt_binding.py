"""Guards against a broken Qt binding: PySide6 6.12.0 on Python 3.11 aborted the app after a few thousand calls."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_qt_calls_returning_none_keep_none_alive(qtbot: QtBot) -> None:
    """Each setText/processEvents call once stole a reference to None; 10,000 of them crashed the process."""
    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(1000):
        label.setText("y")
    assert sys.getrefcount(None) - before > -100
