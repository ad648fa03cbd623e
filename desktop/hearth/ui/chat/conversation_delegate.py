"""Paints a conversation row: the title, and under a search hit its snippet with the matched words in bold.

Why a QTextDocument per paint: the highlight is rich text and rows are few (tens, not thousands); the
documents are small and built only for visible rows.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from hearth.ui.chat.conversations_model import ConversationRole

_PAD = 8


class ConversationDelegate(QStyledItemDelegate):
    """Title in the item's font, snippet (if any) muted and smaller below it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QTextDocument:
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        del selected  # a tinted row keeps the normal text colours (like the sidebar's selection)
        text = palette.color(QPalette.ColorRole.Text).name()
        muted = palette.color(QPalette.ColorRole.PlaceholderText)
        title = index.data(ConversationRole.TitleHtml) or ""
        snippet = index.data(ConversationRole.SnippetHtml) or ""
        body = f'<div style="color:{text};">{title}</div>'
        if snippet:
            body += f'<div style="color:{QColor(muted).name()}; font-size:small;">{snippet}</div>'
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(0)
        document.setHtml(body)
        width = option.rect.width() - 2 * _PAD
        document.setTextWidth(max(40, width))
        return document

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        self.initStyleOption(option, index)
        painter.save()
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        if selected or hovered:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            color = QColor(option.palette.color(QPalette.ColorRole.AlternateBase))
            if selected:  # a tint of the accent, not a solid block: the title stays readable
                color = QColor(option.palette.color(QPalette.ColorRole.Highlight))
                color.setAlpha(48)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
            painter.drawRoundedRect(QRectF(rect).adjusted(2, 1, -2, -1), 6, 6)
        document = self._document(option, index)
        painter.translate(rect.left() + _PAD, rect.top() + _PAD)
        context = QAbstractTextDocumentLayout.PaintContext()
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        self.initStyleOption(option, index)
        document = self._document(option, index)
        return QSize(int(document.idealWidth()) + 2 * _PAD, int(document.size().height()) + 2 * _PAD)
