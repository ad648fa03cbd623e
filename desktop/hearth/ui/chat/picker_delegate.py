"""A picker row: the model's name on the left, its fit badge on the right (painted, no widget per row)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hearth.ui.chat.picker_model import PickerRole
from hearth.ui.widgets.fit_badge import badge_size, badge_style, is_dark, paint_badge


class PickerDelegate(QStyledItemDelegate):
    """Name elided to leave room for the badge."""

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        fit = index.data(PickerRole.Fit)
        rect = option.rect
        if fit is None:
            super().paint(painter, option, index)
            return
        style = badge_style(fit, is_dark(option.palette))
        size = badge_size(option.fontMetrics, style.text)
        badge = QRectF(rect.right() - size.width() - 6, rect.center().y() - size.height() / 2 + 1, *size.toTuple())
        self.initStyleOption(option, index)
        option.rect = rect.adjusted(0, 0, -size.width() - 12, 0)
        widget = option.widget
        style_obj = widget.style() if widget is not None else None
        if style_obj is not None:
            full = QStyleOptionViewItem(option)
            full.rect = rect
            full.text = ""
            style_obj.drawControl(QStyle.ControlElement.CE_ItemViewItem, full, painter, widget)
            style_obj.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, widget)
        paint_badge(painter, badge, style)

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        fit = index.data(PickerRole.Fit)
        if fit is None:
            return size
        badge = badge_size(option.fontMetrics, badge_style(fit, False).text)
        return QSize(size.width() + badge.width() + 18, max(size.height(), badge.height() + 6))
