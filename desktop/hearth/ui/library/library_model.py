"""Local models as a Qt list model: one row per model, fit badges filled in as estimates arrive.

Why a model over the core :class:`LocalModel` list: a scan replaces the rows at once, a finished download adds or
refreshes one row (``beginInsertRows``/``dataChanged``, keeping the view's selection and scroll), a delete removes
one, and the fit of every row arrives later from a worker without rebuilding anything.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex, Qt

from hearth.core.library import LocalModel
from hearth.core.library_sources import OWNER_NAMES
from hearth.core.units import format_bytes
from hearth.ui.discover.formatting import context_label, format_params
from hearth.ui.library.services import FitResult
from hearth.ui.widgets.fit_badge import verdict_text

Index = QModelIndex | QPersistentModelIndex

ORIGIN_LABELS = {
    "hearth": "Hearth",
    "hf-cache": "HF cache",
    "lm-studio": "LM Studio",
    "gpt4all": "GPT4All",
    "ollama": "Ollama",
    "folder": "Folder",
}


class LibraryRole(IntEnum):
    """Data roles of :class:`LibraryModel`; the delegate and the page read these, never the model's fields."""

    Model = Qt.ItemDataRole.UserRole + 1
    Path = Qt.ItemDataRole.UserRole + 2
    Name = Qt.ItemDataRole.UserRole + 3
    Subtitle = Qt.ItemDataRole.UserRole + 4
    Origin = Qt.ItemDataRole.UserRole + 5
    OriginLabel = Qt.ItemDataRole.UserRole + 6
    Chips = Qt.ItemDataRole.UserRole + 7
    SizeText = Qt.ItemDataRole.UserRole + 8
    Fit = Qt.ItemDataRole.UserRole + 9
    FitNote = Qt.ItemDataRole.UserRole + 10
    Valid = Qt.ItemDataRole.UserRole + 11
    Error = Qt.ItemDataRole.UserRole + 12
    Deletable = Qt.ItemDataRole.UserRole + 13
    OwnerNote = Qt.ItemDataRole.UserRole + 14
    SearchText = Qt.ItemDataRole.UserRole + 15


def owner_note(model: LocalModel) -> str | None:
    """Why Delete is off for this model (None when Hearth may delete it)."""
    if model.origin == "hearth":
        return None
    if model.origin == "folder":
        return "In a folder you added — Hearth only deletes models it downloaded; delete the file yourself"
    return f"Managed by {ORIGIN_LABELS[model.origin]} — delete it there"


def chips(model: LocalModel) -> list[str]:
    """What the header says, as short chips: ``7.6B``, ``Q4_K_M``, ``qwen2``, ``32k context``, ``Chat``."""
    if not model.valid:
        return []
    texts = [format_params(model.parameters), model.quant, model.architecture]
    if model.context_length:
        texts.append(f"{context_label(model.context_length)} context")
    texts.append("Chat template" if model.has_chat_template else "No chat template")
    if model.shards:
        texts.append(f"{len(model.shards)} parts")
    if model.projector is not None:
        texts.append("Vision")
    return [t for t in texts if t]


def subtitle(model: LocalModel) -> str:
    """Where it came from: the repo when known, else the folder it lies in."""
    if not model.valid:
        return model.error or "This file cannot be read."
    where = model.repo_id or str(model.path.parent)
    return where


def _search_text(model: LocalModel) -> str:
    owner = OWNER_NAMES.get(model.origin, model.origin)
    parts = [model.display_name, model.path.name, model.repo_id, model.architecture, model.quant, owner]
    parts.append(ORIGIN_LABELS[model.origin])
    return " ".join(p for p in parts if p)


class LibraryModel(QAbstractListModel):
    """The local models of the last scan, in scan order (Hearth's own first), keyed by path."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[LocalModel] = []
        self._fits: dict[Path, FitResult] = {}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        model = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, LibraryRole.Name):
            return model.display_name
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._accessible(model)
        fit = self._fits.get(model.path)
        values = {
            LibraryRole.Model: model,
            LibraryRole.Path: str(model.path),
            LibraryRole.Subtitle: subtitle(model),
            LibraryRole.Origin: model.origin,
            LibraryRole.OriginLabel: ORIGIN_LABELS[model.origin],
            LibraryRole.Chips: chips(model),
            LibraryRole.SizeText: format_bytes(model.size_bytes),
            LibraryRole.Fit: fit.estimate if fit else None,
            LibraryRole.FitNote: fit.note if fit else None,
            LibraryRole.Valid: model.valid,
            LibraryRole.Error: model.error,
            LibraryRole.Deletable: model.origin == "hearth",
            LibraryRole.OwnerNote: owner_note(model),
            LibraryRole.SearchText: _search_text(model),
        }
        return values.get(role)  # type: ignore[call-overload]

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names.update({int(r): QByteArray((r.name[0].lower() + r.name[1:]).encode()) for r in LibraryRole})
        return names

    # --- changes -------------------------------------------------------------------------------------------

    def set_models(self, models: Sequence[LocalModel]) -> None:
        """Replace every row (a scan); fits of models still present are kept until new ones arrive. Files that
        cannot be loaded go last: they need attention, but must not push usable models off the screen."""
        self.beginResetModel()
        self._rows = sorted(models, key=lambda m: not m.valid)
        paths = {m.path for m in self._rows}
        self._fits = {p: f for p, f in self._fits.items() if p in paths}
        self.endResetModel()

    def upsert(self, model: LocalModel) -> int:
        """Add ``model`` (a finished download) or refresh its row; returns the row."""
        row = self.row_of(model.path)
        if row is None:
            row = len(self._rows)
            self.beginInsertRows(QModelIndex(), row, row)
            self._rows.append(model)
            self.endInsertRows()
        else:
            self._rows[row] = model
            self._fits.pop(model.path, None)
            self.dataChanged.emit(self.index(row), self.index(row))
        return row

    def remove(self, path: Path) -> bool:
        row = self.row_of(path)
        if row is None:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self._fits.pop(path, None)
        self.endRemoveRows()
        return True

    def set_fits(self, fits: dict[Path, FitResult]) -> None:
        """Fit badges for the rows named in ``fits`` (a worker's result); repaints only those rows."""
        self._fits.update(fits)
        roles = [LibraryRole.Fit, LibraryRole.FitNote, Qt.ItemDataRole.ToolTipRole]
        for row, model in enumerate(self._rows):
            if model.path in fits:
                self.dataChanged.emit(self.index(row), self.index(row), roles)

    # --- reading -------------------------------------------------------------------------------------------

    def models(self) -> list[LocalModel]:
        return list(self._rows)

    def model_at(self, row: int) -> LocalModel:
        return self._rows[row]

    def row_of(self, path: Path) -> int | None:
        return next((row for row, m in enumerate(self._rows) if m.path == path), None)

    def fit(self, path: Path) -> FitResult | None:
        return self._fits.get(path)

    def _accessible(self, model: LocalModel) -> str:
        parts = [model.display_name, f"from {OWNER_NAMES.get(model.origin, model.origin)}"]
        if not model.valid:
            return ", ".join([*parts, f"cannot be used: {model.error}"])
        parts += chips(model)
        parts.append(format_bytes(model.size_bytes))
        fit = self._fits.get(model.path)
        if fit is not None and fit.estimate is not None:
            parts.append(f"fit: {verdict_text(fit.estimate)}")
        return ", ".join(parts)
