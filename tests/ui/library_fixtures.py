"""A prepared computer for the Library tests: Hearth's folder, an HF cache and LM Studio with tiny real GGUFs.

Not a conftest: the Library and Downloads tests import what they use. ``HEARTH_SCAN_HOME`` points every other
app's default location at a temporary home, so no test looks at the developer's own models.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fit_fixtures import rtx_4070
from pytestqt.qtbot import QtBot

from hearth.core.library_sources import SCAN_HOME_ENV
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model
from hearth.ui.library.page import LibraryPage
from hearth.ui.library.services import LibraryServices
from hearth.ui.settings_events import SettingsEvents

WAIT_MS = 10_000
CHAT = TinyModelSpec(name="Tiny Chat", chat_template="{% for m in messages %}{{ m.content }}{% endfor %}")


@dataclass
class Computer:
    """Where each model of the prepared tree lies."""

    models_dir: Path
    scan_home: Path
    hearth_model: Path
    broken_model: Path
    hf_model: Path
    lm_studio_model: Path


def _tiny(path: Path, spec: TinyModelSpec) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_tiny_model(path, spec)


def prepare(models_dir: Path, scan_home: Path) -> Computer:
    hearth_model = _tiny(models_dir / "org" / "Tiny-Chat-GGUF" / "tiny-chat-Q8_0.gguf", CHAT)
    broken = models_dir / "org" / "Broken-GGUF" / "broken-Q4_K_M.gguf"
    broken.parent.mkdir(parents=True)
    write_broken(broken, BrokenKind.WRONG_MAGIC)
    snapshot = scan_home / ".cache/huggingface/hub/models--bartowski--Qwen-GGUF/snapshots/abc123"
    hf_model = _tiny(snapshot / "qwen-Q4_K_M.gguf", TinyModelSpec(name="Qwen"))
    lm_folder = scan_home / ".lmstudio/models/lmstudio-community/Llama-GGUF"
    lm_model = _tiny(lm_folder / "llama-Q4_K_M.gguf", TinyModelSpec(name="Llama"))
    return Computer(models_dir, scan_home, hearth_model, broken, hf_model, lm_model)


@pytest.fixture
def computer(hearth_paths: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Computer:
    scan_home = tmp_path / "scan-home"
    monkeypatch.setenv(SCAN_HOME_ENV, str(scan_home))
    store = SettingsStore(hearth_paths)
    return prepare(store.folders().models_dir, scan_home)


class Confirm:
    """Answers the delete question and remembers what was asked."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, _parent: object, _title: str, text: str) -> bool:
        self.asked.append(text)
        return self.answer


def make_page(qtbot: QtBot, paths: AppPaths, confirm: Confirm) -> tuple[LibraryPage, SettingsEvents]:
    store = SettingsStore(paths)
    events = SettingsEvents(store)
    page = LibraryPage(store, events, services=LibraryServices.for_store(store, rtx_4070), confirm=confirm)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    return page, events


def settle(qtbot: QtBot, page: LibraryPage) -> None:
    """Wait until the scan and its fit estimates are in."""
    qtbot.waitUntil(lambda: page.controller.scan_count > 0 and page.rescan_button.isEnabled(), timeout=WAIT_MS)


def finish(page: LibraryPage, events: SettingsEvents) -> None:
    page.shutdown()
    assert page.wait_for_workers(10)
    events.detach()


@pytest.fixture
def confirm() -> Confirm:
    return Confirm()


@pytest.fixture
def page(qtbot: QtBot, computer: Computer, hearth_paths: AppPaths, confirm: Confirm) -> Iterator[LibraryPage]:
    page, events = make_page(qtbot, hearth_paths, confirm)
    page.show()
    settle(qtbot, page)
    yield page
    finish(page, events)
