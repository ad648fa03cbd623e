"""Paints one search result as a card: name, author and age, chips for size and architecture, counts, fit badge.

Why a delegate: a page of results is 30 rows and "load more" keeps adding; painting cards costs nothing per
row, where a widget per row would cost layouts, memory and scroll jank.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hearth.ui.discover.formatting import format_count
from hearth.ui.discover.results_model import ResultRole
from hearth.ui.widgets.chips import CHIP_GAP, chip_size, paint_chip, paint_chips
from hearth.ui.widgets.fit_badge import badge_size, badge_style, is_dark, paint_badge

PAD_X, PAD_Y = 16, 12
CARD_GAP = 8  # vertical space between cards
LINE_GAP = 3
RADIUS = 10


def _fonts(base: QFont) -> tuple[QFont, QFont, QFont]:
    """(title, body, small) fonts derived from the view's font, so the user's font size is respected."""
    title = QFont(base)
    title.setPointSizeF(base.pointSizeF() * 1.15)
    title.setWeight(QFont.Weight.DemiBold)
    small = QFont(base)
    small.setPointSizeF(base.pointSizeF() * 0.9)
    return title, QFont(base), small


def _muted(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.PlaceholderText)


class ResultDelegate(QStyledItemDelegate):
    """Card painter for :class:`~hearth.ui.discover.results_model.SearchResultsModel` rows."""

    def sizeHint(self, option: QStyleOptionViewItem, _index: QModelIndex | QPersistentModelIndex) -> QSize:
        title, body, small = _fonts(option.font)
        height = (
            QFontMetrics(title).height()
            + LINE_GAP
            + QFontMetrics(body).height()
            + 8
            + chip_size(QFontMetrics(small), "7B").height()
        )
        # The list gives every card the viewport's width; a wider hint would only add a horizontal scroll bar.
        return QSize(1, height + 2 * PAD_Y + CARD_GAP)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        palette = option.palette
        card = QRectF(option.rect).adjusted(1, CARD_GAP / 2, -1, -CARD_GAP / 2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_card(painter, card, palette, selected, hovered)
        title_font, body_font, small_font = _fonts(option.font)
        inner = card.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y).toRect()

        # Right column: the fit badge (top) and the counts (bottom).
        right_edge = inner.right()
        fit = index.data(ResultRole.Fit)
        painter.setFont(small_font)
        badge_w = 0
        if fit is not None:
            bold = QFont(small_font)
            bold.setWeight(QFont.Weight.DemiBold)
            painter.setFont(bold)
            style = badge_style(fit, is_dark(palette))
            size = badge_size(painter.fontMetrics(), style.text)
            badge_w = size.width()
            paint_badge(painter, QRectF(right_edge - size.width() + 1, inner.top(), size.width(), size.height()), style)

        # Line 1: the name, elided before the badge.
        painter.setFont(title_font)
        metrics = painter.fontMetrics()
        name_width = inner.width() - (badge_w + 12 if badge_w else 0)
        name = metrics.elidedText(index.data(ResultRole.Name) or "", Qt.TextElideMode.ElideRight, name_width)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        line1 = QRect(inner.left(), inner.top(), name_width, metrics.height())
        painter.drawText(line1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)

        # Line 2: author · updated …
        painter.setFont(body_font)
        metrics = painter.fontMetrics()
        author = index.data(ResultRole.Author)
        updated = index.data(ResultRole.Updated)
        meta = " · ".join(p for p in (author, f"updated {updated}" if updated else None) if p)
        top = line1.bottom() + 1 + LINE_GAP
        line2 = QRect(inner.left(), top, inner.width(), metrics.height())
        painter.setPen(_muted(palette))
        painter.drawText(
            line2, Qt.AlignmentFlag.AlignLeft, metrics.elidedText(meta, Qt.TextElideMode.ElideRight, line2.width())
        )

        # Line 3: chips on the left, ↓ downloads ♥ likes on the right.
        painter.setFont(small_font)
        metrics = painter.fontMetrics()
        chip_h = chip_size(metrics, "7B").height()
        chips_top = inner.bottom() + 1 - chip_h
        downloads, likes = index.data(ResultRole.Downloads) or 0, index.data(ResultRole.Likes) or 0
        counts = f"↓ {format_count(downloads)}    ♥ {format_count(likes)}"
        counts_w = metrics.horizontalAdvance(counts)
        painter.setPen(_muted(palette))
        painter.drawText(
            QRect(right_edge - counts_w + 1, chips_top, counts_w, chip_h), Qt.AlignmentFlag.AlignVCenter, counts
        )
        chips = [t for t in (index.data(ResultRole.Parameters), index.data(ResultRole.Architecture)) if t]
        x = paint_chips(painter, inner.left(), chips_top, chips, palette, right_edge - counts_w - 12)
        if index.data(ResultRole.Gated):
            size = chip_size(metrics, "Gated")
            if x + size.width() < right_edge - counts_w - 12:
                paint_chip(painter, QRectF(x, chips_top, size.width(), size.height()), "Gated", palette, accent=True)
                x += size.width() + CHIP_GAP
        painter.restore()

    @staticmethod
    def _paint_card(painter: QPainter, rect: QRectF, palette: QPalette, selected: bool, hovered: bool) -> None:
        background = palette.color(QPalette.ColorRole.Base)
        border = palette.color(QPalette.ColorRole.Mid)
        accent = palette.color(QPalette.ColorRole.Accent)
        if selected:
            tint = QColor(accent)
            tint.setAlpha(22)
            painter.setBrush(background)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(rect, RADIUS, RADIUS)
            background, border = tint, accent
        elif hovered:
            border = QColor(accent)
            border.setAlpha(120)
        painter.setBrush(background)
        painter.setPen(border)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
