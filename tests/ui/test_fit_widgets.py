"""FitBadge, FitBar and FitPanel on real estimates of generated models, on hand-built machines."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from fit_fixtures import GIB, MODEL, model_header, no_gpu, rtx_4070
from pytestqt.qtbot import QtBot

from hearth.core.fit import VRAM_SAFETY_MARGIN, FitEstimate, estimate
from hearth.core.gguf import GGUFHeader
from hearth.core.load_settings import LoadSettings
from hearth.ui.widgets.fit_badge import FitBadge, badge_style, verdict_text
from hearth.ui.widgets.fit_panel import FitPanel, context_steps, context_words


@pytest.fixture
def header(tmp_path: Path) -> GGUFHeader:
    return model_header(tmp_path)


@pytest.fixture
def panel(qtbot: QtBot) -> FitPanel:
    panel = FitPanel()
    qtbot.addWidget(panel)
    panel.resize(720, 260)
    return panel


def test_badge_label_and_colours_per_verdict(qtbot: QtBot, header: GGUFHeader) -> None:
    base = estimate(header, LoadSettings(), rtx_4070())
    seen = set()
    for verdict, text in (
        ("full_gpu", "Full GPU"),
        ("partial_gpu", "Partial GPU · 28/37 layers"),
        ("cpu_only", "CPU only"),
        ("wont_fit", "Won't fit"),
    ):
        est = dataclasses.replace(base, verdict=verdict, gpu_layers=28)
        assert verdict_text(est) == text
        light, dark = badge_style(est, dark=False), badge_style(est, dark=True)
        assert light.text == dark.text == text
        assert light.background != dark.background
        seen.add(light.background)
    assert len(seen) == 4  # every verdict has its own colour

    badge = FitBadge()
    qtbot.addWidget(badge)
    assert badge.isHidden()
    wont_fit = dataclasses.replace(base, verdict="wont_fit")
    badge.set_estimate(wont_fit)
    assert badge.text() == "Won't fit" and not badge.isHidden()
    assert badge.style_now() == badge_style(wont_fit, dark=False)  # the offscreen tests run in the light palette
    assert not badge.grab().isNull()


def test_panel_shows_verdict_and_explanation(qtbot: QtBot, panel: FitPanel, header: GGUFHeader) -> None:
    with qtbot.waitSignal(panel.estimateChanged, timeout=2000) as blocker:
        panel.set_model(header, rtx_4070(), LoadSettings(n_ctx=8192))
    est: FitEstimate = blocker.args[0]
    assert est.verdict == "full_gpu" and est.context == 8192
    assert panel.badge.text() == "Full GPU"
    assert "Runs fully on your NVIDIA GeForce RTX 4070 at 8k context" in panel.explanation_label.text()
    assert panel.context_value.text() == "8k tokens"
    assert panel.bar.segments() == {
        "weights": est.weights_bytes,
        "kv_cache": est.kv_cache_bytes,
        "compute": est.compute_bytes + est.overhead_bytes,
    }
    assert [z.kind for z in panel.bar.zones()] == ["gpu", "ram"]
    assert panel.bar.zones()[0].label == "GPU 11.0 GiB free"
    assert f"{est.weights_bytes:,} bytes" in panel.bar.toolTip()
    panel.show()
    assert not panel.grab().isNull()  # paints without errors


def test_moving_the_slider_re_estimates(qtbot: QtBot, panel: FitPanel, header: GGUFHeader) -> None:
    panel.set_model(header, rtx_4070(), LoadSettings(n_ctx=8192))
    before = panel.bar.segments()
    steps = panel.context_steps()
    assert steps[0] == 512 and steps[-1] == MODEL.context_length
    with (
        qtbot.waitSignal(panel.estimateChanged, timeout=2000) as est_blocker,
        qtbot.waitSignal(panel.settingsChanged, timeout=2000) as set_blocker,
    ):
        panel.context_slider.setValue(steps.index(32768))
        assert panel.context_value.text() == "32k tokens"  # the label follows at once, the estimate shortly after
    assert est_blocker.args[0].context == 32768
    assert set_blocker.args[0].n_ctx == 32768
    after = panel.bar.segments()
    assert after["kv_cache"] == 4 * before["kv_cache"]
    assert after["weights"] == before["weights"]
    assert panel.load_settings() == LoadSettings(n_ctx=32768)


def test_dragging_is_coalesced(qtbot: QtBot, panel: FitPanel, header: GGUFHeader) -> None:
    panel.set_model(header, rtx_4070(), LoadSettings(n_ctx=512))
    seen: list[FitEstimate] = []
    panel.estimateChanged.connect(seen.append)
    with qtbot.waitSignal(panel.estimateChanged, timeout=2000):
        for index in range(len(panel.context_steps())):
            panel.context_slider.setValue(index)
    assert [e.context for e in seen] == [MODEL.context_length]  # one estimate for the whole drag


def test_partial_offload_shows_layers(qtbot: QtBot, panel: FitPanel, header: GGUFHeader) -> None:
    settings = LoadSettings(n_ctx=8192)
    full = estimate(header, settings, rtx_4070())
    machine = rtx_4070(vram_free=VRAM_SAFETY_MARGIN + full.gpu_bytes // 2)
    panel.set_model(header, machine, settings)
    est = panel.estimate()
    assert est is not None and est.verdict == "partial_gpu"
    assert panel.badge.text() == f"Partial GPU · {est.gpu_layers}/37 layers"
    assert 0 < est.gpu_layers < 37
    assert f"{est.gpu_layers} of 37 layers" in panel.explanation_label.text()
    assert "On the CPU" in panel.bar.toolTip()
    panel.show()
    assert not panel.grab().isNull()


def test_cpu_only_and_wont_fit(qtbot: QtBot, panel: FitPanel, header: GGUFHeader) -> None:
    panel.set_model(header, no_gpu(), LoadSettings(n_ctx=4096))
    assert panel.badge.text() == "CPU only"
    assert [z.label for z in panel.bar.zones()] == ["RAM 14.0 GiB free"]
    panel.set_model(header, no_gpu(ram_free=GIB // 100), LoadSettings(n_ctx=4096))
    assert panel.badge.text() == "Won't fit"
    panel.show()
    assert not panel.grab().isNull()


def test_cache_type_change(qtbot: QtBot, panel: FitPanel, header: GGUFHeader) -> None:
    panel.set_model(header, rtx_4070(), LoadSettings(n_ctx=8192))
    f16 = panel.bar.segments()["kv_cache"]
    with qtbot.waitSignal(panel.settingsChanged, timeout=1000) as blocker:
        panel.kv_combo.setCurrentIndex(panel.kv_combo.findData("q8_0"))
    assert blocker.args[0].type_k == blocker.args[0].type_v == "q8_0"
    assert panel.bar.segments()["kv_cache"] < f16
    assert panel.estimate() is not None and panel.estimate().kv_type == "q8_0"  # type: ignore[union-attr]


def test_context_clamped_to_the_trained_context(panel: FitPanel, tmp_path: Path) -> None:
    small = model_header(tmp_path, dataclasses.replace(MODEL, context_length=2048))
    panel.set_model(small, no_gpu(), LoadSettings(n_ctx=8192))
    assert panel.context_steps() == (512, 1024, 2048)
    assert panel.estimate() is not None and panel.estimate().context == 2048  # type: ignore[union-attr]


def test_context_steps_and_words() -> None:
    assert context_steps(40960, 8192) == (512, 1024, 2048, 4096, 8192, 16384, 32768, 40960)
    assert context_steps(8192, 6000) == (512, 1024, 2048, 4096, 6000, 8192)
    assert context_steps(None, 4096)[-1] == 32768
    assert context_words(8192) == "8k" and context_words(40960) == "40k" and context_words(1536) == "1,536"
