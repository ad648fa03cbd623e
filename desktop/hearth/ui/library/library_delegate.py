"""Paints one local model as a card, the same card Discover uses: name, where it lives, chips, fit badge, size.

Why a delegate: a Library with LM Studio's and the Hugging Face cache's models can hold hundreds of rows; painting
costs nothing per row, and the cards match Discover's so the two lists read as one app.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from hearth.ui.discover.result_delegate import CARD_GAP, LINE_GAP, PAD_X, PAD_Y, ResultDelegate
from hearth.ui.library.library_model import LibraryRole
from hearth.ui.widgets.chips import CHIP_GAP, chip_size, paint_chip, paint_chips
from hearth.ui.widgets.fit_badge import BadgeStyle, badge_size, badge_style, is_dark, paint_badge

_BROKEN = (BadgeStyle("Can't load", "#a3241c", "#fde3e0"), BadgeStyle("Can't load", "#f4958c", "#3d201d"))
_ERROR_TEXT = ("#a3241c", "#f4958c")


def _fonts(base: QFont) -> tuple[QFont, QFont, QFont]:
    """(title, body, small) derived from the view's font, so the user's font size is respected."""
    title = QFont(base)
    title.setPointSizeF(base.pointSizeF() * 1.15)
    title.setWeight(QFont.Weight.DemiBold)
    small = QFont(base)
    small.setPointSizeF(base.pointSizeF() * 0.9)
    return title, QFont(base), small


class LibraryDelegate(ResultDelegate):
    """Card painter for :class:`~hearth.ui.library.library_model.LibraryModel` rows."""

    def sizeHint(self, option: QStyleOptionViewItem, _index: QModelIndex | QPersistentModelIndex) -> QSize:
        title, body, small = _fonts(option.font)
        chip_h = chip_size(QFontMetrics(small), "7B").height()
        height = QFontMetrics(title).height() + LINE_GAP + QFontMetrics(body).height() + 8 + chip_h
        return QSize(1, height + 2 * PAD_Y + CARD_GAP)

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        palette = option.palette
        dark = is_dark(palette)
        card = QRectF(option.rect).adjusted(1, CARD_GAP / 2, -1, -CARD_GAP / 2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_card(painter, card, palette, selected, hovered)
        title_font, body_font, small_font = _fonts(option.font)
        inner = card.adjusted(PAD_X, PAD_Y, -PAD_X, -PAD_Y).toRect()
        valid = bool(index.data(LibraryRole.Valid))

        # Top right: the fit badge, "Can't load" for a broken file, or a quiet note while unknown.
        bold = QFont(small_font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        fit = index.data(LibraryRole.Fit)
        style = badge_style(fit, dark) if fit is not None else None if valid else _BROKEN[dark]
        badge_w = 0
        if style is not None:
            size = badge_size(painter.fontMetrics(), style.text)
            badge_w = size.width()
            rect = QRectF(inner.right() - size.width() + 1, inner.top(), size.width(), size.height())
            paint_badge(painter, rect, style)
        else:
            note = "Fit unknown" if index.data(LibraryRole.FitNote) else "Checking fit…"
            painter.setFont(small_font)
            badge_w = painter.fontMetrics().horizontalAdvance(note)
            painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                QRect(inner.right() - badge_w + 1, inner.top(), badge_w, painter.fontMetrics().height() + 6),
                Qt.AlignmentFlag.AlignVCenter,
                note,
            )

        # Line 1: the name, elided before the badge.
        painter.setFont(title_font)
        metrics = painter.fontMetrics()
        name_width = inner.width() - badge_w - 12
        name = metrics.elidedText(index.data(LibraryRole.Name) or "", Qt.TextElideMode.ElideRight, name_width)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        line1 = QRect(inner.left(), inner.top(), name_width, metrics.height())
        painter.drawText(line1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)

        # Line 2: the repo or folder, or for a broken file the reason, in the error colour.
        painter.setFont(body_font)
        metrics = painter.fontMetrics()
        line2 = QRect(inner.left(), line1.bottom() + 1 + LINE_GAP, inner.width(), metrics.height())
        painter.setPen(QColor(_ERROR_TEXT[dark]) if not valid else palette.color(QPalette.ColorRole.PlaceholderText))
        text = index.data(LibraryRole.Subtitle) or ""
        painter.drawText(
            line2, Qt.AlignmentFlag.AlignLeft, metrics.elidedText(text, Qt.TextElideMode.ElideMiddle, line2.width())
        )

        # Line 3: origin chip (accent) and header chips on the left, the size on the right.
        painter.setFont(small_font)
        metrics = painter.fontMetrics()
        chip_h = chip_size(metrics, "7B").height()
        top = inner.bottom() + 1 - chip_h
        size_text = index.data(LibraryRole.SizeText) or ""
        size_w = metrics.horizontalAdvance(size_text)
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            QRect(inner.right() - size_w + 1, top, size_w, chip_h), Qt.AlignmentFlag.AlignVCenter, size_text
        )
        origin = index.data(LibraryRole.OriginLabel) or ""
        origin_size = chip_size(metrics, origin)
        paint_chip(painter, QRectF(inner.left(), top, origin_size.width(), origin_size.height()), origin, palette, True)
        left = inner.left() + origin_size.width() + CHIP_GAP
        paint_chips(painter, left, top, index.data(LibraryRole.Chips) or [], palette, inner.right() - size_w - 12)
        painter.restore()
