"""HTML pages: the main text with its heading outline, without menus, banners, footers and scripts.

Why drop the chrome: saved web pages and generated docs repeat the same navigation on every page; indexed, it
would match every question and crowd real answers out. Line numbers are meaningless after that (one source
line can hold the whole page), so blocks carry none.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

from hearth.core.docs.types import TextBlock

_ALWAYS_DROP = ("script", "style", "noscript", "template", "nav", "aside", "iframe", "svg", "button", "form")
_CHROME = ("header", "footer")  # site chrome when outside <main>/<article>; an article's header holds its title
_CHROME_ROLES = ("navigation", "banner", "contentinfo", "search", "complementary")
_SPACES = re.compile(r"\s+")
_CHROME_NAMES = re.compile(
    r"^(nav|navbar|navigation|navheader|navfooter|breadcrumbs?|sidebar|sphinxsidebar|related|toc|menu|"
    r"site-(header|footer|nav)|skip-?link|cookie-banner)$",
    re.IGNORECASE,
)
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_BLOCKS = frozenset({
    "address", "article", "blockquote", "body", "caption", "dd", "details", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "hr", "html", "li", "main", "ol", "p", "section", "summary", "ul",
})  # fmt: skip
_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)


def load_html(text: str) -> tuple[list[TextBlock], str | None]:
    """Blocks and title (``<title>``, else the first ``<h1>``) of an HTML page."""
    soup = BeautifulSoup(text, "html.parser")
    title_tag = soup.find("title")
    title = _clean(title_tag.get_text()) if title_tag else None
    main = soup.find(_is_main)
    root = main or soup.body or soup
    walker = _Walker()
    walker.content_depth = 1 if main is not None else 0
    walker.walk(root)
    walker.flush()
    return walker.blocks, title or walker.first_h1


def _is_main(tag: Tag) -> bool:
    return tag.name == "main" or str(tag.get("role", "")).lower() == "main"


def _is_chrome(tag: Tag, in_content: bool) -> bool:
    """Navigation, banners, scripts…: skipped with everything inside, during the single walk over the page."""
    name = tag.name.lower()
    if name in _ALWAYS_DROP or (name in _CHROME and not in_content):
        return True
    if str(tag.get("role", "")).lower() in _CHROME_ROLES:
        return True
    # Generated docs (DocBook, Sphinx, Javadoc) mark their chrome with classes, not elements.
    names = [*tag.get_attribute_list("class"), tag.get("id")]
    return any(isinstance(name, str) and _CHROME_NAMES.match(name) for name in names)


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class _Walker:
    """Depth-first walk that gathers inline text into paragraphs and flushes at every block boundary."""

    def __init__(self) -> None:
        self.blocks: list[TextBlock] = []
        self.stack: list[tuple[int, str]] = []
        self.inline: list[str] = []
        self.first_h1: str | None = None
        self.bullet = ""
        self.content_depth = 0  # inside <main>/<article>, where <header> holds the title rather than site chrome

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(title for _, title in self.stack)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if not isinstance(child, _SKIPPED_STRINGS):
                    self.inline.append(_SPACES.sub(" ", str(child)))  # source newlines are spaces; <br> is not
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        if _is_chrome(tag, self.content_depth > 0):
            return
        name = tag.name.lower()
        if name in ("main", "article"):
            self.content_depth += 1
            self.element_body(tag, name)
            self.content_depth -= 1
        else:
            self.element_body(tag, name)

    def element_body(self, tag: Tag, name: str) -> None:
        if name in _HEADINGS:
            self.heading(_HEADINGS[name], _clean(tag.get_text(" ")))
        elif name == "pre":
            self.flush()
            code = tag.get_text().strip("\n")
            if code.strip():
                self.blocks.append(TextBlock(code, heading_path=self.path, kind="code"))
        elif name == "table":
            self.flush()
            self.table(tag)
        elif name == "br":
            self.inline.append("\n")
        elif name in _BLOCKS:
            self.flush()
            if name == "li":
                self.bullet = "- "  # kept until the item's first text, even inside a nested <p>
            self.walk(tag)
            self.flush()
            self.bullet = ""
        else:
            self.walk(tag)

    def heading(self, level: int, title: str) -> None:
        self.flush()
        if not title:
            return
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, title))
        if level == 1 and self.first_h1 is None:
            self.first_h1 = title
        self.blocks.append(TextBlock(title, heading_path=self.path, kind="heading"))

    def table(self, table: Tag) -> None:
        """One line per row, cells joined by `` | `` (nested tables are flattened into their cell)."""
        rows = []
        for row in table.find_all("tr"):
            cells = [_clean(cell.get_text(" ")) for cell in row.find_all(("td", "th"), recursive=False)]
            if any(cells):
                rows.append(" | ".join(cells))
        if rows:
            self.blocks.append(TextBlock("\n".join(rows), heading_path=self.path, kind="table"))

    def flush(self) -> None:
        text = "\n".join(_clean(part) for part in "".join(self.inline).split("\n"))
        text = "\n".join(line for line in text.split("\n") if line)
        self.inline.clear()
        if text:
            self.blocks.append(TextBlock(self.bullet + text, heading_path=self.path, kind="text"))
            self.bullet = ""
