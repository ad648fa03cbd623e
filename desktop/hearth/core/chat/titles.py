"""Automatic conversation titles, taken from the first thing the user asked."""

from __future__ import annotations

DEFAULT_TITLE = "New chat"
MAX_TITLE_CHARS = 60


def auto_title(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """The first line with words in it, whitespace collapsed, cut at a word boundary to ``limit`` characters.

    Fence lines (```` ```python ````) are skipped because a pasted code block's language tag says nothing
    about the question. One word longer than the limit is cut mid-word rather than producing an empty title.
    """
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line and not line.startswith(("```", "~~~")):
            break
    else:
        return DEFAULT_TITLE
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]  # leave room for the ellipsis
    if line[limit - 1] != " " and " " in cut:
        cut = cut[: cut.rindex(" ")]
    return (cut.rstrip(" ,;:.-–—") or line[: limit - 1]) + "…"
