"""Collections as a Qt list model: one row per collection with its index status.

Why a model: status arrives from workers (a finished index run refreshes one row with ``dataChanged``, keeping the
selection), and the delegate, page and chat picker read the same roles.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex, Qt

from hearth.core.units import format_bytes
from hearth.ui.documents.services import CollectionStatus

Index = QModelIndex | QPersistentModelIndex


class CollectionRole(IntEnum):
    """Data roles of :class:`CollectionsModel`."""

    Status = Qt.ItemDataRole.UserRole + 1
    Name = Qt.ItemDataRole.UserRole + 2
    Summary = Qt.ItemDataRole.UserRole + 3
    Folders = Qt.ItemDataRole.UserRole + 4
    Watching = Qt.ItemDataRole.UserRole + 5


def ago(stamp: float | None, now: float | None = None) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``2 days ago`` or ``never``."""
    if stamp is None:
        return "never"
    seconds = max(0.0, (now or time.time()) - stamp)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60:.0f} min ago"
    if seconds < 86400:
        return f"{seconds // 3600:.0f} h ago"
    days = seconds // 86400
    return f"{days:.0f} day{'s' if days != 1 else ''} ago"


def summary(status: CollectionStatus) -> str:
    """``12 files · 340 chunks · 1.2 MB · indexed 5 min ago · watching``."""
    if status.last_indexed is None and not status.chunks:
        parts = ["Not indexed yet"]
    else:
        files = f"{status.files} file{'s' if status.files != 1 else ''}"
        parts = [
            files,
            f"{status.chunks} chunk{'s' if status.chunks != 1 else ''}",
            format_bytes(status.size_bytes),
            f"indexed {ago(status.last_indexed)}",
        ]
        if status.skipped:
            parts.insert(1, f"{status.skipped} skipped")
    parts.append("watching" if status.watching else "not watching")
    return " · ".join(parts)


class CollectionsModel(QAbstractListModel):
    """Rows of :class:`CollectionStatus`, sorted by name as the store lists them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[CollectionStatus] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        status = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, CollectionRole.Name):
            return status.name
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(status.spec.folders)
        if role == CollectionRole.Status:
            return status
        if role == CollectionRole.Summary:
            return summary(status)
        if role == CollectionRole.Folders:
            return ", ".join(status.spec.folders)
        if role == CollectionRole.Watching:
            return status.watching
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        for role in CollectionRole:
            names[role] = QByteArray(role.name.lower().encode())
        return names

    def statuses(self) -> list[CollectionStatus]:
        return list(self._rows)

    def names(self) -> list[str]:
        return [s.name for s in self._rows]

    def row_of(self, name: str) -> int:
        return next((i for i, s in enumerate(self._rows) if s.name == name), -1)

    def set_statuses(self, statuses: Sequence[CollectionStatus]) -> None:
        self.beginResetModel()
        self._rows = list(statuses)
        self.endResetModel()

    def upsert(self, status: CollectionStatus) -> None:
        row = self.row_of(status.name)
        if row >= 0:
            self._rows[row] = status
            self.dataChanged.emit(self.index(row), self.index(row))
            return
        row = sum(1 for s in self._rows if s.name.lower() < status.name.lower())
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, status)
        self.endInsertRows()

    def remove(self, name: str) -> None:
        row = self.row_of(name)
        if row >= 0:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
