"""Paints one collection as a compact card: name, its index status, the folders it covers.

Why a delegate: the status line changes after every index run and watch toggle; painting it from roles keeps the
list a plain model view, like the Library's cards.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hearth.ui.documents.collections_model import CollectionRole

PAD = 10
GAP = 3


class CollectionDelegate(QStyledItemDelegate):
    """Three lines per row; the selected row gets the accent-tinted background."""

    def sizeHint(self, option: QStyleOptionViewItem, _index: QModelIndex | QPersistentModelIndex) -> QSize:
        title = QFont(option.font)
        title.setWeight(QFont.Weight.DemiBold)
        line = QFontMetrics(option.font).height()
        return QSize(1, QFontMetrics(title).height() + 2 * line + 2 * GAP + 2 * PAD + 4)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        palette = option.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        card = QRectF(option.rect).adjusted(2, 2, -2, -2)
        if option.state & QStyle.StateFlag.State_Selected:
            fill = palette.color(QPalette.ColorRole.Accent)
            fill.setAlpha(40)
            painter.setPen(palette.color(QPalette.ColorRole.Accent))
            painter.setBrush(fill)
            painter.drawRoundedRect(card, 8, 8)
        elif option.state & QStyle.StateFlag.State_MouseOver:
            fill = palette.color(QPalette.ColorRole.WindowText)
            fill.setAlpha(14)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(card, 8, 8)
        inner = card.adjusted(PAD, PAD, -PAD, -PAD).toRect()
        title = QFont(option.font)
        title.setWeight(QFont.Weight.DemiBold)
        painter.setFont(title)
        metrics = painter.fontMetrics()
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        top = inner.top()
        name = metrics.elidedText(index.data(CollectionRole.Name) or "", Qt.TextElideMode.ElideRight, inner.width())
        painter.drawText(QRect(inner.left(), top, inner.width(), metrics.height()), Qt.AlignmentFlag.AlignLeft, name)
        top += metrics.height() + GAP
        painter.setFont(option.font)
        metrics = painter.fontMetrics()
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        for role, mode in (
            (CollectionRole.Summary, Qt.TextElideMode.ElideRight),
            (CollectionRole.Folders, Qt.TextElideMode.ElideMiddle),
        ):
            text = metrics.elidedText(index.data(role) or "", mode, inner.width())
            painter.drawText(
                QRect(inner.left(), top, inner.width(), metrics.height()), Qt.AlignmentFlag.AlignLeft, text
            )
            top += metrics.height() + GAP
        painter.restore()
