"""The Chat page's list and picker: search, open a hit, rename, duplicate, delete, export; models and badges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot
from test_chat_support import WAIT_MS, Chat, chat, load, send  # noqa: F401 - fixture

from hearth.ui.chat.conversations_model import ConversationRole
from hearth.ui.chat.markdown import render_markdown, split_fences
from hearth.ui.chat.picker_model import PickerRole

pytestmark = pytest.mark.slow


def test_search_finds_an_old_message_and_opens_its_conversation(qtbot: QtBot, chat: Chat, qtmodeltester) -> None:  # noqa: F811
    old = chat.store.create_conversation("Holiday plans")
    chat.store.add_message(old.id, "user", "Which ferry goes to the lighthouse island?")
    other = chat.store.create_conversation("Other")
    chat.page.conversations.refresh_list()
    chat.page.conversations.open(other.id)
    model = chat.page.column.model
    qtmodeltester.check(model)
    chat.page.column.search.setText("lighthou")
    qtbot.waitUntil(lambda: model.searching() and model.rowCount() == 1, timeout=WAIT_MS)
    qtmodeltester.check(model)
    index = model.index(0)
    assert "<b>lighthouse</b>" in index.data(ConversationRole.SnippetHtml)
    with qtbot.waitSignal(chat.page.conversations.opened, timeout=WAIT_MS):
        chat.page.column.view.clicked.emit(index)
    assert chat.page.conversations.current is not None and chat.page.conversations.current.id == old.id
    assert "ferry" in chat.page.view.toPlainText()
    chat.page.column.search.clear()
    qtbot.waitUntil(lambda: not model.searching() and model.rowCount() == 2, timeout=WAIT_MS)


def test_rename_duplicate_delete(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    conversation = chat.store.create_conversation("Draft")
    chat.store.add_message(conversation.id, "user", "hi")
    chat.page.conversations.refresh_list()
    column = chat.page.column
    chat.answers.text = "Renamed chat"
    column.actionRequested.emit("rename", conversation.id)
    qtbot.waitUntil(lambda: chat.store.conversation(conversation.id).title == "Renamed chat", timeout=WAIT_MS)
    column.actionRequested.emit("duplicate", conversation.id)
    qtbot.waitUntil(lambda: column.model.rowCount() == 2, timeout=WAIT_MS)
    assert column.model.index(0).data() == "Renamed chat (copy)"
    chat.answers.confirm = False
    column.actionRequested.emit("delete", conversation.id)
    qtbot.waitUntil(lambda: not chat.page.worker.busy(), timeout=WAIT_MS)
    assert len(chat.store.list_conversations()) == 2
    chat.answers.confirm = True
    column.actionRequested.emit("delete", conversation.id)
    qtbot.waitUntil(lambda: column.model.rowCount() == 1, timeout=WAIT_MS)
    assert [c.title for c in chat.store.list_conversations()] == ["Renamed chat (copy)"]
    assert [a.data() for a in column.menu_for(1).actions() if a.data()] == [
        "rename",
        "duplicate",
        "markdown",
        "json",
        "delete",
    ]


def test_export_markdown_and_json(qtbot: QtBot, chat: Chat, tmp_path: Path) -> None:  # noqa: F811
    conversation = chat.store.create_conversation("Export me")
    chat.store.add_message(conversation.id, "user", "What is 2+2?")
    chat.store.add_message(conversation.id, "assistant", "It is **4**.")
    chat.page.conversations.refresh_list()
    chat.answers.save_path = str(tmp_path / "out.md")
    chat.page.column.actionRequested.emit("markdown", conversation.id)
    qtbot.waitUntil(lambda: not chat.page.worker.busy(), timeout=WAIT_MS)
    text = (tmp_path / "out.md").read_text(encoding="utf-8")
    assert text == chat.store.export_markdown(conversation.id)
    assert "Export me" in text and "What is 2+2?" in text and "It is **4**." in text
    chat.answers.save_path = str(tmp_path / "out.json")
    chat.page.column.actionRequested.emit("json", conversation.id)
    qtbot.waitUntil(lambda: not chat.page.worker.busy(), timeout=WAIT_MS)
    assert json.loads((tmp_path / "out.json").read_text(encoding="utf-8")) == chat.store.export_json(conversation.id)


def test_picker_lists_the_model_with_a_fit_badge(qtbot: QtBot, chat: Chat, qtmodeltester) -> None:  # noqa: F811
    picker = chat.page.loader.picker_model
    qtbot.waitUntil(lambda: picker.rowCount() == 1, timeout=WAIT_MS)
    qtmodeltester.check(picker)
    index = picker.index(0)
    assert index.data() == "tiny-chat-Q8_0"
    assert index.data(PickerRole.Path) == str(chat.model)
    assert index.data(PickerRole.Fit).verdict == "cpu_only"
    assert "CPU only" in index.data(0x0003)  # the tooltip names the verdict
    assert chat.page.stack.currentIndex() == 1  # a model exists: the chat, not the empty state


def test_loading_can_be_cancelled_and_shows_progress(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    chat.page.open_model(str(chat.model))
    assert chat.page.model_bar.cancel_button.isVisible() and "Loading" in chat.page.model_bar.status.text()
    chat.page.model_bar.cancel_button.click()
    qtbot.waitUntil(lambda: not chat.page.loader.loading(), timeout=WAIT_MS)
    # The tiny model may finish loading before the cancel lands: either way the bar is back to normal.
    assert chat.page.model_bar.load_button.isVisible() and not chat.page.model_bar.cancel_button.isVisible()


def test_context_full_offers_to_trim(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    load(qtbot, chat)
    conversation = chat.store.create_conversation("Long")
    for i in range(6):
        chat.store.add_message(conversation.id, "user", f"question {i} " + "hello " * 40)
        chat.store.add_message(conversation.id, "assistant", "answer " * 40)
    chat.page.conversations.refresh_list()
    chat.page.conversations.open(conversation.id)
    chat.page.settings.max_tokens.setValue(16)
    chat.page.composer.input.setPlainText("one more")
    chat.page.composer.button.click()
    banner = chat.page.thread_actions.context_banner
    qtbot.waitUntil(banner.isVisible, timeout=WAIT_MS)
    assert "Trim the oldest turns" in banner.text() and banner.button.text() == "Trim oldest turns"
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        banner.button.click()
    qtbot.waitUntil(lambda: not chat.page.worker.busy(), timeout=WAIT_MS)
    assert chat.store.messages(conversation.id)[-1].status == "complete"  # stored thread untouched, reply made


def test_code_blocks_are_highlighted_with_copy_links(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    text = "Try:\n\n```python\nprint('hi')\n```\n\nand an unfinished\n```sh\necho"
    assert [k for k, _b, _l in split_fences(text)] == ["prose", "code", "prose", "code"]
    rendered = render_markdown(text, 7, dark=False)
    assert rendered.code_blocks == ("print('hi')", "echo")
    assert 'href="copy:7:0"' in rendered.html and 'href="copy:7:1"' in rendered.html
    assert "<span style=" in rendered.html  # pygments colours inline
    conversation = chat.store.create_conversation("Code")
    chat.store.add_message(conversation.id, "assistant", text)
    chat.page.conversations.refresh_list()
    chat.page.conversations.open(conversation.id)
    with qtbot.waitSignal(chat.page.view.copied, timeout=WAIT_MS) as copied:
        chat.page.view.anchorClicked.emit(QUrl(f"copy:{chat.store.messages(conversation.id)[0].id}:0"))
    assert copied.args == ["print('hi')"]
