"""Markdown and reStructuredText: headings become ``heading_path``, code stays whole, lines stay exact.

Why not a full Markdown/docutils parser: we need only the outline and the code fences, with the source line of
every block, and both parsers throw line numbers away (and docutils executes directives). A line scanner that
knows headings, fences and literal blocks keeps positions exact and never runs anything from the file.
"""

from __future__ import annotations

import re

from hearth.core.docs.types import TextBlock

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_REST_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1+[ \t]*$")
_REST_CODE_DIRECTIVE = re.compile(r"^\.\.[ \t]+(code-block|code|sourcecode)::")


class _Outline:
    """Builds blocks while tracking the current heading path (the stack of open sections)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.blocks: list[TextBlock] = []
        self.stack: list[tuple[int, str]] = []
        self.para_start: int | None = None
        self.title: str | None = None

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.stack)

    def heading(self, level: int, title: str, first: int, last: int) -> None:
        """Opens a section; ``first``/``last`` are 0-based line indexes of the heading (incl. adornments)."""
        self.flush(first)
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title))
        if self.title is None and level == 1:
            self.title = title
        self.blocks.append(TextBlock(title, None, first + 1, last + 1, self.path, "heading"))

    def code(self, first: int, stop: int) -> None:
        """A code block over 0-based lines ``first``..``stop - 1``, without trailing blank lines."""
        self.flush(first)
        while stop > first + 1 and not self.lines[stop - 1].strip():
            stop -= 1
        text = "\n".join(self.lines[first:stop])
        self.blocks.append(TextBlock(text, None, first + 1, stop, self.path, "code"))

    def line(self, i: int) -> None:
        """A paragraph line (or a blank line that ends the paragraph)."""
        if not self.lines[i].strip():
            self.flush(i)
        elif self.para_start is None:
            self.para_start = i

    def flush(self, stop: int) -> None:
        if self.para_start is None:
            return
        text = "\n".join(self.lines[self.para_start : stop])
        self.blocks.append(TextBlock(text, None, self.para_start + 1, stop, self.path, "text"))
        self.para_start = None


def load_markdown(text: str) -> tuple[list[TextBlock], str | None]:
    """Blocks and title (the first level-1 heading) of a Markdown file."""
    lines = text.split("\n")
    out = _Outline(lines)
    i = _skip_front_matter(lines, out)
    while i < len(lines):
        line = lines[i]
        if fence := _FENCE.match(line):
            i = _fenced_code(lines, i, fence.group(1), out)
            continue
        if atx := _ATX.match(line):
            out.heading(len(atx.group(1)), (atx.group(2) or "").strip(), i, i)
        elif (
            out.para_start is None
            and line.strip()
            and i + 1 < len(lines)
            and (underline := _SETEXT.match(lines[i + 1]))
            and not line.lstrip().startswith(("-", "*", "+", ">"))
        ):
            out.heading(1 if underline.group(1)[0] == "=" else 2, line.strip(), i, i + 1)
            i += 1
        else:
            out.line(i)
        i += 1
    out.flush(len(lines))
    return out.blocks, out.title


def _skip_front_matter(lines: list[str], out: _Outline) -> int:
    """YAML front matter (``---`` … ``---``) is kept as one text block, never mistaken for headings."""
    if not lines or lines[0].strip() != "---":
        return 0
    for j in range(1, len(lines)):
        if lines[j].strip() in ("---", "..."):
            out.para_start = 0
            out.flush(j + 1)
            return j + 1
    return 0


def _fenced_code(lines: list[str], i: int, fence: str, out: _Outline) -> int:
    """Emits the fenced block starting at line ``i`` (fences included: they carry the language) → next index."""
    closing = re.compile(r"^ {0,3}" + re.escape(fence[0]) + "{" + str(len(fence)) + r",}[ \t]*$")
    j = i + 1
    while j < len(lines) and not closing.match(lines[j]):
        j += 1
    stop = min(j + 1, len(lines))  # an unclosed fence runs to the end of the file
    out.code(i, stop)
    return stop


def load_rest(text: str) -> tuple[list[TextBlock], str | None]:
    """Blocks and title of a reStructuredText file.

    Section levels in reST are not fixed characters: the first adornment style seen is level 1, the next new
    one level 2, and so on — so the styles are numbered in order of appearance, as docutils does.
    """
    lines = text.split("\n")
    out = _Outline(lines)
    styles: list[tuple[str, bool]] = []
    literal_pending = False
    i = 0
    while i < len(lines):
        line = lines[i]
        found = _rest_heading(lines, i) if out.para_start is None else None
        if found is not None:
            title, style, last = found
            if style not in styles:
                styles.append(style)
            out.heading(styles.index(style) + 1, title, i, last)
            i = last + 1
            continue
        indented = line[:1] in (" ", "\t") and line.strip()
        if _REST_CODE_DIRECTIVE.match(line) or (literal_pending and out.para_start is None and indented):
            stop = _indented_run(lines, i + 1)
            out.code(i, stop)  # a directive line stays with its code: it names the language
            i = stop
            literal_pending = False
            continue
        out.line(i)
        if line.strip():
            literal_pending = line.rstrip().endswith("::")
        i += 1
    out.flush(len(lines))
    return out.blocks, out.title


def _indented_run(lines: list[str], i: int) -> int:
    """Index just past the run of blank or indented lines starting at ``i``."""
    while i < len(lines) and (not lines[i].strip() or lines[i][:1] in (" ", "\t")):
        i += 1
    return i


def _rest_heading(lines: list[str], i: int) -> tuple[str, tuple[str, bool], int] | None:
    """(title, (adornment char, has overline), last line index) if a section title starts at line ``i``."""
    line = lines[i]
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    over = _REST_ADORNMENT.match(line)
    if over and nxt.strip() and i + 2 < len(lines):
        under = _REST_ADORNMENT.match(lines[i + 2])
        if under and under.group(1) == over.group(1) and len(lines[i + 2].strip()) >= len(nxt.strip()):
            return nxt.strip(), (over.group(1), True), i + 2
    if not line.strip() or line[:1] in (" ", "\t") or over:
        return None
    under = _REST_ADORNMENT.match(nxt)
    if under and nxt.strip() != "::" and len(nxt.strip()) >= max(len(line.strip()), 2):
        return line.strip(), (under.group(1), False), i + 1
    return None
