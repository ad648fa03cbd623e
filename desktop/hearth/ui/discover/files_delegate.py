"""Paints the fit column of the files table as a coloured badge and the recommended row's star in the accent.

Why a delegate: the verdict colours are the same pills as everywhere else in Hearth (``paint_badge``), and a
table cell cannot hold a widget per row without losing sorting, selection and keyboard navigation.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from hearth.ui.discover.files_model import FIT, QUANT, RECOMMENDED, FileRole
from hearth.ui.widgets.fit_badge import badge_size, badge_style, is_dark, paint_badge

ROW_PADDING = 14
CELL_PADDING = 16  # air between columns sized to their contents
BADGE_INSET = 6


class FilesDelegate(QStyledItemDelegate):
    """Badges in the fit column, an accent star for the recommendation, muted text for projector rows."""

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        metrics = QFontMetrics(option.font)
        if index.column() == FIT and index.data(FileRole.Estimate) is not None:
            font = QFont(option.font)
            font.setWeight(QFont.Weight.DemiBold)
            badge = badge_size(QFontMetrics(font), index.data(Qt.ItemDataRole.DisplayRole) or "")
            size = QSize(max(size.width(), badge.width() + 2 * BADGE_INSET), max(size.height(), badge.height()))
        return QSize(size.width() + CELL_PADDING, max(size.height(), metrics.height() + ROW_PADDING))

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        option.state &= ~QStyle.StateFlag.State_HasFocus  # rows are selected whole; no per-cell focus box
        status = index.data(FileRole.Status)
        if index.column() == RECOMMENDED and index.data(FileRole.Recommended):
            option.palette.setColor(QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.Link))
            option.font.setWeight(QFont.Weight.DemiBold)
        elif index.column() == QUANT:
            option.font.setWeight(QFont.Weight.DemiBold)
        if status in ("projector", "waiting", "failed", "incomplete") and index.column() == FIT:
            option.palette.setColor(QPalette.ColorRole.Text, option.palette.color(QPalette.ColorRole.PlaceholderText))

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        estimate = index.data(FileRole.Estimate)
        if index.column() != FIT or estimate is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        font = QFont(option.font)
        font.setWeight(QFont.Weight.DemiBold)
        painter.save()
        painter.setFont(font)
        pill = badge_style(estimate, is_dark(option.palette))
        size = badge_size(painter.fontMetrics(), pill.text)
        rect = QRectF(
            option.rect.left() + 6, option.rect.center().y() - size.height() / 2 + 1, size.width(), size.height()
        )
        paint_badge(painter, rect, pill)
        painter.restore()
