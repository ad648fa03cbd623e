"""Word documents: paragraphs in order, "Heading N" styles as the outline, tables as text rows.

Why styles and not formatting: headings in .docx are paragraphs whose style is named "Heading 1"…"Heading 9"
(in the file, whatever the UI language), which is what Word's own navigation pane uses.
"""

from __future__ import annotations

import io
import re

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from hearth.core.docs.types import TextBlock

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def load_docx(raw: bytes) -> tuple[list[TextBlock], str | None]:
    """Blocks and title (core properties, else the "Title" paragraph, else the first level-1 heading)."""
    document = docx.Document(io.BytesIO(raw))
    blocks: list[TextBlock] = []
    stack: list[tuple[int, str]] = []
    title = (document.core_properties.title or "").strip() or None
    for item in document.iter_inner_content():
        path = tuple(name for _, name in stack)
        if isinstance(item, Table):
            text = _table_text(item)
            if text:
                blocks.append(TextBlock(text, heading_path=path, kind="table"))
            continue
        text = item.text.strip()
        if not text:
            continue
        style = _style_name(item)
        level = _heading_level(style)
        if style.lower() == "title" and title is None:
            title = text
        if level is None:
            blocks.append(TextBlock(text, heading_path=path, kind="text"))
            continue
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, text))
        if title is None and level == 1:
            title = text
        blocks.append(TextBlock(text, heading_path=tuple(name for _, name in stack), kind="heading"))
    return blocks, title


def _style_name(paragraph: Paragraph) -> str:
    style = paragraph.style
    return (style.name or "") if style is not None else ""


def _heading_level(style: str) -> int | None:
    match = _HEADING_STYLE.match(style.strip())
    return int(match.group(1)) if match else None


def _table_text(table: Table) -> str:
    """One line per row; a merged cell repeats across the cells it spans, so repeats in a row are dropped."""
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if not cells or text != cells[-1]:
                cells.append(text)
        if any(cells):
            rows.append(" | ".join(cells))
    return "\n".join(rows)
