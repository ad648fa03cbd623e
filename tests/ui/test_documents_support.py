"""A Documents page on the real core (bundled WordLlama, Chroma, FTS5) over a small generated folder.

No tests here: ``test_documents.py`` and ``test_chat_citations.py`` import the fixture and helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hearth.core.paths import AppPaths
from hearth.ui.documents.collection_dialog import CollectionDialog
from hearth.ui.documents.page import DocumentsPage
from hearth.ui.documents.services import DocsServices

WAIT_MS = 60_000
FILES = {
    "garden/tomatoes.md": "# Growing tomatoes\n\nTomato plants need six hours of direct sunlight every day.\n"
    "Water the soil deeply twice a week and stake the stems.\n",
    "finance/invoices.txt": "Supplier notes\n\nThe quarterly statement from Zephyrion Logistics lists pallets "
    "shipped to Rotterdam.\nPayment terms are thirty days after receipt of the statement.\n",
    "sky/stars.txt": "Stargazing\n\nA small telescope shows the rings of Saturn and the moons of Jupiter.\n",
    "kitchen/bread.md": "# Baking bread\n\nKnead the dough for ten minutes until it is smooth and elastic.\n",
}


def write_folder(folder: Path) -> Path:
    for rel, text in FILES.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    return folder


@dataclass
class Docs:
    page: DocumentsPage
    services: DocsServices
    folder: Path
    confirm: list[str] = field(default_factory=list)
    answer: bool = True


@pytest.fixture
def docs(qtbot: QtBot, tmp_path: Path, hearth_paths: AppPaths) -> Iterator[Docs]:
    folder = write_folder(tmp_path / "notes")
    services = DocsServices(hearth_paths)
    state = Docs(None, services, folder)  # type: ignore[arg-type]

    def confirm(_parent: object, _title: str, text: str) -> bool:
        state.confirm.append(text)
        return state.answer

    page = DocumentsPage(services, choose_folder=lambda _p: str(folder), run_dialog=lambda _d: True, confirm=confirm)
    state.page = page
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    try:
        yield state
    finally:
        assert page.shutdown()
        services.close()


def add_and_index(qtbot: QtBot, docs: Docs, name: str = "notes") -> None:
    """Add ``docs.folder`` through the empty state (the injected chooser answers), then Index now."""
    page = docs.page
    qtbot.waitUntil(lambda: not page.controller._tasks or all(not t.running() for t in page.controller._tasks))
    with qtbot.waitSignal(page.controller.saved, timeout=WAIT_MS):
        page.empty_state.action_button.click()
    assert page.selected_name() == name
    with qtbot.waitSignal(page.queue.finished, timeout=WAIT_MS):
        page.detail.index_button.click()
    qtbot.waitUntil(lambda: "chunks" in page.detail.status.text() and "indexed" in page.detail.status.text(),
                    timeout=WAIT_MS)  # fmt: skip


__all__ = ["CollectionDialog", "Docs", "add_and_index", "docs"]
