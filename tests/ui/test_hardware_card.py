"""Settings → Hardware: probing off the main thread, notices, and "Check a model file" for good and broken files."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fit_fixtures import MODEL, no_gpu, rtx_4070
from pytestqt.qtbot import QtBot

from hearth.core.hardware_types import HardwareSnapshot
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import write_tiny_model
from hearth.ui.settings.hardware_card import NO_GPU, HardwareCard

NOTICE = "Your NVIDIA GPU (RTX) is not used: install the CUDA build"
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def make_card(qtbot: QtBot, snapshot: HardwareSnapshot) -> HardwareCard:
    main = threading.get_ident()
    probed_on: list[int] = []

    def probe(_models_dir: Path | None) -> HardwareSnapshot:
        probed_on.append(threading.get_ident())
        return snapshot

    card = HardwareCard(probe=probe)
    card.probed_on = probed_on  # type: ignore[attr-defined]
    qtbot.addWidget(card)
    with qtbot.waitSignal(card.hardwareChanged, timeout=5000):
        card.show()
    assert probed_on and main not in probed_on  # probing never blocks the UI
    return card


def test_card_fills_in_after_the_probe(qtbot: QtBot) -> None:
    card = make_card(qtbot, rtx_4070(notices=(NOTICE,)))
    assert card.status_label.isHidden()
    assert card.memory_label.text() == "14.0 GiB available of 32.0 GiB"
    assert card.gpu_label.text() == "NVIDIA GeForce RTX 4070: 11.0 GiB free of 12.0 GiB (CUDA)"
    assert card.offload_label.text().startswith("Supported")
    assert card.cpu_label.text() == "Test CPU 8-Core · 8 cores, 16 threads · x86_64 · AVX AVX2"
    assert card.disk_label.text() == "200.0 GiB free"
    assert card.notices() == [NOTICE]
    assert card.refresh_button.isEnabled()


def test_no_gpu_machine_and_refresh(qtbot: QtBot) -> None:
    card = make_card(qtbot, no_gpu())
    assert card.gpu_label.text() == NO_GPU
    assert card.offload_label.text().startswith("Not supported")
    assert card.notices() == []
    with qtbot.waitSignal(card.hardwareChanged, timeout=5000):
        card.refresh()
        assert not card.refresh_button.isEnabled()  # one probe at a time
    assert len(card.probed_on) == 2  # type: ignore[attr-defined]


def test_probe_failure_is_shown(qtbot: QtBot) -> None:
    def broken_probe(_models_dir: Path | None) -> HardwareSnapshot:
        raise RuntimeError("NVML exploded")

    card = HardwareCard(probe=broken_probe)
    qtbot.addWidget(card)
    card.show()
    qtbot.waitUntil(lambda: card.probe_error.isVisibleTo(card), timeout=5000)
    assert "NVML exploded" in card.probe_error.text()
    assert card.refresh_button.isEnabled()


def test_check_a_model_file_shows_the_fit(qtbot: QtBot, tmp_path: Path) -> None:
    card = make_card(qtbot, rtx_4070())
    path = write_tiny_model(tmp_path / "tiny-q8.gguf", MODEL)
    with qtbot.waitSignal(card.fit_panel.estimateChanged, timeout=5000) as blocker:
        card.check_model(path)
    assert card.model_label.text() == "tiny-q8.gguf"
    assert card.fit_panel.isVisibleTo(card)
    assert blocker.args[0].verdict == "full_gpu"
    assert card.fit_panel.badge.text() == "Full GPU"
    assert card.model_error.isHidden()
    with qtbot.waitSignal(card.hardwareChanged, timeout=5000):  # a refresh re-estimates the file shown
        card.refresh()
    assert card.fit_panel.estimate() is not None


def test_check_before_the_probe_finishes(qtbot: QtBot, tmp_path: Path) -> None:
    card = HardwareCard(probe=lambda _d: no_gpu())  # never shown: the check starts the probe itself
    qtbot.addWidget(card)
    path = write_tiny_model(tmp_path / "m.gguf", MODEL)
    with qtbot.waitSignal(card.fit_panel.estimateChanged, timeout=5000):
        card.check_model(path)
    assert card.fit_panel.badge.text() == "CPU only"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: write_broken(p, BrokenKind.WRONG_MAGIC), "is not a GGUF file"),
        (lambda p: p, "Cannot read missing.gguf"),
    ],
    ids=["wrong-magic", "missing"],
)
def test_unreadable_file_shows_a_message(qtbot: QtBot, tmp_path: Path, make: object, message: str) -> None:
    card = make_card(qtbot, no_gpu())
    path = make(tmp_path / "missing.gguf")  # type: ignore[operator]
    card.check_model(path)
    qtbot.waitUntil(lambda: card.model_error.isVisibleTo(card), timeout=5000)
    assert message in card.model_error.text()
    assert not card.fit_panel.isVisibleTo(card)


def test_real_probe_of_this_machine(qtbot: QtBot) -> None:
    card = HardwareCard()
    qtbot.addWidget(card)
    with qtbot.waitSignal(card.hardwareChanged, timeout=20000):
        card.show()
    assert "available of" in card.memory_label.text()
    assert card.gpu_label.text()
