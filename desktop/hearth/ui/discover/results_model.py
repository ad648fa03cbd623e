"""Search results as a Qt list model: one row per GGUF repo, "load more" appends, fit badges fill in later.

Why a model and not a QListWidget: pages of results arrive from a worker and are appended with
``beginInsertRows`` (the view keeps its scroll position and selection), and a fit verdict learned when a repo
is opened updates one row with ``dataChanged`` instead of rebuilding the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex, Qt

from hearth.core.fit import FitEstimate
from hearth.core.hub import ModelSummary
from hearth.ui.discover.formatting import format_age, format_count, format_params

Index = QModelIndex | QPersistentModelIndex


class ResultRole(IntEnum):
    """Data roles of :class:`SearchResultsModel`; the delegate reads these, never the summary's fields."""

    Summary = Qt.ItemDataRole.UserRole + 1
    RepoId = Qt.ItemDataRole.UserRole + 2
    Name = Qt.ItemDataRole.UserRole + 3
    Author = Qt.ItemDataRole.UserRole + 4
    Parameters = Qt.ItemDataRole.UserRole + 5
    Architecture = Qt.ItemDataRole.UserRole + 6
    Downloads = Qt.ItemDataRole.UserRole + 7
    Likes = Qt.ItemDataRole.UserRole + 8
    Updated = Qt.ItemDataRole.UserRole + 9
    Fit = Qt.ItemDataRole.UserRole + 10
    Gated = Qt.ItemDataRole.UserRole + 11


def display_name(repo_id: str) -> str:
    """The repo name without its owner, which the card prints on its own line."""
    return repo_id.split("/", 1)[1] if "/" in repo_id else repo_id


def accessible_text(summary: ModelSummary, fit: FitEstimate | None) -> str:
    """One sentence a screen reader (and the tooltip) says for a result."""
    parts = [display_name(summary.repo_id), f"by {summary.author}" if summary.author else ""]
    params = format_params(summary.parameters)
    parts += [f"{params} parameters" if params else "", summary.architecture or ""]
    parts += [f"{format_count(summary.downloads)} downloads", f"{format_count(summary.likes)} likes"]
    age = format_age(summary.last_modified)
    parts += [f"updated {age}" if age else "", "gated" if summary.gated else ""]
    if fit is not None:
        parts.append(f"best file: {fit.verdict.replace('_', ' ')}")
    return ", ".join(p for p in parts if p)


class SearchResultsModel(QAbstractListModel):
    """The results of the current search, in the Hub's order; a repo appears once even if pages overlap."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ModelSummary] = []
        self._fits: dict[str, FitEstimate] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, ResultRole.RepoId):
            return summary.repo_id
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return accessible_text(summary, self._fits.get(summary.repo_id))
        values = {
            ResultRole.Summary: summary,
            ResultRole.Name: display_name(summary.repo_id),
            ResultRole.Author: summary.author,
            ResultRole.Parameters: format_params(summary.parameters),
            ResultRole.Architecture: summary.architecture,
            ResultRole.Downloads: summary.downloads,
            ResultRole.Likes: summary.likes,
            ResultRole.Updated: format_age(summary.last_modified),
            ResultRole.Fit: self._fits.get(summary.repo_id),
            ResultRole.Gated: summary.gated,
        }
        return values.get(role)  # type: ignore[call-overload]

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names.update({int(r): QByteArray((r.name[0].lower() + r.name[1:]).encode()) for r in ResultRole})
        return names

    # --- changes -------------------------------------------------------------------------------------------

    def set_results(self, results: Sequence[ModelSummary]) -> None:
        """Replace every row (a new search)."""
        self.beginResetModel()
        self._rows = _unique(results, set())
        self.endResetModel()

    def append_results(self, results: Sequence[ModelSummary]) -> int:
        """Add a further page at the end; returns how many rows were new."""
        new = _unique(results, {s.repo_id for s in self._rows})
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            self._rows.extend(new)
            self.endInsertRows()
        return len(new)

    def clear(self) -> None:
        self.set_results(())

    def set_fit(self, repo_id: str, estimate: FitEstimate | None) -> None:
        """Remember the best file's verdict for ``repo_id`` (learned on its repo page) and repaint its row."""
        if estimate is None:
            self._fits.pop(repo_id, None)
        else:
            self._fits[repo_id] = estimate
        for row, summary in enumerate(self._rows):
            if summary.repo_id == repo_id:
                index = self.index(row)
                self.dataChanged.emit(index, index, [ResultRole.Fit, Qt.ItemDataRole.ToolTipRole])

    def summary(self, row: int) -> ModelSummary:
        return self._rows[row]

    def repo_ids(self) -> list[str]:
        return [s.repo_id for s in self._rows]


def _unique(results: Sequence[ModelSummary], seen: set[str]) -> list[ModelSummary]:
    """Pages of a live ranking may overlap when the order shifts between requests: keep the first copy."""
    rows = []
    for summary in results:
        if summary.repo_id not in seen:
            seen.add(summary.repo_id)
            rows.append(summary)
    return rows
