"""Syntax highlighting for code blocks in replies: pygments tokens as HTML spans with inline colours.

Why inline styles: a QTextDocument has no stylesheet classes to speak of, so every span carries its colour.
Why two styles: a light code theme on the dark scheme (or the reverse) is the first thing a user notices; the
page re-renders with the other style when the scheme changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

LIGHT_STYLE = "friendly"
DARK_STYLE = "one-dark"


@dataclass(frozen=True)
class CodeColors:
    """The block's frame: background, header background, header text, border."""

    background: str
    header: str
    header_text: str
    border: str


LIGHT_CODE = CodeColors(background="#f7f5f2", header="#ece8e3", header_text="#6d655e", border="#e1ddd8")
DARK_CODE = CodeColors(background="#282c34", header="#21252b", header_text="#a29a92", border="#35322f")


def code_colors(dark: bool) -> CodeColors:
    return DARK_CODE if dark else LIGHT_CODE


@lru_cache(maxsize=4)
def _formatter(dark: bool) -> HtmlFormatter:
    return HtmlFormatter(nowrap=True, noclasses=True, style=DARK_STYLE if dark else LIGHT_STYLE)


@lru_cache(maxsize=64)
def _lexer(language: str) -> Lexer | None:
    try:
        return get_lexer_by_name(language, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return None


def lexer_for(language: str) -> Lexer:
    """The lexer named by the fence's info string, else plain text.

    No guessing for untagged code: ``guess_lexer`` tries every lexer (tens of ms), which a reply being
    re-rendered 30 times a second cannot afford, and it guesses wrong on short snippets anyway.
    """
    if language and (lexer := _lexer(language.lower())) is not None:
        return lexer
    return TextLexer(stripnl=False, ensurenl=False)


def highlight_html(code: str, language: str, dark: bool) -> str:
    """``code`` as HTML spans (no wrapper): the caller puts it in a ``<pre>``."""
    return highlight(code, lexer_for(language), _formatter(dark))
