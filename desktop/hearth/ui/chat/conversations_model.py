"""The left column's rows: every conversation, or the hits of a search, as one Qt list model.

Why one model with two modes: the list view, its selection handling and its delegate stay the same whether the
user browses or searches; a search hit is a conversation row with a highlighted snippet (and the message it
found, so opening it can show that branch).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from hearth.core.chat import MARK_END, MARK_START, Conversation, SearchHit

Index = QModelIndex | QPersistentModelIndex


class ConversationRole(IntEnum):
    """Data roles of :class:`ConversationListModel`."""

    ConversationId = Qt.ItemDataRole.UserRole + 1
    MessageId = Qt.ItemDataRole.UserRole + 2
    Title = Qt.ItemDataRole.UserRole + 3
    SnippetHtml = Qt.ItemDataRole.UserRole + 4
    TitleHtml = Qt.ItemDataRole.UserRole + 5


@dataclass(frozen=True)
class Row:
    conversation_id: int
    title: str
    message_id: int | None = None
    title_html: str = ""
    snippet_html: str = ""


def marked_html(text: str) -> str:
    """A search snippet with the store's markers as bold spans; everything else escaped."""
    return html.escape(text).replace(MARK_START, "<b>").replace(MARK_END, "</b>")


class ConversationListModel(QAbstractListModel):
    """Conversations (most recent first) or search hits; :meth:`searching` tells which."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._searching = False

    def searching(self) -> bool:
        return self._searching

    def set_conversations(self, conversations: Sequence[Conversation]) -> None:
        self.beginResetModel()
        self._rows = [Row(c.id, c.title, None, html.escape(c.title)) for c in conversations]
        self._searching = False
        self.endResetModel()

    def set_hits(self, hits: Sequence[SearchHit]) -> None:
        """Title hits carry the marked title; message hits the marked snippet under the plain title."""
        self.beginResetModel()
        rows = []
        for hit in hits:
            if hit.message_id is None:
                rows.append(Row(hit.conversation_id, _plain(hit.snippet), None, marked_html(hit.snippet)))
            else:
                rows.append(
                    Row(
                        hit.conversation_id, hit.title, hit.message_id, html.escape(hit.title), marked_html(hit.snippet)
                    )
                )
        self._rows = rows
        self._searching = True
        self.endResetModel()

    def row_of(self, conversation_id: int) -> int:
        """The first row showing ``conversation_id``, or -1."""
        return next((i for i, r in enumerate(self._rows) if r.conversation_id == conversation_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, ConversationRole.Title):
            return row.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.title}: {_plain(row.snippet_html)}" if row.snippet_html else row.title
        return {
            ConversationRole.ConversationId: row.conversation_id,
            ConversationRole.MessageId: row.message_id,
            ConversationRole.SnippetHtml: row.snippet_html,
            ConversationRole.TitleHtml: row.title_html,
        }.get(role)  # type: ignore[call-overload]


def _plain(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "").replace("<b>", "").replace("</b>", "")
