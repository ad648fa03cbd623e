"""The verdict of a fit estimate as a coloured pill: "Full GPU", "Partial GPU · 28/37 layers", "CPU only", "Won't fit".

The label and colours come from one pure function, :func:`badge_style`, so the list delegates of Discover and
Library paint exactly what this widget paints without creating a widget per row.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QLabel, QWidget

from hearth.core.fit import FitEstimate, Verdict

_PAD_X, _PAD_Y = 10, 3

# (foreground, background) per verdict, for light and dark themes; text contrast is at least 4.5:1 on both.
_COLORS: dict[Verdict, tuple[tuple[str, str], tuple[str, str]]] = {
    "full_gpu": (("#1e6b2a", "#dff2e1"), ("#8fdc9c", "#1d3322")),
    "partial_gpu": (("#7a4f00", "#fdefc8"), ("#f2c462", "#3a2f14")),
    "cpu_only": (("#1f5a92", "#e0ecf8"), ("#9cc6f2", "#1b2a3a")),
    "wont_fit": (("#a3241c", "#fde3e0"), ("#f4958c", "#3d201d")),
}
_LABELS: dict[Verdict, str] = {
    "full_gpu": "Full GPU",
    "partial_gpu": "Partial GPU",
    "cpu_only": "CPU only",
    "wont_fit": "Won't fit",
}


@dataclass(frozen=True)
class BadgeStyle:
    """What a badge shows: its text and colours (``#rrggbb``)."""

    text: str
    foreground: str
    background: str


def verdict_text(estimate: FitEstimate) -> str:
    """The badge text, e.g. ``"Partial GPU · 28/37 layers"`` (llama.cpp counts the output layer as one)."""
    label = _LABELS[estimate.verdict]
    if estimate.verdict == "partial_gpu":
        return f"{label} · {estimate.gpu_layers}/{estimate.n_layers + 1} layers"
    return label


def is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` is a dark scheme; the window colour decides, as in :mod:`hearth.ui.theme`."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def badge_style(estimate: FitEstimate, dark: bool) -> BadgeStyle:
    """Text and colours for ``estimate``'s verdict in the light or dark theme (pure: usable by delegates)."""
    foreground, background = _COLORS[estimate.verdict][1 if dark else 0]
    return BadgeStyle(verdict_text(estimate), foreground, background)


def paint_badge(painter: QPainter, rect: QRectF, style: BadgeStyle) -> None:
    """Draw a pill filling ``rect``; delegates call this with their own painter."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(style.background))
    radius = rect.height() / 2
    painter.drawRoundedRect(rect, radius, radius)
    painter.setPen(QColor(style.foreground))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, style.text)
    painter.restore()


def badge_size(metrics: QFontMetrics, text: str) -> QSize:
    """The size a pill needs for ``text`` in a font with ``metrics``."""
    return QSize(metrics.horizontalAdvance(text) + 2 * _PAD_X, metrics.height() + 2 * _PAD_Y)


class FitBadge(QLabel):
    """A QLabel (so ``text()`` and screen readers see the verdict) that paints itself as a pill.

    Painted rather than styled with a stylesheet: the colours follow the palette at paint time, so a theme
    switch needs no restyling, and a stylesheet set from a palette change would trigger another one.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._estimate: FitEstimate | None = None
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        self.setFont(font)
        self.hide()

    def set_estimate(self, estimate: FitEstimate | None) -> None:
        """Show ``estimate``'s verdict, or hide the badge for None."""
        self._estimate = estimate
        if estimate is None:
            self.setText("")
            self.hide()
            return
        self.setText(verdict_text(estimate))
        self.setToolTip(estimate.explanation)
        self.setAccessibleName(f"Fit: {verdict_text(estimate)}")
        self.updateGeometry()
        self.show()
        self.update()

    def style_now(self) -> BadgeStyle | None:
        """The colours in effect for the current theme (None without an estimate)."""
        if self._estimate is None:
            return None
        return badge_style(self._estimate, is_dark(self.palette()))

    def sizeHint(self) -> QSize:
        return badge_size(self.fontMetrics(), self.text())

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, _event: QPaintEvent) -> None:
        style = self.style_now()
        if style is None:
            return
        size = self.sizeHint()
        rect = QRectF(0, (self.height() - size.height()) / 2, size.width(), size.height())
        painter = QPainter(self)
        paint_badge(painter, rect, style)
        painter.end()
