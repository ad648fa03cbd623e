"""Turn a stream of token bytes into clean text: whole UTF-8 characters, stop strings cut out.

Why not ``create_completion(stream=True)``: the engine needs exact token counts, a stop check between every two
tokens and as little per-token work as possible; this is the small part of that function it keeps. A stop
string can straddle tokens (``"\\nUs"`` + ``"er:"``), so text that could be the start of one is held back until
it can no longer match.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence


class TextStream:
    """Feed token bytes with :meth:`push`; it returns the text that is safe to show now."""

    def __init__(self, stop: Sequence[str] = ()) -> None:
        self._stop = tuple(s for s in stop if s)
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._held = ""
        self.stopped = False
        """True once a stop string appeared; everything from it on is dropped."""

    def push(self, piece: bytes) -> str:
        if self.stopped:
            return ""
        return self._release(self._held + self._decoder.decode(piece))

    def flush(self) -> str:
        """The text still held back (a partial character becomes U+FFFD) at the end of a reply."""
        if self.stopped:
            return ""
        text, self._held = self._held + self._decoder.decode(b"", final=True), ""
        return text

    def _release(self, text: str) -> str:
        if not self._stop:
            return text
        cut = min((i for i in (text.find(s) for s in self._stop) if i >= 0), default=-1)
        if cut >= 0:
            self.stopped = True
            self._held = ""
            return text[:cut]
        keep = max((_overlap(text, s) for s in self._stop), default=0)
        self._held = text[len(text) - keep :] if keep else ""
        return text[: len(text) - keep]


def _overlap(text: str, stop: str) -> int:
    """Length of the longest end of ``text`` that is a proper start of ``stop``."""
    for n in range(min(len(text), len(stop) - 1), 0, -1):
        if text.endswith(stop[:n]):
            return n
    return 0
