"""A slim rounded progress bar in the accent colour, painted rather than Fusion's chunky ``QProgressBar``.

Why painted: a download row is mostly text; a 6 px line reads as progress without shouting, follows the palette
at paint time (no restyling on a theme switch), and can show "paused" (muted fill) and "failed" (red fill).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

_HEIGHT = 6
_FAILED = "#c0392b"


class ProgressLine(QWidget):
    """``set_fraction(None)`` shows an empty track (size unknown); ``set_tone`` picks accent, muted or failed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fraction: float | None = None
        self._tone = "accent"
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Download progress")

    def set_fraction(self, fraction: float | None) -> None:
        self._fraction = None if fraction is None else max(0.0, min(1.0, fraction))
        self.setAccessibleDescription("unknown" if self._fraction is None else f"{self._fraction * 100:.0f}%")
        self.update()

    def fraction(self) -> float | None:
        return self._fraction

    def set_tone(self, tone: str) -> None:
        """``"accent"`` (running), ``"muted"`` (paused, queued) or ``"failed"``."""
        self._tone = tone
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(200, _HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, _HEIGHT)

    def paintEvent(self, _event: QPaintEvent) -> None:
        palette = self.palette()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        track = QColor(palette.color(QPalette.ColorRole.WindowText))
        track.setAlpha(28)
        rect = QRectF(0, (self.height() - _HEIGHT) / 2, self.width(), _HEIGHT)
        painter.setBrush(track)
        painter.drawRoundedRect(rect, _HEIGHT / 2, _HEIGHT / 2)
        if self._fraction:
            fill = {
                "accent": palette.color(QPalette.ColorRole.Accent),
                "muted": palette.color(QPalette.ColorRole.PlaceholderText),
                "failed": QColor(_FAILED),
            }[self._tone]
            painter.setBrush(fill)
            width = max(_HEIGHT, rect.width() * self._fraction)
            painter.drawRoundedRect(QRectF(rect.left(), rect.top(), width, _HEIGHT), _HEIGHT / 2, _HEIGHT / 2)
        painter.end()
