"""The Documents page over the real core: add, index with progress, skipped files, test search, watch, remove."""

from __future__ import annotations

import itertools
import time

from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from test_documents_support import WAIT_MS, CollectionDialog, Docs, add_and_index, docs  # noqa: F401 - fixture

from hearth.core.docs.index import IndexProgress


def test_empty_state_explains_and_offers_a_folder(docs: Docs) -> None:  # noqa: F811
    page = docs.page
    assert page.stack.currentWidget() is page.empty_state
    assert page.empty_state.action_button.text() == "Add a folder"
    assert "Nothing leaves your computer" in page.empty_state.text_label.text()


def test_add_index_search_and_remove(qtbot: QtBot, docs: Docs, qtmodeltester: ModelTester) -> None:  # noqa: F811
    page = docs.page
    qtmodeltester.check(page.model)
    shown: list[IndexProgress] = []
    page.queue.progress.connect(lambda _n, p: shown.append(p))
    add_and_index(qtbot, docs)
    qtmodeltester.check(page.model)
    assert page.stack.currentWidget() is page.listing
    assert shown and shown[-1].files_done == shown[-1].files_total == 5
    assert not page.detail.progress_row.isVisible()
    assert "4 files" in page.detail.status.text() and "1 skipped" in page.detail.status.text()
    qtbot.waitUntil(lambda: page.detail.skipped.count() == 1, timeout=WAIT_MS)
    assert page.detail.skipped.item(0).text().startswith("photo.txt — ")
    assert "binary" in page.detail.skipped.item(0).text()

    page.detail.search.setText("When must the Zephyrion statement be paid?")
    with qtbot.waitSignal(page.controller.searched, timeout=WAIT_MS):
        page.detail.search.returnPressed.emit()
    first = page.detail.results.item(0).text()
    assert first.startswith("[1] finance/invoices.txt") and "score" in first and "thirty days" in first

    page.detail.search.setText("quantum chromodynamics lattice")
    with qtbot.waitSignal(page.controller.searched, timeout=WAIT_MS):
        page.detail.search.returnPressed.emit()
    assert page.detail.results.count() == 0 and "Nothing in this collection matches" in page.detail.search_note.text()

    sqlite = docs.services.store.sqlite_path(docs.services.store.get("notes"))
    assert sqlite.is_file()
    with qtbot.waitSignal(page.controller.removed, timeout=WAIT_MS):
        page.detail.remove_button.click()
    assert "your files are not touched" in docs.confirm[0].lower()
    assert not sqlite.exists() and docs.services.store.list() == []
    assert all((docs.folder / rel).is_file() for rel in ("garden/tomatoes.md", "finance/invoices.txt", "photo.txt"))
    assert page.stack.currentWidget() is page.empty_state
    assert "not touched" in page.status_line.text()


def test_progress_pause_and_cancel(qtbot: QtBot, docs: Docs) -> None:  # noqa: F811
    for i in range(300):
        (docs.folder / f"note-{i:03d}.txt").write_text(f"Note {i}: the committee filed report {i}.\n" * 20)
    page = docs.page
    with qtbot.waitSignal(page.controller.saved, timeout=WAIT_MS):
        page.empty_state.action_button.click()
    page.queue.set_paused(True)  # paused before it starts: the run waits at its first file
    with qtbot.waitSignal(page.queue.started, timeout=WAIT_MS):
        page.detail.index_button.click()
    assert page.detail.progress_row.isVisible() and page.detail.pause_button.text() == "Resume"
    assert not page.detail.index_button.isEnabled()
    with qtbot.waitSignal(page.queue.finished, timeout=WAIT_MS) as blocker:
        page.detail.cancel_button.click()
    assert blocker.args[1].cancelled
    qtbot.waitUntil(lambda: "Stopped indexing" in page.status_line.text(), timeout=WAIT_MS)


def test_progress_updates_are_coalesced(qtbot: QtBot, docs: Docs) -> None:  # noqa: F811
    for i in range(200):
        (docs.folder / f"note-{i:03d}.txt").write_text(f"Note {i}: the committee filed report {i}.\n")
    page = docs.page
    emitted: list[float] = []
    page.queue.progress.connect(lambda *_a: emitted.append(time.monotonic()))
    add_and_index(qtbot, docs)
    gaps = [b - a for a, b in itertools.pairwise(emitted)]
    assert all(g >= 0.2 for g in gaps[:-1])  # the last one is the final flush on completion


def test_watching_reindexes_a_changed_file(qtbot: QtBot, docs: Docs) -> None:  # noqa: F811
    page = docs.page
    page.watchers._debounce_s = 0.2
    add_and_index(qtbot, docs)
    with qtbot.waitSignal(page.controller.statusReady, timeout=WAIT_MS):
        page.detail.watch.setChecked(True)
    assert page.watchers.watching("notes") and "watching" in page.detail.status.text()
    with qtbot.waitSignal(page.queue.finished, timeout=WAIT_MS):
        (docs.folder / "sky" / "comets.txt").write_text("Halley's comet returns every seventy-six years.\n")
    qtbot.waitUntil(lambda: "5 files" in page.detail.status.text(), timeout=WAIT_MS)
    page.detail.watch.setChecked(False)
    assert not page.watchers.watching("notes")


def test_edit_changes_filters_and_keeps_the_collection(qtbot: QtBot, docs: Docs) -> None:  # noqa: F811
    page = docs.page
    add_and_index(qtbot, docs)

    def fill(dialog: CollectionDialog) -> bool:
        assert dialog.name.text() == "notes" and dialog.folder_list() == [str(docs.folder)]
        assert dialog.embedder.currentText() == "WordLlama (offline, built in)"
        dialog.exclude.setText("sky, *.bin")
        return dialog.problem() is None

    page._run_dialog = fill
    with qtbot.waitSignal(page.controller.saved, timeout=WAIT_MS):
        page.detail.edit_button.click()
    spec = docs.services.store.get("notes")
    assert spec.exclude[-2:] == ("sky", "*.bin") and spec.extra.get("last_indexed")
    with qtbot.waitSignal(page.queue.finished, timeout=WAIT_MS) as blocker:
        page.detail.index_button.click()
    assert blocker.args[1].files_removed == 1  # sky/stars.txt left the collection; the file itself stays
    assert (docs.folder / "sky" / "stars.txt").is_file()


def test_dialog_refuses_an_empty_or_taken_name(qtbot: QtBot, docs: Docs) -> None:  # noqa: F811
    dialog = CollectionDialog(taken=["notes"], choose_folder=lambda _p: str(docs.folder))
    qtbot.addWidget(dialog)
    assert dialog.problem() == "Give the collection a name."
    dialog.choose_folder()
    assert dialog.name.text() == "notes" and dialog.problem() == "There is already a collection named notes."
    dialog.name.setText("Home notes")
    assert dialog.problem() is None and dialog.spec().folders == (str(docs.folder),)
