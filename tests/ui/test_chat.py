"""The Chat page against the real engine: streaming, stats, stop, regenerate, edit, crash and reload."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from test_chat_support import WAIT_MS, Chat, chat, load, send, settle  # noqa: F401 - fixture

from hearth.core.chat import SamplingSettings
from hearth.core.engine.worker import TOKEN_DELAY_ENV
from hearth.testing.gguf_factory import CHATML_TEMPLATE, TinyModelSpec, write_tiny_model

pytestmark = pytest.mark.slow


def test_send_streams_and_shows_stats(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    load(qtbot, chat)
    assert "CPU · " in chat.page.model_bar.status.text() and "thread" in chat.page.model_bar.status.text()
    chat.page.composer.input.setPlainText("hello there")
    texts: list[str] = []
    chat.page.replies.text.connect(texts.append)
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        chat.page.composer.button.click()
        qtbot.waitUntil(lambda: bool(texts), timeout=WAIT_MS)  # text streams before the reply ends
    settle(qtbot, chat)
    conversation = chat.store.list_conversations()[0]
    assert conversation.title == "hello there"  # auto-title from the first message
    user, reply = chat.store.messages(conversation.id)
    assert (user.content, reply.role, reply.status) == ("hello there", "assistant", "complete")
    assert reply.content and reply.stats.completion_tokens and reply.stats.tokens_per_s
    shown = chat.page.view.toPlainText()
    assert "s to first token" in shown and "tok/s" in shown and f"{reply.stats.completion_tokens} tokens" in shown
    assert "/ 512 tokens" in chat.page.model_bar.context_label.text()
    assert not chat.page.model_bar.context_label.text().startswith("0 ")


def test_stop_saves_the_partial_reply(qtbot: QtBot, chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setenv(TOKEN_DELAY_ENV, "0.02")
    load(qtbot, chat)
    chat.page.settings.max_tokens.setValue(400)
    chat.page.composer.input.setPlainText("tell me a long story")
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        chat.page.composer.button.click()
        qtbot.waitUntil(lambda: chat.page.composer.button.text() == "Stop", timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: chat.page.replies.current is not None and bool(chat.page.replies.current.text), timeout=WAIT_MS
        )
        chat.page.composer.button.click()  # Stop
    settle(qtbot, chat)
    reply = chat.store.messages(chat.store.list_conversations()[0].id)[-1]
    assert reply.status == "interrupted" and reply.stats.finish_reason == "cancelled"
    assert reply.content and reply.stats.completion_tokens < 400
    assert "stopped" in chat.page.view.toPlainText() and "Continue" in chat.page.view.toPlainText()
    assert chat.page.composer.button.text() == "Send"


def test_regenerate_keeps_the_old_reply_as_a_branch(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    load(qtbot, chat)
    send(qtbot, chat, "hello")
    cid = chat.store.list_conversations()[0].id
    first = chat.store.messages(cid)[-1]
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        chat.page.view.actionRequested.emit("regenerate", first.id)
    settle(qtbot, chat)
    thread = chat.store.messages(cid)
    assert len(thread) == 2 and thread[-1].id != first.id
    assert [m.id for m in chat.store.branches(thread[-1].id)] == [first.id, thread[-1].id]
    assert "2/2" in chat.page.view.toPlainText()
    chat.page.view.actionRequested.emit("branch", first.id)  # the switcher's "previous"
    qtbot.waitUntil(lambda: chat.store.messages(cid)[-1].id == first.id, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "1/2" in chat.page.view.toPlainText(), timeout=WAIT_MS)


def test_continue_extends_the_reply_as_a_new_branch(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    """The engine gets the reply so far inside the open assistant turn (tests/core/test_engine.py checks the
    prompt); here: the continued reply keeps the old text, adds to it, and the cut one stays as a branch."""
    load(qtbot, chat)
    send(qtbot, chat, "hello", max_tokens=4)
    cid = chat.store.list_conversations()[0].id
    cut = chat.store.messages(cid)[-1]
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        chat.page.view.actionRequested.emit("continue", cut.id)
    settle(qtbot, chat)
    continued = chat.store.messages(cid)[-1]
    assert continued.id != cut.id and [m.id for m in chat.store.branches(continued.id)] == [cut.id, continued.id]
    assert continued.content.startswith(cut.content) and len(continued.content) > len(cut.content)
    assert continued.stats.completion_tokens == 4  # the new tokens only


def test_edit_replaces_later_messages(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    load(qtbot, chat)
    send(qtbot, chat, "first question")
    send(qtbot, chat, "second question")
    cid = chat.store.list_conversations()[0].id
    old = chat.store.messages(cid)
    chat.page.view.actionRequested.emit("edit", old[0].id)
    assert chat.page.composer.input.toPlainText() == "first question"
    chat.page.composer.input.setPlainText("a better first question")
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        chat.page.composer.button.click()
    settle(qtbot, chat)
    thread = chat.store.messages(cid)
    assert [m.role for m in thread] == ["user", "assistant"]
    assert thread[0].content == "a better first question"
    assert {m.id for m in chat.store.all_messages(cid)} >= {m.id for m in old}  # the old branch is kept
    assert "a better first question" in chat.page.view.toPlainText()
    assert "second question" not in chat.page.view.toPlainText()


def test_engine_crash_keeps_the_partial_reply_and_reload_works(
    qtbot: QtBot,
    chat: Chat,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(TOKEN_DELAY_ENV, "0.02")
    load(qtbot, chat)
    chat.page.settings.max_tokens.setValue(400)
    chat.page.composer.input.setPlainText("keep talking")
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        chat.page.composer.button.click()
        qtbot.waitUntil(
            lambda: chat.page.replies.current is not None and len(chat.page.replies.current.text) > 5, timeout=WAIT_MS
        )
        os.kill(chat.engine.pid or 0, signal.SIGKILL)
    settle(qtbot, chat)
    assert chat.page.banner.isVisible()
    assert "stopped unexpectedly" in chat.page.banner.text() and "conversation is safe" in chat.page.banner.text()
    assert chat.page.banner.button.text() == "Reload"
    reply = chat.store.messages(chat.store.list_conversations()[0].id)[-1]
    assert reply.status == "interrupted" and len(reply.content) > 5
    monkeypatch.delenv(TOKEN_DELAY_ENV)
    with qtbot.waitSignal(chat.page.loader.loaded, timeout=WAIT_MS):
        chat.page.banner.button.click()
    assert not chat.page.banner.isVisible()
    chat.page.settings.max_tokens.setValue(8)
    send(qtbot, chat, "are you back?")
    assert chat.store.messages(chat.store.list_conversations()[0].id)[-1].status == "complete"


def test_reset_uses_what_the_conversations_model_recommends(
    qtbot: QtBot,
    chat: Chat,  # noqa: F811
    tmp_path: Path,
) -> None:
    """No model loaded: the reset reads the recommendations of the model the conversation was held with."""
    spec = TinyModelSpec(extra_metadata=(("general.sampling.temp", 0.6), ("general.sampling.top_k", 20)))
    model = write_tiny_model(tmp_path / "recommends.gguf", spec)
    held = chat.store.create_conversation("held", model_path=str(model))
    chat.page.conversations.refresh_list()
    chat.page.conversations.open(held.id)
    panel = chat.page.settings
    panel.temperature.setValue(1.5)
    panel.reset.click()
    qtbot.waitUntil(lambda: panel.temperature.value() == pytest.approx(0.6), timeout=WAIT_MS)
    assert panel.top_k.value() == 20
    qtbot.waitUntil(lambda: not chat.page.worker.busy(), timeout=WAIT_MS)
    assert chat.store.conversation(held.id).sampling == SamplingSettings(temperature=0.6, top_k=20)


def test_the_first_chat_gets_llama_cpp_defaults_not_the_fields_minimums(
    qtbot: QtBot,
    chat: Chat,  # noqa: F811
) -> None:
    assert chat.page.conversations.current is None
    assert chat.page.settings.values() == ("", SamplingSettings())
    assert chat.page.settings.preset.currentText() == "Custom"
    with qtbot.waitSignal(chat.page.loader.loaded, timeout=WAIT_MS):
        chat.page.open_model(str(chat.model))
    chat.page.settings.max_tokens.setValue(4)
    chat.page.composer.input.setPlainText("hello")
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        chat.page.composer.button.click()
    settle(qtbot, chat)
    (first,) = chat.store.list_conversations()
    assert chat.store.conversation(first.id).sampling == SamplingSettings(max_tokens=4)


def test_a_new_chat_starts_from_the_models_recommendations(
    qtbot: QtBot,
    chat: Chat,  # noqa: F811
    tmp_path: Path,
) -> None:
    spec = TinyModelSpec(chat_template=CHATML_TEMPLATE, extra_metadata=(("general.sampling.temp", 0.7),))
    model = write_tiny_model(tmp_path / "recommends.gguf", spec)
    panel = chat.page.settings
    with qtbot.waitSignal(chat.page.loader.loaded, timeout=WAIT_MS):
        chat.page.open_model(str(model))
    qtbot.waitUntil(lambda: panel.temperature.value() == pytest.approx(0.7), timeout=WAIT_MS)
    assert panel.top_k.value() == SamplingSettings().top_k  # what the model does not say stays llama.cpp's

    panel.temperature.setValue(1.2)  # the user's own choice is not overwritten by the next load
    with qtbot.waitSignal(chat.page.loader.loaded, timeout=WAIT_MS):
        chat.page.open_model(str(model))
    settle(qtbot, chat)
    assert panel.temperature.value() == pytest.approx(1.2)


def test_settings_and_presets_are_kept_per_conversation(qtbot: QtBot, chat: Chat) -> None:  # noqa: F811
    first = chat.store.create_conversation("one")
    second = chat.store.create_conversation("two")
    chat.page.conversations.refresh_list()
    chat.page.conversations.open(first.id)
    panel = chat.page.settings
    panel.temperature.setValue(0.3)
    panel.stop.setPlainText("END\n###")
    panel.seed.setValue(42)
    chat.answers.preset = ("Pirate", "Talk like a pirate.")
    panel.new_preset.click()
    qtbot.waitUntil(lambda: panel.preset.currentText() == "Pirate", timeout=WAIT_MS)
    chat.page.thread_actions.save_settings()
    qtbot.waitUntil(lambda: not chat.page.worker.busy(), timeout=WAIT_MS)
    stored = chat.store.conversation(first.id)
    assert stored.system_prompt == "Talk like a pirate." and stored.preset_id is not None
    assert (stored.sampling.temperature, stored.sampling.stop, stored.sampling.seed) == (0.3, ("END", "###"), 42)
    chat.page.conversations.open(second.id)
    assert panel.temperature.value() == pytest.approx(SamplingSettings().temperature)
    assert panel.system_prompt.toPlainText() == ""
    chat.page.conversations.open(first.id)
    assert panel.temperature.value() == pytest.approx(0.3) and panel.preset.currentText() == "Pirate"
    panel.reset.click()
    qtbot.waitUntil(lambda: not chat.page.worker.busy(), timeout=WAIT_MS)
    assert chat.store.conversation(first.id).sampling == SamplingSettings.model_defaults()
    assert chat.store.conversation(first.id).system_prompt == "Talk like a pirate."
