"""A stacked bar of what a model needs (weights, KV cache, compute + overhead) against what the machine has free.

One horizontal scale: the GPU's free memory first, then the free RAM after it, because that is how llama.cpp
fills a machine: layers go to the GPU until it is full and the rest spills over to the CPU. The part of the
model that runs on the CPU is hatched, so a partial offload reads at a glance; exact numbers are in the tooltip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QLinearGradient, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from hearth.core.fit import VRAM_SAFETY_MARGIN, FitEstimate
from hearth.core.hardware_types import HardwareSnapshot
from hearth.core.units import format_bytes
from hearth.ui.widgets.fit_badge import is_dark

SEGMENTS = (("weights", "Weights"), ("kv_cache", "KV cache"), ("compute", "Compute + overhead"))
# Light / dark colours: the three segments, then the GPU and RAM zones under the bar.
_LIGHT = {"weights": "#d9582b", "kv_cache": "#2f8f83", "compute": "#8a6bbf", "gpu": "#3f9b52", "ram": "#4f7fb5"}
_DARK = {"weights": "#e8703a", "kv_cache": "#4bb8aa", "compute": "#a98be0", "gpu": "#6cc47e", "ram": "#79a6dd"}
_OVERFLOW = "#d33c2f"
_BAR_H, _BAND_H, _GAP, _SWATCH, _FADE_PX = 22, 6, 6, 10, 120
_MAX_RAM_STRETCH = 2.5  # a huge RAM zone is cut off at this multiple of the model, or the model is a sliver


ToX = Callable[[int], float]  # bytes -> x coordinate on the current scale


@dataclass(frozen=True)
class Zone:
    """A stretch of the scale where memory is free: on the GPU, in RAM, or both for unified memory."""

    kind: str  # "gpu" or "ram"
    label: str
    start: int
    end: int


def zones_for(hardware: HardwareSnapshot) -> tuple[Zone, ...]:
    """The free memory the estimate may use, in the order llama.cpp fills it (the GPU the estimate picks)."""
    ram = hardware.memory.available_bytes
    if not hardware.gpu_offload_supported or not hardware.gpus:
        return (Zone("ram", f"RAM {format_bytes(ram)} free", 0, ram),)
    gpu = max(hardware.gpus, key=lambda g: g.vram_free_bytes)
    if gpu.unified_memory:
        shared = min(gpu.vram_free_bytes, ram)
        return (Zone("gpu", f"GPU + RAM {format_bytes(shared)} free (shared)", 0, shared),)
    vram = gpu.vram_free_bytes
    return (
        Zone("gpu", f"GPU {format_bytes(vram)} free", 0, vram),
        Zone("ram", f"RAM {format_bytes(ram)} free", vram, vram + ram),
    )


class FitBar(QWidget):
    """Custom-painted bar for one :class:`FitEstimate` on one machine; empty until :meth:`set_estimate`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._estimate: FitEstimate | None = None
        self._zones: tuple[Zone, ...] = ()
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setAccessibleName("Memory use")

    def set_estimate(self, estimate: FitEstimate | None, hardware: HardwareSnapshot | None = None) -> None:
        self._estimate = estimate
        if hardware is not None:
            self._zones = zones_for(hardware)
        text = self.describe()
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self.updateGeometry()
        self.update()

    def segments(self) -> dict[str, int]:
        """Bytes per segment, in drawing order (``weights``, ``kv_cache``, ``compute``); empty without data."""
        est = self._estimate
        if est is None:
            return {}
        return {
            "weights": est.weights_bytes,
            "kv_cache": est.kv_cache_bytes,
            "compute": est.compute_bytes + est.overhead_bytes,
        }

    def zones(self) -> tuple[Zone, ...]:
        return self._zones

    def describe(self) -> str:
        """Every number behind the picture, for the tooltip and screen readers."""
        est = self._estimate
        if est is None:
            return ""
        names = dict(SEGMENTS)
        lines = [f"{names[k]}: {format_bytes(v)} ({v:,} bytes)" for k, v in self.segments().items()]
        lines[1] += f" at {est.context:,} tokens ({est.kv_type})"
        if est.gpu_layers:
            lines.append(
                f"On the GPU: {format_bytes(est.gpu_bytes)}, {est.gpu_layers} of {est.n_layers + 1} layers"
                f" ({format_bytes(VRAM_SAFETY_MARGIN)} of its free memory is kept for other programs)"
            )
        lines.append(
            f"On the CPU: {format_bytes(est.cpu_bytes)} reserved, about {format_bytes(est.resident_bytes)} in use"
        )
        lines += [z.label for z in self._zones]
        return "\n".join(lines)

    # Geometry -------------------------------------------------------------------------------------------
    def _legend_items(self) -> list[tuple[str, str]]:
        """(colour key, text) pairs; "hatch" marks the CPU swatch, shown only when the GPU holds a part."""
        items = [
            (key, f"{label} {format_bytes(v)}")
            for (key, label), v in zip(SEGMENTS, self.segments().values(), strict=False)
        ]
        est = self._estimate
        if est is not None and est.gpu_layers and est.cpu_bytes:
            items.append(("hatch", "On the CPU (hatched)"))
        return items

    def _legend_rows(self, width: int, metrics: QFontMetrics) -> list[list[tuple[str, str, int]]]:
        """Items flowed into rows that fit ``width``: (key, text, item width)."""
        rows: list[list[tuple[str, str, int]]] = [[]]
        used = 0
        for key, text in self._legend_items():
            w = _SWATCH + 6 + metrics.horizontalAdvance(text) + 18
            if rows[-1] and used + w > width:
                rows.append([])
                used = 0
            rows[-1].append((key, text, w))
            used += w
        return rows

    def heightForWidth(self, width: int) -> int:
        metrics = self.fontMetrics()
        line = metrics.height() + 4
        legend = len(self._legend_rows(width, metrics)) * line
        return legend + _GAP + _BAR_H + 3 + _BAND_H + 4 + metrics.height() + 2

    def hasHeightForWidth(self) -> bool:
        return True

    def sizeHint(self) -> QSize:
        return QSize(480, self.heightForWidth(480))

    def minimumSizeHint(self) -> QSize:
        return QSize(240, self.heightForWidth(240))

    # Painting -------------------------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        if self._estimate is None:
            return
        colors = _DARK if is_dark(self.palette()) else _LIGHT
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = self.fontMetrics()
        y = self._paint_legend(painter, colors, metrics)
        scale = self._scale()
        width = self.width() - 1

        def x(n: int) -> float:
            return 0.5 + width * min(n, scale) / scale

        self._paint_bar(painter, colors, QRectF(0.5, y, width, _BAR_H), x)
        band_y = y + _BAR_H + 3
        self._paint_zones(painter, colors, metrics, band_y, x)
        painter.end()

    def _scale(self) -> int:
        need = sum(self.segments().values())
        gpu_end = self._zones[0].end if self._zones and self._zones[0].kind == "gpu" else 0
        cap = self._zones[-1].end if self._zones else need
        shown_cap = min(cap, int(max(need, gpu_end) * _MAX_RAM_STRETCH))
        return max(1, int(max(need, shown_cap, gpu_end) * 1.04))

    def _paint_legend(self, painter: QPainter, colors: dict[str, str], metrics: QFontMetrics) -> float:
        line = metrics.height() + 4
        text_color = self.palette().color(QPalette.ColorRole.WindowText)
        y = 0.0
        for row in self._legend_rows(self.width(), metrics):
            x = 0.0
            for key, text, w in row:
                swatch = QRectF(x, y + (line - _SWATCH) / 2, _SWATCH, _SWATCH)
                if key == "hatch":
                    painter.setPen(QPen(text_color, 1))
                    painter.setBrush(QBrush(text_color, Qt.BrushStyle.BDiagPattern))
                else:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(QColor(colors[key]))
                painter.drawRoundedRect(swatch, 2, 2)
                painter.setPen(text_color)
                painter.drawText(QRectF(x + _SWATCH + 6, y, w, line), Qt.AlignmentFlag.AlignVCenter, text)
                x += w
            y += line
        return y + _GAP

    def _paint_bar(self, painter: QPainter, colors: dict[str, str], rect: QRectF, to_x: ToX) -> None:
        est = self._estimate
        assert est is not None
        palette = self.palette()
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.setBrush(palette.color(QPalette.ColorRole.Base))
        painter.drawRoundedRect(rect, 5, 5)
        gpu_end = to_x(est.gpu_bytes) if est.gpu_layers else rect.left()
        start = 0
        painter.setClipRect(rect.adjusted(1, 1, -1, -1))
        for key, size in self.segments().items():
            left, right = to_x(start), to_x(start + size)
            start += size
            if right - left < 0.5:
                continue
            seg = QRectF(left, rect.top(), right - left, rect.height())
            painter.fillRect(seg, QColor(colors[key]))
            cpu_part = seg.intersected(QRectF(gpu_end, rect.top(), rect.right() - gpu_end, rect.height()))
            if est.gpu_layers and not cpu_part.isEmpty():
                hatch = QColor(palette.color(QPalette.ColorRole.Base))
                hatch.setAlpha(150)
                painter.fillRect(cpu_part, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        painter.setClipping(False)
        if est.gpu_layers and rect.left() < gpu_end < to_x(start):
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Base), 2))
            painter.drawLine(QPointF(gpu_end, rect.top()), QPointF(gpu_end, rect.bottom()))
        cap = self._zones[-1].end if self._zones else 0
        if est.verdict == "wont_fit" and 0 < cap < start:
            painter.setPen(QPen(QColor(_OVERFLOW), 2))
            painter.drawLine(QPointF(to_x(cap), rect.top() - 2), QPointF(to_x(cap), rect.bottom() + 2))

    def _paint_zones(
        self, painter: QPainter, colors: dict[str, str], metrics: QFontMetrics, y: float, to_x: ToX
    ) -> None:
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        label_y = y + _BAND_H + 4
        next_free = 0.0  # labels never overlap: each starts after the previous one
        scale = self._scale()
        for zone in self._zones:
            left, right = to_x(zone.start), to_x(zone.end)
            band = QRectF(left, y, max(1.0, right - left - 1), _BAND_H)
            color = QColor(colors[zone.kind])
            if zone.end > scale:  # cut short to keep the model readable: fade out so it reads as "continues"
                fade = QLinearGradient(max(left, right - _FADE_PX), 0, right, 0)
                fade.setColorAt(0, color)
                fade.setColorAt(1, QColor(color.red(), color.green(), color.blue(), 0))
                painter.fillRect(band, QBrush(fade))
            else:
                painter.fillRect(band, color)
            if zone.kind == "gpu" and not zone.label.endswith("(shared)"):
                reserve = QRectF(to_x(max(0, zone.end - VRAM_SAFETY_MARGIN)), y, 0, _BAND_H)
                reserve.setRight(right - 1)
                base = self.palette().color(QPalette.ColorRole.Base)
                painter.fillRect(reserve, QBrush(base, Qt.BrushStyle.BDiagPattern))
            text_x = max(left, next_free)
            available = self.width() - text_x
            text = metrics.elidedText(zone.label, Qt.TextElideMode.ElideRight, int(available))
            painter.setPen(muted)
            painter.drawText(QRectF(text_x, label_y, available, metrics.height()), Qt.AlignmentFlag.AlignLeft, text)
            next_free = text_x + metrics.horizontalAdvance(text) + 14
