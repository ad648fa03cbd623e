"""Plain text, data files and source code: paragraphs (runs of non-blank lines) with exact line numbers.

Why paragraphs: a blank line is the one structure every plain-text file shares, and a block that maps to whole
source lines lets a citation say "lines 40–52" and an editor open exactly there.
"""

from __future__ import annotations

from hearth.core.docs.types import TextBlock


def paragraph_blocks(
    lines: list[str],
    *,
    first_line: int = 1,
    kind: str = "text",
    heading_path: tuple[str, ...] = (),
) -> list[TextBlock]:
    """Blocks for each run of non-blank ``lines``; ``first_line`` is the 1-based number of ``lines[0]``.

    Each block's text is its source lines joined by ``\\n`` unchanged, so the chunker can map any offset
    inside it back to a line by counting newlines.
    """
    blocks: list[TextBlock] = []
    start: int | None = None
    for i, line in enumerate(lines):
        if line.strip():
            if start is None:
                start = i
            continue
        if start is not None:
            blocks.append(_block(lines, start, i, first_line, kind, heading_path))
            start = None
    if start is not None:
        blocks.append(_block(lines, start, len(lines), first_line, kind, heading_path))
    return blocks


def _block(
    lines: list[str], start: int, stop: int, first_line: int, kind: str, heading_path: tuple[str, ...]
) -> TextBlock:
    return TextBlock(
        text="\n".join(lines[start:stop]),
        line_start=first_line + start,
        line_end=first_line + stop - 1,
        heading_path=heading_path,
        kind=kind,
    )


def load_text(text: str, *, kind: str = "text") -> list[TextBlock]:
    """Blocks of a plain-text, data or source file (``kind`` is ``"code"`` for source)."""
    return paragraph_blocks(text.split("\n"), kind=kind)
