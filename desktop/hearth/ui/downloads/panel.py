"""The "Downloads" card at the top of the Library: one row per job, collapsible, hidden when there are none.

Why in the Library: a download ends as a model in this list, so the user watches it arrive where it will be
used. The panel follows :class:`DownloadsModel` (rows inserted, changed, removed) and sends button clicks to
the :class:`DownloadsBridge`; it never touches the queue's threads.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QToolButton, QVBoxLayout, QWidget

from hearth.core.downloads import JobStatus
from hearth.ui.downloads.bridge import DownloadsBridge
from hearth.ui.downloads.formatting import summary_text
from hearth.ui.downloads.model import DownloadsModel
from hearth.ui.downloads.row import DownloadRow
from hearth.ui.widgets.labels import styled, text_label

Index = QModelIndex | QPersistentModelIndex
_FINISHED = (JobStatus.DONE, JobStatus.CANCELLED)


class DownloadsPanel(QFrame):
    """A card listing every job of ``model``; buttons act through ``bridge``."""

    def __init__(self, model: DownloadsModel, bridge: DownloadsBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        styled(self, "card")
        self.model = model
        self._bridge = bridge
        self.rows: dict[str, DownloadRow] = {}
        self._expanded = True
        self.toggle = QToolButton()  # not checkable: a checked auto-raise button is drawn sunken
        self.toggle.setAutoRaise(True)
        self.toggle.setArrowType(Qt.ArrowType.DownArrow)
        self.toggle.setCursor(Qt.CursorShape.PointingHandCursor)
        self.toggle.setAccessibleName("Show or hide downloads")
        self.toggle.clicked.connect(lambda: self.set_expanded(not self._expanded))
        self.title_label = text_label("Downloads", "cardTitle")
        self.summary_label = text_label(role="mutedLabel")
        self.clear_button = QPushButton("Clear finished")
        self.clear_button.clicked.connect(self.clear_finished)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.toggle)
        header.addWidget(self.title_label)
        header.addWidget(self.summary_label, 1)
        header.addWidget(self.clear_button)
        self.body = QWidget()
        self._rows_layout = QVBoxLayout(self.body)
        self._rows_layout.setContentsMargins(26, 0, 0, 0)
        self._rows_layout.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 10, 16, 10)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.body)

        model.rowsInserted.connect(self._rows_inserted)
        model.rowsRemoved.connect(lambda *_: self._sync())
        model.modelReset.connect(self._sync)
        model.dataChanged.connect(self._data_changed)
        model.summaryChanged.connect(self._refresh_header)
        self._sync()

    def set_expanded(self, expanded: bool) -> None:
        """Collapse to the header line (the summary stays visible) or show every row."""
        self._expanded = expanded
        self.toggle.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    def is_expanded(self) -> bool:
        return self._expanded

    def clear_finished(self) -> None:
        for job in self.model.jobs():
            if job.status in _FINISHED:
                self._bridge.remove(job.id)

    def row(self, job_id: str) -> DownloadRow:
        return self.rows[job_id]

    # --- following the model -------------------------------------------------------------------------------

    def _rows_inserted(self, _parent: Index, first: int, last: int) -> None:
        for row in range(first, last + 1):
            self._add_row(row)
        self._refresh_header()

    def _add_row(self, row: int) -> None:
        job = self.model.job(row)
        widget = DownloadRow(job)
        widget.actionRequested.connect(self._act)
        self.rows[job.id] = widget
        self._rows_layout.insertWidget(row, widget)

    def _data_changed(self, top_left: Index, bottom_right: Index, _roles: object = None) -> None:
        for row in range(top_left.row(), bottom_right.row() + 1):
            job = self.model.job(row)
            if job.id in self.rows:
                self.rows[job.id].show_job(job)
        self._refresh_header()

    def _sync(self) -> None:
        """Rebuild the rows after a removal or reset (rare: a few widgets at most)."""
        wanted = {job.id for job in self.model.jobs()}
        for job_id in [j for j in self.rows if j not in wanted]:
            widget = self.rows.pop(job_id)
            self._rows_layout.removeWidget(widget)
            widget.deleteLater()
        for row, job in enumerate(self.model.jobs()):
            if job.id not in self.rows:
                self._add_row(row)
            else:
                self.rows[job.id].show_job(job)
        self._refresh_header()

    def _refresh_header(self) -> None:
        jobs = self.model.jobs()
        self.setVisible(bool(jobs))
        text = summary_text(*self.model.summary())
        self.summary_label.setText(f"·  {text}" if text else "")
        self.clear_button.setVisible(any(j.status in _FINISHED for j in jobs))

    def _act(self, job_id: str, action: str) -> None:
        if action == "clear":
            self._bridge.remove(job_id)
            return
        command = {"pause": self._bridge.pause, "resume": self._bridge.resume, "retry": self._bridge.retry}
        command.get(action, self._bridge.cancel)(job_id)
