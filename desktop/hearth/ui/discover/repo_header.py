"""The top of a repo page: back button, the repo's name, its facts in one line, licence and tag chips.

Why tags are filtered: a GGUF repo's tags repeat what the page already says (``gguf``, the architecture,
``region:us``, ``endpoints_compatible``); the chips keep the ones that tell a user something (language, task,
base model family), and the tooltip lists them all.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from hearth.core.hub import ModelSummary, RepoDetails
from hearth.core.hub_errors import HUB_WEB
from hearth.ui.discover.formatting import format_age, format_count, format_params
from hearth.ui.discover.results_model import display_name
from hearth.ui.widgets.chips import ChipRow
from hearth.ui.widgets.labels import text_label

_NOISE_PREFIXES = ("region:", "endpoints_", "base_model:", "license:", "arxiv:", "dataset:", "doi:")
_NOISE = frozenset({"gguf", "autotrain_compatible", "text-generation-inference", "imatrix", "conversational"})
MAX_TAGS = 8


def useful_tags(tags: tuple[str, ...], architecture: str | None) -> list[str]:
    """Tags worth a chip, in the Hub's order, without duplicates of the architecture."""
    skip = _NOISE | {(architecture or "").lower()}
    return [t for t in tags if t.lower() not in skip and not t.startswith(_NOISE_PREFIXES)][:MAX_TAGS]


def facts_line(
    author: str | None,
    parameters: int | None,
    architecture: str | None,
    downloads: int,
    likes: int,
    updated: str | None,
) -> str:
    params = format_params(parameters)
    parts = [
        author,
        f"{params} parameters" if params else None,
        architecture,
        f"↓ {format_count(downloads)} downloads",
        f"♥ {format_count(likes)}",
        f"updated {updated}" if updated else None,
    ]
    return "  ·  ".join(p for p in parts if p)


class RepoHeader(QWidget):
    """Back button, title, facts and chips; filled from the search summary first, then from the repo details.

    Signals:
        backRequested(): the back button was clicked.
    """

    backRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.back_button = QPushButton("←  Back to results")
        self.back_button.setFlat(True)
        self.back_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.back_button.setToolTip("Back to the search results (Esc)")
        self.back_button.clicked.connect(self.backRequested)
        self.title_label = text_label(role="pageTitle", selectable=True)
        self.facts_label = text_label(role="mutedLabel", wrap=True, selectable=True)
        self.link_label = text_label()
        self.link_label.setOpenExternalLinks(True)
        self.link_label.setTextFormat(Qt.TextFormat.RichText)
        self.chips = ChipRow()
        back_row = QHBoxLayout()
        back_row.addWidget(self.back_button)
        back_row.addStretch(1)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label, 1)
        title_row.addWidget(self.link_label, 0, Qt.AlignmentFlag.AlignBottom)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(back_row)
        layout.addLayout(title_row)
        layout.addWidget(self.facts_label)
        layout.addSpacing(2)
        layout.addWidget(self.chips)

    def show_repo(self, repo_id: str, summary: ModelSummary | None, web: str = HUB_WEB) -> None:
        """What is known before the repo's details arrive (from its search result, if any)."""
        self.title_label.setText(display_name(repo_id))
        self.title_label.setToolTip(repo_id)
        url = f"{web.rstrip('/')}/{repo_id}"
        self.link_label.setText(f'<a href="{escape(url)}">Open on Hugging Face ↗</a>')
        self.link_label.setToolTip(url)
        if summary is None:
            self.facts_label.setText(repo_id.split("/", 1)[0] if "/" in repo_id else "")
            self.chips.set_chips([])
            return
        age = format_age(summary.last_modified)
        line = facts_line(
            summary.author, summary.parameters, summary.architecture, summary.downloads, summary.likes, age
        )
        self.facts_label.setText(line)
        self.chips.set_chips(["Gated"] if summary.gated else [])

    def show_details(self, details: RepoDetails) -> None:
        author = details.repo_id.split("/", 1)[0] if "/" in details.repo_id else None
        age = format_age(details.last_modified)
        line = facts_line(author, details.parameters, details.architecture, details.downloads, details.likes, age)
        self.facts_label.setText(line)
        chips = [f"Licence: {details.license}"] if details.license else ["No licence stated"]
        chips += ["Gated"] if details.gated else []
        self.chips.set_chips(chips + useful_tags(details.tags, details.architecture))
