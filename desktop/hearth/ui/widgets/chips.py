"""Small rounded "chips" (``7.6B``, ``llama``, ``apache-2.0``): painted, so list delegates and widgets match.

Why painted and not QSS on a QLabel: a delegate paints hundreds of cards without a widget each, and the chip's
colours follow the palette at paint time, so a theme switch needs no restyling.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

CHIP_PAD_X, CHIP_PAD_Y, CHIP_GAP = 8, 2, 6


def chip_size(metrics: QFontMetrics, text: str) -> QSize:
    """The size one chip needs for ``text``."""
    return QSize(metrics.horizontalAdvance(text) + 2 * CHIP_PAD_X, metrics.height() + 2 * CHIP_PAD_Y)


def chip_colors(palette: QPalette, accent: bool = False) -> tuple[QColor, QColor]:
    """(text, background): a neutral tint of the window colour, or an accent tint for emphasis."""
    text = palette.color(QPalette.ColorRole.WindowText)
    if accent:
        background = QColor(palette.color(QPalette.ColorRole.Accent))
        background.setAlpha(40)
        return palette.color(QPalette.ColorRole.Link), background
    background = QColor(text)
    background.setAlpha(18)
    return text, background


def paint_chip(painter: QPainter, rect: QRectF, text: str, palette: QPalette, accent: bool = False) -> None:
    """Draw one chip filling ``rect`` with the painter's current font."""
    foreground, background = chip_colors(palette, accent)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(background)
    painter.drawRoundedRect(rect, 6, 6)
    painter.setPen(foreground)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
    painter.restore()


def paint_chips(
    painter: QPainter, left: float, top: float, texts: Sequence[str], palette: QPalette, max_right: float
) -> float:
    """Draw chips left to right from (``left``, ``top``), stopping before ``max_right``; returns the x reached."""
    metrics = painter.fontMetrics()
    x = left
    for text in texts:
        size = chip_size(metrics, text)
        if x + size.width() > max_right:
            break
        paint_chip(painter, QRectF(x, top, size.width(), size.height()), text, palette)
        x += size.width() + CHIP_GAP
    return x


class ChipRow(QWidget):
    """A row of chips (licence, tags) that simply stops at the edge: tags are hints, the tooltip lists them all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: list[str] = []
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)

    def set_chips(self, texts: Sequence[str]) -> None:
        self._texts = list(texts)
        self.setToolTip(", ".join(self._texts))
        self.setAccessibleName(", ".join(self._texts))
        self.setVisible(bool(self._texts))
        self.updateGeometry()
        self.update()

    def chips(self) -> list[str]:
        return list(self._texts)

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        width = sum(chip_size(metrics, t).width() + CHIP_GAP for t in self._texts)
        return QSize(width, metrics.height() + 2 * CHIP_PAD_Y)

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.sizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_chips(painter, 0, 0, self._texts, self.palette(), self.width())
        painter.end()
