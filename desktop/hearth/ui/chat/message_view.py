"""The conversation as one rich-text document; the streaming reply is re-rendered in place at the end.

Why replace only the tail: re-parsing the whole conversation 30 times a second would grow with its length and
stall the main thread. The document is rebuilt when the thread changes (a new conversation, a finished reply,
a branch switch); while a reply streams, only the text after ``_stream_at`` is removed and inserted again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QGuiApplication, QPalette, QTextCursor
from PySide6.QtWidgets import QTextBrowser, QWidget

from hearth.core.chat import Message
from hearth.ui.chat.markdown import Rendered
from hearth.ui.chat.message_html import Branches, Look, body_html, message_html
from hearth.ui.widgets.fit_badge import is_dark

_PIN_SLACK = 24  # px from the bottom that still counts as "following the reply"


def look_for(palette: QPalette) -> Look:
    role = QPalette.ColorRole
    dark = is_dark(palette)
    return Look(
        dark=dark,
        text=palette.color(role.Text).name(),
        muted=palette.color(role.PlaceholderText).name(),
        link=palette.color(role.Link).name(),
        bubble="#2b2826" if dark else palette.color(role.AlternateBase).name(),
        error="#f4958c" if dark else "#c62828",
    )


class MessageView(QTextBrowser):
    """Shows messages; links become :attr:`actionRequested` (copy links are handled here).

    Signals:
        actionRequested(str, int): ``("edit" | "regenerate" | "continue" | "branch", message id)``.
        sourceRequested(int, int): a reply's cited source was clicked: (message id, 1-based number).
        copied(str): text was put on the clipboard (the page shows a short confirmation).
    """

    actionRequested = Signal(str, int)
    sourceRequested = Signal(int, int)
    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messageView")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.document().setDocumentMargin(18)
        self._messages: list[Message] = []
        self._branches: dict[int, Branches] = {}
        self._code: dict[int, tuple[str, ...]] = {}
        self._cache: dict[tuple[int, str, str, bool], Rendered] = {}
        self._busy = False
        self._stream_at: int | None = None
        self.sources_html: Callable[[Message, Look], str] | None = None  # a reply's "Sources" block

    # -- content -------------------------------------------------------------------------------------------

    def messages(self) -> list[Message]:
        return list(self._messages)

    def set_messages(self, messages: Sequence[Message], branches: dict[int, Branches], *, busy: bool = False) -> None:
        """Rebuild the document from ``messages`` (fragments of unchanged messages come from a cache)."""
        pinned = self._at_bottom()
        self._messages, self._branches, self._busy = list(messages), branches, busy
        self._stream_at = None
        look = look_for(self.palette())
        parts = []
        last = len(self._messages) - 1
        for i, message in enumerate(self._messages):
            body = self._body(message, look)
            sources = self.sources_html(message, look) if self.sources_html is not None else ""
            parts.append(
                message_html(
                    message, body, branches.get(message.id), last=i == last, busy=busy, look=look, sources=sources
                )
            )
        self.setHtml("".join(parts))
        if pinned or busy:
            self.scroll_to_bottom()

    def begin_stream(self, message: Message) -> None:
        """Show ``message`` (a reply) at the end; :meth:`update_stream` then replaces its body in place."""
        self.set_messages([*self._messages, replace(message, content="")], self._branches, busy=True)
        # An empty streaming reply renders its body as one "…" paragraph: the document's last block.
        self._stream_at = self.document().lastBlock().position()
        self.update_stream(message.content)

    def update_stream(self, text: str) -> None:
        """Replace the streaming reply's body with ``text`` rendered as Markdown."""
        if self._stream_at is None:
            return
        pinned = self._at_bottom()
        look = look_for(self.palette())
        message = self._messages[-1]
        rendered = body_html(replace(message, content=text), look)
        self._code[message.id] = rendered.code_blocks
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.setPosition(self._stream_at)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        cursor.insertHtml(rendered.html or "&nbsp;")
        cursor.endEditBlock()
        if pinned:
            self.scroll_to_bottom()

    def streaming(self) -> bool:
        return self._stream_at is not None

    def refresh(self) -> None:
        """Render again (the theme changed): cached fragments hold the old colours."""
        self._cache.clear()
        self.set_messages(self._messages, self._branches, busy=self._busy)

    # -- helpers -------------------------------------------------------------------------------------------

    def scroll_to_bottom(self) -> None:
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - _PIN_SLACK

    def _body(self, message: Message, look: Look) -> Rendered:
        key = (message.id, message.content, message.status, look.dark)
        rendered = self._cache.get(key)
        if rendered is None:
            rendered = body_html(message, look)
            if message.status != "streaming":
                self._cache[key] = rendered
        self._code[message.id] = rendered.code_blocks
        return rendered

    def _on_anchor(self, url: QUrl) -> None:
        target = url.toString()
        action, _, rest = target.partition(":")
        if action == "copy":
            message_id, _, n = rest.partition(":")
            blocks = self._code.get(int(message_id), ())
            if n.isdigit() and int(n) < len(blocks):
                self._copy(blocks[int(n)])
        elif action == "copymessage":
            message = next((m for m in self._messages if m.id == int(rest)), None)
            if message is not None:
                self._copy(message.content)
        elif action == "source":
            message_id, _, n = rest.partition(":")
            if message_id.isdigit() and n.isdigit():
                self.sourceRequested.emit(int(message_id), int(n))
        elif action in ("edit", "regenerate", "continue", "branch") and rest.lstrip("-").isdigit():
            self.actionRequested.emit(action, int(rest))

    def _copy(self, text: str) -> None:
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)
