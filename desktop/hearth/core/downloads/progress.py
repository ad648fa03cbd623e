"""Speed, ETA and how often to tell anyone: progress numbers that read calmly in a UI.

Why: a transfer reports every 64 KiB piece — thousands of times a second on a fast link. Forwarding each one
would flood the Qt event loop (the lesson of qutebrowser's 500 ms download timer), and an instantaneous speed
jumps around too much to read. :class:`ProgressMeter` lets through at most one update per ``interval_s``
and averages the speed over a sliding window of a few seconds, from which the ETA follows.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

__all__ = ["ProgressMeter", "ProgressSample"]


@dataclass(frozen=True)
class ProgressSample:
    """What a listener sees: bytes so far, bytes per second over the window, seconds left (``None``: unknown)."""

    bytes_done: int
    speed_bps: float
    eta_s: float | None


class ProgressMeter:
    """Decides when a progress update is worth emitting and computes speed and ETA. Not thread-safe."""

    def __init__(self, interval_s: float = 0.25, window_s: float = 5.0) -> None:
        self.interval_s = interval_s
        self.window_s = window_s
        self._samples: deque[tuple[float, int]] = deque()
        self._last_emit = float("-inf")

    def restart(self, now: float, bytes_done: int) -> None:
        """Forget the history (after a pause or a retry the old pace says nothing about the new one)."""
        self._samples.clear()
        self._samples.append((now, bytes_done))
        self._last_emit = float("-inf")

    def update(self, now: float, bytes_done: int, bytes_total: int) -> ProgressSample | None:
        """Record a position; return a sample to emit, or ``None`` when the last one is too recent."""
        if now - self._last_emit < self.interval_s:
            return None
        self._last_emit = now
        self._samples.append((now, bytes_done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.window_s:
            self._samples.popleft()
        return self.sample(bytes_done, bytes_total)

    def sample(self, bytes_done: int, bytes_total: int) -> ProgressSample:
        """The current speed and ETA without recording anything."""
        speed = 0.0
        if len(self._samples) >= 2:
            (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
            speed = max(0.0, (b1 - b0) / (t1 - t0)) if t1 > t0 else 0.0
        eta = (bytes_total - bytes_done) / speed if speed > 0 and bytes_total >= bytes_done else None
        return ProgressSample(bytes_done, speed, eta)
