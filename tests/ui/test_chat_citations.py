"""Chat answers from picked collections: passages in the prompt, numbered sources under the reply, the viewer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot
from test_chat_support import WAIT_MS, make_model, settle
from test_documents_support import write_folder

from hearth.core.chat import ConversationStore
from hearth.core.docs.collections import CollectionSpec
from hearth.core.engine import EngineClient
from hearth.core.load_settings import LoadSettings
from hearth.core.paths import AppPaths
from hearth.ui.chat.citations import SourcesLog
from hearth.ui.chat.message_html import Look
from hearth.ui.chat.page import ChatPage
from hearth.ui.chat.source_viewer import SourceViewer
from hearth.ui.documents.services import DocsServices

pytestmark = pytest.mark.slow


@dataclass
class Cited:
    page: ChatPage
    engine: EngineClient
    store: ConversationStore
    docs: DocsServices
    folder: Path
    prompts: list[list[dict[str, Any]]]
    viewers: list[SourceViewer]


@pytest.fixture
def cited(qtbot: QtBot, tmp_path: Path, hearth_paths: AppPaths) -> Iterator[Cited]:
    model = make_model(tmp_path / "models")
    folder = write_folder(tmp_path / "notes")
    docs = DocsServices(hearth_paths)
    docs.save(CollectionSpec("notes", (str(folder),)))
    docs.index("notes")  # set-up on the test thread; the page's own indexing is tested in test_documents.py
    engine = EngineClient()
    prompts: list[list[dict[str, Any]]] = []
    generate = engine.generate

    def recording(messages: Any, sampling: Any = None) -> Any:
        prompts.append([dict(m) for m in messages])
        return generate(messages, sampling)

    engine.generate = recording  # type: ignore[method-assign]
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    viewers: list[SourceViewer] = []
    page = ChatPage(
        engine, store, None, settings_for=lambda _p, _t: LoadSettings(n_ctx=512), docs=docs, show_source=viewers.append
    )
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    try:
        with qtbot.waitSignal(page.loader.loaded, timeout=WAIT_MS):
            page.open_model(str(model))
        page.set_collections(["notes"])
        yield Cited(page, engine, store, docs, folder, prompts, viewers)
    finally:
        for viewer in viewers:
            viewer.close()
        page.shutdown()
        engine.shutdown()
        store.close()
        docs.close()


def ask(qtbot: QtBot, cited: Cited, text: str) -> None:
    cited.page.settings.max_tokens.setValue(12)
    cited.page.composer.input.setPlainText(text)
    with qtbot.waitSignal(cited.page.replies.finished, timeout=WAIT_MS):
        cited.page.composer.button.click()
    settle(qtbot, cited)  # type: ignore[arg-type]


def pick(cited: Cited, name: str) -> None:
    action = cited.page.collection_picker._actions[name]
    action.setChecked(True)
    assert cited.page.collection_picker.picked() == (name,)
    assert cited.page.collection_picker.button.text() == name


def test_answer_cites_the_passage_and_opens_the_viewer(qtbot: QtBot, cited: Cited) -> None:
    pick(cited, "notes")
    ask(qtbot, cited, "When must the Zephyrion statement be paid?")
    question = cited.prompts[-1][-1]
    assert question["role"] == "user"
    assert "[1] finance/invoices.txt" in question["content"] and "thirty days after receipt" in question["content"]
    assert "Cite the excerpts" in question["content"] and question["content"].endswith("be paid?")
    assert cited.page.collection_picker.picked() == ("notes",)  # the new conversation kept the pick
    cid = cited.store.list_conversations()[0].id
    user, reply = cited.store.messages(cid)
    assert user.content == "When must the Zephyrion statement be paid?"  # the store keeps the user's words
    shown = cited.page.view.toPlainText()
    assert "Sources" in shown and "[1] invoices.txt, line" in shown
    assert f'href="source:{reply.id}:1"' in cited.page.view.toHtml()

    cited.page.view.anchorClicked.emit(QUrl(f"source:{reply.id}:1"))
    assert len(cited.viewers) == 1
    viewer = cited.viewers[0]
    assert "thirty days after receipt" in viewer.highlighted_text()
    assert "#ffe58a" in viewer.text.toHtml()
    opened: list[QUrl] = []
    viewer._open_url = lambda url: opened.append(url) or True
    viewer.open_button.click()
    assert opened == [QUrl.fromLocalFile(str(cited.folder / "finance" / "invoices.txt"))]


def test_sources_survive_a_restart(qtbot: QtBot, cited: Cited) -> None:
    """The sources are saved with the reply: a fresh log (a new session) shows them from the store alone."""
    pick(cited, "notes")
    ask(qtbot, cited, "When must the Zephyrion statement be paid?")
    cid = cited.store.list_conversations()[0].id
    reply = cited.store.messages(cid)[-1]
    assert reply.stats.sources is not None
    assert reply.stats.sources[0]["relative_path"] == "finance/invoices.txt"
    look = Look(dark=False, text="#000", muted="#666", link="#00f", bubble="#eee", error="#f00")
    fresh = SourcesLog()
    shown = fresh.html_for(reply, look)
    assert "[1] invoices.txt, line" in shown and f"source:{reply.id}:1" in shown
    restored = fresh.get(reply.id)
    assert restored is not None and "thirty days after receipt" in restored.passages[0].text


def test_no_match_shows_a_note_and_sends_no_passages(qtbot: QtBot, cited: Cited) -> None:
    pick(cited, "notes")
    ask(qtbot, cited, "quantum chromodynamics lattice")
    assert "excerpts" not in cited.prompts[-1][-1]["content"]
    shown = cited.page.view.toPlainText()
    assert "No passages in notes matched; answering without documents." in shown
    assert "Sources" not in shown


def test_without_picks_the_prompt_is_unchanged(qtbot: QtBot, cited: Cited) -> None:
    ask(qtbot, cited, "When must the Zephyrion statement be paid?")
    assert cited.prompts[-1][-1]["content"] == "When must the Zephyrion statement be paid?"
    assert "Sources" not in cited.page.view.toPlainText()
