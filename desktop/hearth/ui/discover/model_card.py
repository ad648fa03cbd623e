"""The model card: the repo's README as formatted text, without its YAML header, links opened only on click.

Why images are dropped: QTextBrowser cannot fetch remote images (and Hearth would not fetch them unasked: a
privacy app does not load trackers from a README); a broken-image box in their place looks worse than nothing,
so an image becomes its alt text, in italics, when it has one.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QDesktopServices, QPalette, QTextBlockFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QTextBrowser, QWidget

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINKED_IMAGE = re.compile(r"\[!\[([^\]]*)\]\([^)]*\)\]\([^)]*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_HTML_ALT = re.compile(r"""\balt\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
_SAFE_SCHEMES = frozenset({"http", "https"})
NO_CARD = "This repo has no model card."


def strip_front_matter(text: str) -> str:
    """The README without its leading ``---`` YAML block (the Hub's card metadata, shown as chips instead)."""
    return _FRONT_MATTER.sub("", text, count=1).lstrip("\r\n")


def _alt(text: str) -> str:
    text = text.strip()
    return f"*{text}*" if text else ""


def readable_markdown(text: str) -> str:
    """What the card shows: front matter removed, images replaced by their alt text."""
    body = strip_front_matter(text)
    body = _LINKED_IMAGE.sub(lambda m: _alt(m.group(1)), body)
    body = _MD_IMAGE.sub(lambda m: _alt(m.group(1)), body)
    return _HTML_IMAGE.sub(lambda m: _alt(alt.group(1)) if (alt := _HTML_ALT.search(m.group(0))) else "", body)


class ModelCardView(QTextBrowser):
    """Read-only Markdown; a click on an http(s) link opens the system browser, nothing is fetched otherwise."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)  # never navigate inside the widget (it would try to load the URL as a document)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self.open_link)
        self.setAccessibleName("Model card")
        self.document().setDocumentMargin(16)
        self._base = QUrl()

    def set_card(self, markdown: str, base_url: str | None = None) -> None:
        """Show ``markdown``; relative links resolve against ``base_url`` (the repo's page on the Hub)."""
        self._base = QUrl(base_url) if base_url else QUrl()
        body = readable_markdown(markdown)
        self.setMarkdown(body if body.strip() else NO_CARD)
        self._space_blocks()

    def _space_blocks(self) -> None:
        """Give headings air above them and code blocks a tinted background: Qt's Markdown import sets neither,
        and a README of headings, prompts and tables reads as one grey wall without them."""
        tint = QColor(self.palette().color(QPalette.ColorRole.Text))
        tint.setAlpha(14)
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        block = self.document().begin()
        while block.isValid():
            fmt = QTextBlockFormat(block.blockFormat())
            if fmt.headingLevel() > 0:
                fmt.setTopMargin(18 if block.previous().isValid() else 0)
                fmt.setBottomMargin(6)
            elif fmt.hasProperty(QTextFormat.Property.BlockCodeFence) or block.charFormat().fontFixedPitch():
                fmt.setBackground(tint)
                fmt.setLeftMargin(4)
            else:
                fmt.setBottomMargin(max(fmt.bottomMargin(), 6))
                fmt.setLineHeight(125, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
            cursor.setPosition(block.position())
            cursor.setBlockFormat(fmt)
            block = block.next()
        cursor.endEditBlock()

    def show_message(self, text: str) -> None:
        self.setPlainText(text)

    def open_link(self, url: QUrl) -> bool:
        """Open web links externally; other schemes (file:, javascript:) are ignored."""
        if url.isRelative() and self._base.isValid():
            url = self._base.resolved(url)
        if url.scheme().lower() not in _SAFE_SCHEMES:
            return False
        return QDesktopServices.openUrl(url)

    def loadResource(self, kind: int, name: QUrl | str) -> object:
        """Never load anything a document refers to (images, style sheets), local or remote."""
        return None
