"""Test set-up shared by every test: offscreen Qt, a private HEARTH_HOME, and leak checks.

The leak checks follow napari's lesson: a thread, QThread or child process that outlives its test causes
segfaults and flakes far away from the cause, so the test that leaked it fails instead.
"""

from __future__ import annotations

import os
import tempfile
import threading
import weakref
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

# Before any QApplication exists: tests never need a display.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
# huggingface_hub reads these once, at import: point its cache and token at a throwaway folder for the whole run
# and never send a developer's own token to a test server.
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="hearth-tests-hf-")
os.environ["HF_HUB_DISABLE_IMPLICIT_TOKEN"] = "1"
os.environ.pop("HF_TOKEN", None)
os.environ.pop("HF_ENDPOINT", None)

import tqdm

# tqdm starts a monitor thread for every progress bar (hf_hub_download makes one) that outlives the test and
# would trip the leak check below; Hearth never relies on it.
tqdm.tqdm.monitor_interval = 0

from hearth.core.paths import HOME_ENV, AppPaths, resolve_paths  # noqa: E402

_LEAK_GRACE_S = 3.0


@pytest.fixture(autouse=True)
def hearth_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own HEARTH_HOME, so none touches the user's real folders."""
    home = tmp_path / "hearth-home"
    monkeypatch.setenv(HOME_ENV, str(home))
    return home


@pytest.fixture
def hearth_paths(hearth_home: Path) -> AppPaths:
    """The AppPaths for this test's HEARTH_HOME, folders created."""
    return resolve_paths(hearth_home).ensure()


class _QThreadTracker:
    """Remembers every QThread started during a test (Qt threads are invisible to ``threading``)."""

    def __init__(self) -> None:
        self.started: weakref.WeakSet[object] = weakref.WeakSet()
        self._original = None

    def install(self) -> None:
        from PySide6.QtCore import QThread

        original = QThread.start
        tracker = self

        def start(thread: QThread, *args: object) -> None:
            tracker.started.add(thread)
            original(thread, *args)

        self._original = original
        QThread.start = start  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._original is not None:
            from PySide6.QtCore import QThread

            QThread.start = self._original  # type: ignore[method-assign]

    def running(self) -> list[object]:
        alive = []
        for thread in list(self.started):
            try:
                if thread.isRunning() and not thread.wait(int(_LEAK_GRACE_S * 1000)):  # type: ignore[attr-defined]
                    alive.append(thread)
            except RuntimeError:  # the C++ object is already gone: not running
                continue
        return alive


@pytest.fixture(scope="session", autouse=True)
def _multiprocessing_resource_tracker() -> None:
    """multiprocessing starts one resource-tracker process the first time a "spawn" pool runs (indexing reads
    long PDFs in one) and keeps it for the life of the interpreter; started up front, it is not a test's leak."""
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


@pytest.fixture(autouse=True)
def no_leaks(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """Fail a test that leaves Python threads, QThreads, child processes or files under tmp_path open."""
    threads_before = set(threading.enumerate())
    me = psutil.Process()
    children_before = {p.pid for p in me.children(recursive=True)}
    tracker = _QThreadTracker()
    tracker.install()
    try:
        yield
    finally:
        tracker.uninstall()
    problems: list[str] = []
    for thread in set(threading.enumerate()) - threads_before:
        thread.join(_LEAK_GRACE_S)
        if thread.is_alive():
            problems.append(f"thread {thread.name!r} still running")
    problems += [f"QThread {t!r} still running" for t in tracker.running()]
    for child in me.children(recursive=True):
        if child.pid in children_before:
            continue
        try:
            child.wait(_LEAK_GRACE_S)
        except psutil.TimeoutExpired:
            problems.append(f"child process {child.pid} ({child.name()}) still running")
        except psutil.NoSuchProcess:
            pass
    root = str(tmp_path.resolve())
    problems += [f"file left open: {f.path}" for f in me.open_files() if f.path.startswith(root)]
    if problems:
        pytest.fail("test leaked resources:\n  " + "\n  ".join(problems), pytrace=False)
