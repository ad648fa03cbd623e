"""The chat page's model picker: local models with their fit, as a list model a combo box shows.

Models and fits come from ``LibraryServices`` on a worker (a scan and fit estimates read files); the model only
holds the result, so the picker opens instantly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from hearth.core.fit import FitEstimate
from hearth.core.library import LocalModel
from hearth.ui.widgets.fit_badge import verdict_text

Index = QModelIndex | QPersistentModelIndex


class PickerRole(IntEnum):
    """Data roles of :class:`ModelPickerModel`."""

    Path = Qt.ItemDataRole.UserRole + 1
    Fit = Qt.ItemDataRole.UserRole + 2
    ContextLength = Qt.ItemDataRole.UserRole + 3
    Model = Qt.ItemDataRole.UserRole + 4


class ModelPickerModel(QAbstractListModel):
    """Valid local models by name; each row's fit estimate (or None) for the badge."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._models: list[LocalModel] = []
        self._fits: dict[Path, FitEstimate | None] = {}

    def set_models(self, models: Sequence[LocalModel], fits: Mapping[Path, FitEstimate | None]) -> None:
        self.beginResetModel()
        self._models = sorted((m for m in models if m.valid), key=lambda m: m.display_name.lower())
        self._fits = dict(fits)
        self.endResetModel()

    def row_of(self, path: str) -> int:
        return next((i for i, m in enumerate(self._models) if str(m.path) == path), -1)

    def model_at(self, row: int) -> LocalModel | None:
        return self._models[row] if 0 <= row < len(self._models) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._models)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._models):
            return None
        model = self._models[index.row()]
        fit = self._fits.get(model.path)
        if role == Qt.ItemDataRole.DisplayRole:
            return model.display_name
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            quant = f" {model.quant}" if model.quant else ""
            return f"{model.display_name}{quant} — {verdict_text(fit) if fit else 'fit unknown'}\n{model.path}"
        return {
            PickerRole.Path: str(model.path),
            PickerRole.Fit: fit,
            PickerRole.ContextLength: model.context_length,
            PickerRole.Model: model,
        }.get(role)  # type: ignore[call-overload]
