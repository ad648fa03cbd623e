"""A fake Hub holding one small but real GGUF, a fast download queue on it, and a main window around both.

Not a conftest: the Downloads tests (and the bench) import what they use.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import tqdm.std
from fit_fixtures import rtx_4070
from huggingface_hub import constants
from huggingface_hub.utils import close_session
from pytestqt.qtbot import QtBot

from hearth.core.downloads import DownloadQueue, RetryPolicy, TransferOptions, default_state_file
from hearth.core.hub import QuantFile
from hearth.core.library_sources import SCAN_HOME_ENV
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.testing.fake_hub import FakeHub, only_local_connections
from hearth.testing.gguf_factory import write_tiny_model
from hearth.ui.library.services import LibraryServices
from hearth.ui.main_window import MainWindow

REPO = "org/Tiny-Chat-GGUF"
FILE = "tiny-chat-Q8_0.gguf"
PADDING = 600_000  # a valid header and enough bytes after it for progress to be seen on a throttled link
FAST_RETRY = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02, jitter=0.0)
FAST_OPTIONS = TransferOptions(connect_timeout_s=5.0, read_timeout_s=5.0, fsync=False)
WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def offline_client(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No implicit token, no proxy, only 127.0.0.1, and no other app's real models folders."""
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)
    monkeypatch.setattr(constants, "HF_HUB_DISABLE_IMPLICIT_TOKEN", True)
    monkeypatch.setattr(tqdm.std.tqdm, "monitor_interval", 0)
    monkeypatch.setenv(SCAN_HOME_ENV, str(tmp_path / "scan-home"))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    close_session()
    with only_local_connections():
        yield
    close_session()


def model_bytes(folder: Path) -> bytes:
    path = write_tiny_model(folder / FILE)
    return path.read_bytes() + bytes(PADDING)


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[FakeHub]:
    with FakeHub() as fake:
        fake.add_repo(REPO, files={FILE: model_bytes(tmp_path), "README.md": "# Tiny\n"})
        yield fake
        fake.wait_idle()


def make_queue(hub: FakeHub, paths: AppPaths) -> DownloadQueue:
    store = SettingsStore(paths)
    return DownloadQueue(
        store.folders().models_dir,
        default_state_file(paths),
        endpoint=hub.url,
        token=lambda: False,
        options=FAST_OPTIONS,
        policy=FAST_RETRY,
        progress_interval_s=0.05,
    )


@pytest.fixture
def queue(hub: FakeHub, hearth_paths: AppPaths) -> Iterator[DownloadQueue]:
    queue = make_queue(hub, hearth_paths)
    yield queue
    queue.shutdown(wait=True)


def quant_file(hub: FakeHub) -> QuantFile:
    size = hub.repo(REPO).files[FILE].size
    return QuantFile(FILE, (FILE,), (size,), (None,), "Q8_0", False, True)


@pytest.fixture
def window(qtbot: QtBot, queue: DownloadQueue, hearth_paths: AppPaths) -> Iterator[MainWindow]:
    store = SettingsStore(hearth_paths)
    window = MainWindow(
        store, remember_layout=False, downloads=queue, library=LibraryServices.for_store(store, rtx_4070)
    )
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    yield window
    window.close()
    library = window.library()
    assert library.wait_for_workers(10)
    window.events.detach()
