"""Download jobs as a Qt list model, fed by :class:`~hearth.ui.downloads.bridge.DownloadsBridge` batches.

Why a model: the panel's rows, the status-bar summary and tests all read the same rows; a batch of snapshots
becomes one ``dataChanged`` per changed row (qutebrowser's ``DownloadModel`` does the same), new jobs are
inserted, forgotten ones removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from hearth.core.downloads import DownloadJob, JobStatus
from hearth.ui.downloads.bridge import DownloadsBridge
from hearth.ui.downloads.formatting import file_label, progress_text, status_text

Index = QModelIndex | QPersistentModelIndex
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)


class DownloadRole(IntEnum):
    """Data roles of :class:`DownloadsModel`."""

    Job = Qt.ItemDataRole.UserRole + 1
    JobId = Qt.ItemDataRole.UserRole + 2
    FileName = Qt.ItemDataRole.UserRole + 3
    Repo = Qt.ItemDataRole.UserRole + 4
    Status = Qt.ItemDataRole.UserRole + 5
    Fraction = Qt.ItemDataRole.UserRole + 6
    ProgressText = Qt.ItemDataRole.UserRole + 7
    StatusText = Qt.ItemDataRole.UserRole + 8
    Error = Qt.ItemDataRole.UserRole + 9


class DownloadsModel(QAbstractListModel):
    """Every job the queue knows, oldest first.

    Signals:
        summaryChanged(): the counts or the overall progress may have changed (for the status bar).
    """

    summaryChanged = Signal()

    def __init__(self, jobs: Iterable[DownloadJob] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[DownloadJob] = sorted(jobs, key=lambda j: j.created_at)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        job = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, DownloadRole.FileName):
            return file_label(job)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{file_label(job)} from {job.repo_id}: {status_text(job)}"
        values = {
            DownloadRole.Job: job,
            DownloadRole.JobId: job.id,
            DownloadRole.Repo: job.repo_id,
            DownloadRole.Status: str(job.status),
            DownloadRole.Fraction: job.fraction,
            DownloadRole.ProgressText: progress_text(job),
            DownloadRole.StatusText: status_text(job),
            DownloadRole.Error: job.error,
        }
        return values.get(role)  # type: ignore[call-overload]

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names.update({int(r): QByteArray((r.name[0].lower() + r.name[1:]).encode()) for r in DownloadRole})
        return names

    # --- changes -------------------------------------------------------------------------------------------

    def follow(self, bridge: DownloadsBridge) -> None:
        """Take every batch ``bridge`` hands on and drop the jobs it forgets."""
        bridge.jobsChanged.connect(self.apply)
        bridge.jobRemoved.connect(self.remove)

    def apply(self, jobs: Iterable[DownloadJob]) -> None:
        """Take a batch of snapshots: changed rows repaint, new jobs are appended."""
        by_id = {job.id: row for row, job in enumerate(self._rows)}
        for job in jobs:
            row = by_id.get(job.id)
            if row is None:
                row = len(self._rows)
                self.beginInsertRows(QModelIndex(), row, row)
                self._rows.append(job)
                self.endInsertRows()
                by_id[job.id] = row
            elif self._rows[row] != job:
                self._rows[row] = job
                self.dataChanged.emit(self.index(row), self.index(row))
        self.summaryChanged.emit()

    def remove(self, job_id: str) -> None:
        row = self.row_of(job_id)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        self.summaryChanged.emit()

    # --- reading -------------------------------------------------------------------------------------------

    def job(self, row: int) -> DownloadJob:
        return self._rows[row]

    def jobs(self) -> list[DownloadJob]:
        return list(self._rows)

    def row_of(self, job_id: str) -> int | None:
        return next((row for row, job in enumerate(self._rows) if job.id == job_id), None)

    def summary(self) -> tuple[int, float | None, int, int]:
        """(active jobs, their overall fraction or None while sizes are unknown, paused, failed)."""
        active = [j for j in self._rows if j.status in ACTIVE]
        total = sum(j.bytes_total for j in active)
        fraction = sum(j.bytes_done for j in active) / total if total and all(j.bytes_total for j in active) else None
        paused = sum(1 for j in self._rows if j.status is JobStatus.PAUSED)
        failed = sum(1 for j in self._rows if j.status is JobStatus.FAILED)
        return len(active), fraction, paused, failed
