"""A message's Markdown as an HTML fragment for the message view, code blocks highlighted with copy links.

Why split by hand: Qt's own Markdown reader (md4c, via ``QTextDocument.setMarkdown``) does prose well —
headings, lists, emphasis, tables — but renders code blocks as plain monospace. Fenced blocks are cut out here,
highlighted with pygments and framed with a header holding the language and a ``copy:<message>:<n>`` link;
the prose between them goes through Qt. An unclosed fence (a reply still streaming) is a code block to the end,
so code appears highlighted as it is typed rather than jumping from prose to code when the fence closes.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from PySide6.QtGui import QTextDocument

from hearth.ui.chat.highlight import code_colors, highlight_html

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+#.-]*)[^\n]*$")
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)


@dataclass(frozen=True)
class Rendered:
    """HTML for one message and the code of each block, in order (what ``copy:<id>:<n>`` copies)."""

    html: str
    code_blocks: tuple[str, ...]


def split_fences(text: str) -> list[tuple[str, str, str | None]]:
    """``text`` as parts ``(kind, body, language)``: kind ``"prose"`` or ``"code"`` (language "" if untagged)."""
    parts: list[tuple[str, str, str | None]] = []
    prose: list[str] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            prose.append(lines[i])
            i += 1
            continue
        if prose:
            parts.append(("prose", "\n".join(prose), None))
            prose = []
        fence, language = match.group(1), match.group(2)
        code: list[str] = []
        i += 1
        while i < len(lines) and not _closes(lines[i], fence):
            code.append(lines[i])
            i += 1
        i += 1  # the closing fence (or past the end)
        parts.append(("code", "\n".join(code), language))
    if prose:
        parts.append(("prose", "\n".join(prose), None))
    return parts


def _closes(line: str, fence: str) -> bool:
    """A closing fence: only the fence's character, at least as many as opened it."""
    stripped = line.strip()
    return len(stripped) >= len(fence) and set(stripped) == {fence[0]}


def prose_html(text: str) -> str:
    """Qt's Markdown rendering of ``text``, without the document wrapper (its fonts come from the view)."""
    if not text.strip():
        return ""
    document = QTextDocument()
    document.setMarkdown(text)
    match = _BODY.search(document.toHtml())
    return match.group(1) if match else html.escape(text)


def code_html(code: str, language: str, dark: bool, anchor: str) -> str:
    """A framed block: header row (language, Copy link) and the highlighted code."""
    colors = code_colors(dark)
    label = html.escape(language or "text")
    return (
        f'<table width="100%" cellspacing="0" cellpadding="8" border="0" bgcolor="{colors.background}" '
        'style="margin-top:6px; margin-bottom:6px;">'
        f'<tr><td bgcolor="{colors.header}" style="padding:4px 8px;">'
        f'<span style="color:{colors.header_text}; font-size:small;">{label}</span></td>'
        f'<td bgcolor="{colors.header}" align="right" style="padding:4px 8px;">'
        f'<a href="{anchor}" style="color:{colors.header_text}; text-decoration:none; font-size:small;">Copy</a>'
        f"</td></tr>"
        f'<tr><td colspan="2"><pre style="margin:0; font-family:monospace;">{highlight_html(code, language, dark)}'
        f"</pre></td></tr></table>"
    )


def render_markdown(text: str, message_id: int, dark: bool) -> Rendered:
    """The HTML of a message; code block ``n`` is copied by the link ``copy:<message_id>:<n>``."""
    pieces: list[str] = []
    blocks: list[str] = []
    for kind, body, language in split_fences(text):
        if kind == "code":
            pieces.append(code_html(body, language or "", dark, f"copy:{message_id}:{len(blocks)}"))
            blocks.append(body)
        else:
            pieces.append(prose_html(body))
    return Rendered("".join(pieces), tuple(blocks))
