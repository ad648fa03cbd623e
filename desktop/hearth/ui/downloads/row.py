"""One download as a row of real widgets: name, repo and bytes, a slim progress line, speed or state, buttons.

Why widgets and not a delegate: a user has a handful of downloads at a time, and real buttons get keyboard focus,
screen-reader names and tooltips for free; updates arrive at most four times a second, so a few ``setText``
calls per row cost nothing.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from hearth.core.downloads import DownloadJob, JobStatus
from hearth.ui.downloads.formatting import file_label, progress_text, status_text
from hearth.ui.widgets.labels import text_label
from hearth.ui.widgets.progress_line import ProgressLine

# Which buttons a job in each state offers, in order.
ACTIONS: dict[JobStatus, tuple[str, ...]] = {
    JobStatus.QUEUED: ("pause", "cancel"),
    JobStatus.RUNNING: ("pause", "cancel"),
    JobStatus.PAUSED: ("resume", "cancel"),
    JobStatus.FAILED: ("retry", "cancel"),
    JobStatus.DONE: ("clear",),
    JobStatus.CANCELLED: ("clear",),
}
_LABELS = {"pause": "Pause", "resume": "Resume", "retry": "Retry", "cancel": "Cancel", "clear": "Clear"}
_TIPS = {
    "pause": "Stop for now; the part downloaded so far is kept",
    "resume": "Continue from where it stopped",
    "retry": "Try again from where it stopped",
    "cancel": "Stop and delete the part downloaded so far",
    "clear": "Remove from this list (the model stays in your Library)",
}
_TONES = {JobStatus.RUNNING: "accent", JobStatus.DONE: "accent", JobStatus.FAILED: "failed"}


class DownloadRow(QWidget):
    """Shows one :class:`DownloadJob`; :meth:`show_job` refreshes it from a newer snapshot.

    Signals:
        actionRequested(str, str): the job id and ``"pause"``, ``"resume"``, ``"retry"``, ``"cancel"`` or
            ``"clear"``.
    """

    actionRequested = Signal(str, str)

    def __init__(self, job: DownloadJob, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job_id = job.id
        self.name_label = text_label()
        bold = QFont(self.name_label.font())
        bold.setWeight(QFont.Weight.DemiBold)
        self.name_label.setFont(bold)
        self.detail_label = text_label(role="mutedLabel")
        self.status_label = text_label(role="mutedLabel", selectable=True)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error_label = text_label(role="errorLabel", wrap=True, selectable=True)
        self.progress = ProgressLine()
        self.buttons: dict[str, QPushButton] = {}
        button_row = QHBoxLayout()
        button_row.setSpacing(6)
        for action, label in _LABELS.items():
            button = QPushButton(label)
            button.setToolTip(_TIPS[action])
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _=False, a=action: self.actionRequested.emit(self.job_id, a))
            self.buttons[action] = button
            button_row.addWidget(button)

        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.name_label)
        text.addWidget(self.detail_label)
        top = QHBoxLayout()
        top.setSpacing(12)
        top.addLayout(text, 1)
        top.addLayout(button_row)
        bottom = QHBoxLayout()
        bottom.setSpacing(12)
        bottom.addWidget(self.progress, 1)
        bottom.addWidget(self.status_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 6)
        layout.setSpacing(6)
        layout.addLayout(top)
        layout.addLayout(bottom)
        layout.addWidget(self.error_label)
        self.show_job(job)

    def show_job(self, job: DownloadJob) -> None:
        failed = job.status is JobStatus.FAILED
        self.name_label.setText(file_label(job))
        self.name_label.setToolTip("\n".join(job.files))
        bytes_text = progress_text(job)
        self.detail_label.setText(f"{job.repo_id} · {bytes_text}" if bytes_text else job.repo_id)
        self.status_label.setText("" if failed else status_text(job))
        self.status_label.setVisible(not failed)
        self.error_label.setText(status_text(job) if failed else "")
        self.error_label.setVisible(failed)
        self.progress.set_fraction(job.fraction)
        self.progress.set_tone(_TONES.get(job.status, "muted"))
        self.progress.setVisible(job.status is not JobStatus.DONE)
        wanted = ACTIONS[job.status]
        for action, button in self.buttons.items():
            button.setVisible(action in wanted)
        self.setAccessibleName(f"{file_label(job)}, {status_text(job)}")
