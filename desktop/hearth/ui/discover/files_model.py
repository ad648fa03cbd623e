"""A repo's GGUF files as a table: quant, bits per weight, size, how it fits, and the one recommended.

Why the fit is computed here, on the main thread: once a file's header is in memory, :func:`fit.estimate` is
arithmetic (well under a millisecond), so changing the context re-estimates every row at once with no worker.
Headers arrive one by one from :class:`~hearth.ui.discover.header_loader.HeaderLoader`; the recommendation is
only decided when every header has arrived or failed, so the star never jumps from row to row while loading.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from hearth.core.fit import FitEstimate, estimate
from hearth.core.gguf import GGUFHeader
from hearth.core.hardware_types import HardwareSnapshot
from hearth.core.hub import QuantFile, Recommendation, recommend
from hearth.core.load_settings import LoadSettings
from hearth.ui.discover.formatting import bits_text, file_text, size_text
from hearth.ui.widgets.fit_badge import verdict_text

Index = QModelIndex | QPersistentModelIndex
Status = Literal["waiting", "ready", "failed", "projector", "incomplete"]
COLUMNS = ("Quant", "Bits/weight", "Size", "Fits this computer", "Recommended", "File")
QUANT, BITS, SIZE, FIT, RECOMMENDED, FILE = range(len(COLUMNS))
RECOMMENDED_TEXT = "★ Recommended"


class FileRole(IntEnum):
    File = Qt.ItemDataRole.UserRole + 1
    Estimate = Qt.ItemDataRole.UserRole + 2
    Status = Qt.ItemDataRole.UserRole + 3
    Error = Qt.ItemDataRole.UserRole + 4
    Recommended = Qt.ItemDataRole.UserRole + 5


@dataclass
class _Row:
    file: QuantFile
    status: Status
    header: GGUFHeader | None = None
    estimate: FitEstimate | None = None
    error: str | None = None
    label: str | None = None  # the fit column's words when there is no estimate (why it is unknown)


def _initial_status(file: QuantFile) -> Status:
    if file.is_projector:
        return "projector"
    return "waiting" if file.complete else "incomplete"


class QuantFilesModel(QAbstractTableModel):
    """Rows are :class:`QuantFile` groups (shards as one); fit columns fill in as headers arrive.

    Signals:
        recommendationChanged(object): the :class:`Recommendation`, or None (none fits, or still checking).
        settled(): every file's header arrived or failed: the fit column is final for this context.
    """

    recommendationChanged = Signal(object)
    settled = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[_Row] = []
        self._hardware: HardwareSnapshot | None = None
        self._settings = LoadSettings()
        self._recommendation: Recommendation | None = None

    # --- Qt API ------------------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS)
        if horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "" if section == RECOMMENDED else COLUMNS[section]
        if horizontal and role == Qt.ItemDataRole.TextAlignmentRole and section in (BITS, SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        recommended = self._is_recommended(row)
        roles: dict[int, Any] = {
            FileRole.File: row.file,
            FileRole.Estimate: row.estimate,
            FileRole.Status: row.status,
            FileRole.Error: row.error,
            FileRole.Recommended: recommended,
        }
        if role in roles:
            return roles[role]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(row, column, recommended)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == FIT:
                return row.estimate.explanation if row.estimate is not None else row.error
            if column == RECOMMENDED and recommended and self._recommendation is not None:
                return self._recommendation.reason
            return "\n".join(row.file.files)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (BITS, SIZE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: _Row, column: int, recommended: bool) -> str:
        file = row.file
        if column == QUANT:
            quant = file.quant or "Unknown type"
            return f"{quant} · vision projector" if file.is_projector else quant
        if column == BITS:
            return "—" if file.is_projector else bits_text(file)
        if column == SIZE:
            return size_text(file)
        if column == FIT:
            return _fit_text(row)
        if column == RECOMMENDED:
            return RECOMMENDED_TEXT if recommended else ""
        return file_text(file)

    # --- changes -----------------------------------------------------------------------------------------
    def set_files(self, files: Sequence[QuantFile]) -> None:
        """A new repo: every row waits for its header (projectors and incomplete uploads never get one)."""
        self.beginResetModel()
        self._rows = [_Row(f, _initial_status(f)) for f in files]
        self._recommendation = None
        self.endResetModel()
        self.recommendationChanged.emit(None)
        self._settle()

    def set_hardware(self, hardware: HardwareSnapshot) -> None:
        self._hardware = hardware
        self._reestimate()

    def set_context(self, n_ctx: int) -> None:
        """Re-estimate every row at ``n_ctx`` tokens (each clamped to what its model was trained for)."""
        self._settings = self._settings.replace(n_ctx=n_ctx)
        self._reestimate()

    def context(self) -> int:
        return self._settings.n_ctx

    def set_header(self, name: str, header: GGUFHeader) -> None:
        row = self._find(name)
        if row is not None:
            self._rows[row].header = header
            self._rows[row].status = "ready"
            self._estimate_row(self._rows[row])
            self._changed(row)
            self._settle()

    def set_failed(self, name: str, message: str, label: str = "Unknown") -> None:
        """No header for ``name``: ``message`` is the tooltip, ``label`` the short words in the fit column."""
        row = self._find(name)
        if row is not None:
            self._rows[row].status, self._rows[row].error, self._rows[row].label = "failed", message, label
            self._changed(row)
            self._settle()

    # --- queries -----------------------------------------------------------------------------------------
    def files(self) -> list[QuantFile]:
        return [r.file for r in self._rows]

    def file(self, row: int) -> QuantFile:
        return self._rows[row].file

    def pending(self) -> list[QuantFile]:
        """Files whose header is still awaited, in row order."""
        return [r.file for r in self._rows if r.status == "waiting"]

    def is_settled(self) -> bool:
        return all(r.status != "waiting" for r in self._rows)

    def recommendation(self) -> Recommendation | None:
        return self._recommendation

    def recommended_row(self) -> int | None:
        return next((i for i, r in enumerate(self._rows) if self._is_recommended(r)), None)

    def best_fit(self) -> FitEstimate | None:
        """What the results list shows for this repo: the recommended file's fit, else the smallest file's."""
        if self._recommendation is not None:
            return self._recommendation.estimate
        known = [r for r in self._rows if r.estimate is not None]
        return min(known, key=lambda r: r.estimate.total_bytes).estimate if known else None  # type: ignore[union-attr]

    # --- internals ---------------------------------------------------------------------------------------
    def _find(self, name: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.file.name == name), None)

    def _is_recommended(self, row: _Row) -> bool:
        return self._recommendation is not None and self._recommendation.file.name == row.file.name

    def _estimate_row(self, row: _Row) -> None:
        if row.header is None or self._hardware is None:
            return
        trained = row.header.arch_value("context_length")
        n_ctx = self._settings.n_ctx
        if isinstance(trained, int) and 0 < trained < n_ctx:
            n_ctx = trained
        try:
            row.estimate = estimate(row.header, self._settings.replace(n_ctx=n_ctx), self._hardware)
            row.error = None
        except ValueError as exc:  # a header without the numbers the estimate needs
            row.estimate, row.error = None, f"Cannot estimate memory for this file: {exc}"

    def _reestimate(self) -> None:
        for row in self._rows:
            self._estimate_row(row)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))
        self._settle()

    def _changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _settle(self) -> None:
        if not self.is_settled() or self._hardware is None:
            return
        pick = recommend([(r.file, r.estimate) for r in self._rows])
        if pick != self._recommendation:
            self._recommendation = pick
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1))
            self.recommendationChanged.emit(pick)
        self.settled.emit()


def _fit_text(row: _Row) -> str:
    if row.estimate is not None:
        return verdict_text(row.estimate)
    if row.label:
        return row.label
    return {
        "waiting": "Checking…",
        "projector": "Vision projector: add to a model",
        "incomplete": "Incomplete upload",
        "failed": "Unknown",
        "ready": "Unknown",
    }[row.status]
