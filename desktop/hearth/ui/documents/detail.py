"""The selected collection: its status and actions, live index progress, skipped files and a test search.

Why one panel beside the list: a user indexes, checks what was skipped and tries a question in one place, before
trusting the collection in a chat.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from hearth.core.docs.index import IndexProgress
from hearth.core.docs.retriever import Passage
from hearth.core.docs.types import SkippedFile
from hearth.ui.documents.collections_model import summary
from hearth.ui.documents.services import CollectionStatus
from hearth.ui.widgets.labels import error_label, styled, text_label
from hearth.ui.widgets.progress_line import ProgressLine


def progress_text(p: IndexProgress, paused: bool) -> str:
    """``12 of 40 files · 310 chunks · 85 chunks/s · about 20 s left``."""
    parts = [f"{p.files_done} of {p.files_total} files", f"{p.chunks} chunks"]
    if paused:
        parts.append("paused")
    else:
        parts.append(f"{p.chunks_per_s:.0f} chunks/s")
        if p.eta_s is not None and p.files_done < p.files_total:
            parts.append(f"about {p.eta_s:.0f} s left" if p.eta_s < 120 else f"about {p.eta_s / 60:.0f} min left")
    return " · ".join(parts)


def passage_item_text(rank: int, passage: Passage) -> str:
    snippet = " ".join(passage.text.split())
    snippet = snippet if len(snippet) <= 220 else snippet[:219] + "…"
    return f"[{rank}] {passage.location()}  ·  score {passage.score:.3f}\n{snippet}"


class CollectionDetail(QFrame):
    """Widgets only; the page connects the buttons and feeds the state."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        styled(self, "card")
        self.title = text_label("", "cardTitle", wrap=True)
        self.folders = text_label("", "mutedLabel", wrap=True, selectable=True)
        self.status = text_label("", wrap=True)
        self.index_button = QPushButton("Index now")
        self.index_button.setProperty("primary", True)
        self.edit_button = QPushButton("Edit…")
        self.remove_button = QPushButton("Remove…")
        self.watch = QCheckBox("Watch for changes")
        self.watch.setToolTip("Re-index changed files while Hearth is open")
        self.progress = ProgressLine()
        self.progress.setAccessibleName("Indexing progress")
        self.progress_label = text_label("", "mutedLabel")
        self.pause_button = QPushButton("Pause")
        self.cancel_button = QPushButton("Cancel")
        self.error = error_label()
        self.skipped_title = text_label("", "fieldHint")
        self.skipped = QListWidget()
        self.skipped.setAccessibleName("Skipped files")
        self.search = styled(QLineEdit(), "searchField")
        self.search.setPlaceholderText("Try a question, e.g. “when is the invoice due?”")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Test search")
        self.results = QListWidget()
        self.results.setAccessibleName("Matching passages")
        self.results.setWordWrap(True)
        self.results.setSpacing(4)
        self.search_note = text_label("", "mutedLabel", wrap=True)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        for button in (self.index_button, self.edit_button, self.remove_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.watch)
        self.progress_row = QWidget()
        row = QHBoxLayout(self.progress_row)
        row.setContentsMargins(0, 0, 0, 0)
        column = QVBoxLayout()
        column.setSpacing(4)
        column.addWidget(self.progress)
        column.addWidget(self.progress_label)
        row.addLayout(column, 1)
        row.addWidget(self.pause_button, 0, Qt.AlignmentFlag.AlignVCenter)
        row.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.progress_row.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 16, 18, 16)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addWidget(self.folders)
        layout.addWidget(self.status)
        layout.addLayout(actions)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.error)
        layout.addWidget(self.skipped_title)
        layout.addWidget(self.skipped)
        layout.addSpacing(6)
        layout.addWidget(text_label("Test a question", "fieldHint"))
        layout.addWidget(self.search)
        layout.addWidget(self.search_note)
        layout.addWidget(self.results, 1)

    def show_status(self, status: CollectionStatus) -> None:
        self.title.setText(status.name)
        self.folders.setText("\n".join(status.spec.folders))
        self.status.setText(summary(status))
        self.watch.blockSignals(True)
        self.watch.setChecked(status.watching)
        self.watch.blockSignals(False)

    def show_progress(self, progress: IndexProgress | None, paused: bool = False) -> None:
        """None hides the progress row; a snapshot shows it (an unknown total as an empty track)."""
        running = progress is not None
        self.progress_row.setVisible(running)
        self.index_button.setEnabled(not running)
        self.index_button.setText("Indexing…" if running else "Index now")
        if progress is None:
            return
        total = progress.files_total
        self.progress.set_fraction(progress.files_done / total if total else None)
        self.progress.set_tone("muted" if paused else "accent")
        self.progress_label.setText(progress_text(progress, paused))
        self.pause_button.setText("Resume" if paused else "Pause")

    def show_skipped(self, skipped: Sequence[SkippedFile]) -> None:
        self.skipped.clear()
        for item in skipped:
            self.skipped.addItem(f"{item.path} — {item.reason}")
        count = len(skipped)
        self.skipped_title.setText(f"Skipped {count} file{'s' if count != 1 else ''}" if count else "")
        self.skipped_title.setVisible(bool(count))
        row = self.skipped.sizeHintForRow(0) if count else 0
        self.skipped.setFixedHeight(min(count, 4) * row + 2 * self.skipped.frameWidth() + 4)
        self.skipped.setVisible(bool(count))

    def show_results(self, query: str, passages: Sequence[Passage]) -> None:
        self.results.clear()
        for rank, passage in enumerate(passages, start=1):
            item = QListWidgetItem(passage_item_text(rank, passage))
            item.setToolTip(passage.path)
            item.setData(Qt.ItemDataRole.UserRole, passage)
            self.results.addItem(item)
        if query and not passages:
            self.search_note.setText(f"Nothing in this collection matches “{query}”. Try other words, or index it.")
        else:
            self.search_note.setText("")
        self.search_note.setVisible(bool(self.search_note.text()))
