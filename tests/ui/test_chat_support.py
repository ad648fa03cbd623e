"""A chat page on a real engine, a real tiny GGUF and a real conversation store in tmp.

No tests here: ``test_chat.py`` and ``test_chat_conversations.py`` import the fixture and helpers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fit_fixtures import no_gpu
from pytestqt.qtbot import QtBot

from hearth.core.chat import ConversationStore
from hearth.core.engine import EngineClient
from hearth.core.library import Library
from hearth.core.library_sources import Source
from hearth.core.load_settings import LoadSettings
from hearth.testing.gguf_factory import CHATML_TEMPLATE, TinyModelSpec, write_tiny_model
from hearth.ui.chat.dialogs import ChatDialogs
from hearth.ui.chat.page import ChatPage
from hearth.ui.library.services import LibraryServices

WAIT_MS = 20_000


@dataclass
class Answers:
    """What the injected dialogs answer."""

    text: str | None = None
    confirm: bool = True
    save_path: str | None = None
    preset: tuple[str, str] | None = None


@dataclass
class Chat:
    page: ChatPage
    engine: EngineClient
    store: ConversationStore
    model: Path
    answers: Answers


def make_model(folder: Path) -> Path:
    target = folder / "org" / "Tiny-Chat-GGUF" / "tiny-chat-Q8_0.gguf"
    target.parent.mkdir(parents=True, exist_ok=True)
    return write_tiny_model(target, TinyModelSpec(name="Tiny Chat", chat_template=CHATML_TEMPLATE))


@pytest.fixture
def chat(qtbot: QtBot, tmp_path: Path) -> Iterator[Chat]:
    model = make_model(tmp_path / "models")
    answers = Answers()
    dialogs = ChatDialogs(
        ask_text=lambda *_a: answers.text,
        confirm=lambda *_a: answers.confirm,
        save_path=lambda *_a: answers.save_path,
        edit_preset=lambda *_a: answers.preset,
    )
    engine = EngineClient()
    store = ConversationStore(tmp_path / "conversations.sqlite3")
    services = LibraryServices(Library([Source("hearth", tmp_path / "models")]), no_gpu)
    page = ChatPage(engine, store, services, settings_for=lambda _p, _t: LoadSettings(n_ctx=512), dialogs=dialogs)
    qtbot.addWidget(page)
    page.resize(1100, 720)
    page.show()
    try:
        yield Chat(page, engine, store, model, answers)
    finally:
        page.shutdown()
        engine.shutdown()
        store.close()


def load(qtbot: QtBot, chat: Chat) -> None:
    """Load the tiny model and sample greedily: its replies are then the same every run (at the default
    temperature a reply may end after one token, and a test that stops or kills a reply mid-way needs a long one)."""
    with qtbot.waitSignal(chat.page.loader.loaded, timeout=WAIT_MS):
        chat.page.open_model(str(chat.model))
    chat.page.settings.temperature.setValue(0.0)


def settle(qtbot: QtBot, chat: Chat) -> None:
    """No reply in flight and every store write delivered."""
    qtbot.waitUntil(lambda: not chat.page.replies.busy() and not chat.page.worker.busy(), timeout=WAIT_MS)


def send(qtbot: QtBot, chat: Chat, text: str, max_tokens: int = 16) -> None:
    """Send and wait for the whole reply (short: the tiny model would otherwise fill its 512-token context)."""
    chat.page.settings.max_tokens.setValue(max_tokens)
    chat.page.composer.input.setPlainText(text)
    with qtbot.waitSignal(chat.page.replies.finished, timeout=WAIT_MS):
        chat.page.composer.button.click()
    settle(qtbot, chat)
