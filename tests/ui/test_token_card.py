"""The Settings page's Hugging Face token card against an in-memory keyring: save, remove, no keyring."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.errors
import pytest
from pytestqt.qtbot import QtBot

from hearth.core import credentials
from hearth.testing.keyrings import MemoryKeyring
from hearth.ui.settings.token_card import NONE, STORED, TokenCard

SECRET = "hf_secretTokenValue123"
WAIT_MS = 5000


class BrokenKeyring(MemoryKeyring):
    """A keyring that exists but refuses to store (a locked or misconfigured one)."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked(f"locked ({password})")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def open_card(qtbot: QtBot) -> TokenCard:
    card = TokenCard()
    qtbot.addWidget(card)
    card.show()
    qtbot.waitUntil(lambda: not card.status_label.text().startswith("Checking"), timeout=WAIT_MS)
    return card


def test_save_and_remove_through_the_keyring(
    qtbot: QtBot, memory_keyring: MemoryKeyring, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    card = open_card(qtbot)
    assert card.status_label.text() == NONE
    assert not card.remove_button.isEnabled() and not card.save_button.isEnabled()
    assert card.field.echoMode() == card.field.EchoMode.Password

    card.field.setText(f"  {SECRET}  ")
    card.save_button.click()
    qtbot.waitUntil(lambda: card.status_label.text() == STORED, timeout=WAIT_MS)
    assert memory_keyring.store[(credentials.SERVICE, credentials.USER)] == SECRET
    assert card.field.text() == "" and card.remove_button.isEnabled()

    card.remove_button.click()
    qtbot.waitUntil(lambda: card.status_label.text() == NONE, timeout=WAIT_MS)
    assert memory_keyring.store == {}
    assert card.wait()
    assert SECRET not in caplog.text


def test_a_stored_token_is_seen_when_the_card_opens(qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    memory_keyring.store[(credentials.SERVICE, credentials.USER)] = SECRET
    card = open_card(qtbot)
    assert card.status_label.text() == STORED and card.remove_button.isEnabled()
    assert SECRET not in card.status_label.text() and card.field.text() == ""
    assert card.wait()


def test_no_keyring_says_so(qtbot: QtBot) -> None:
    import keyring.backends.fail

    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        card = open_card(qtbot)
        assert card.status_label.text().startswith("No keyring available on this system")
        assert not card.field.isEnabled() and not card.save_button.isEnabled()
        assert card.wait()
    finally:
        keyring.set_keyring(previous)


def test_a_refusing_keyring_never_shows_the_token(qtbot: QtBot) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        card = open_card(qtbot)
        card.field.setText(SECRET)
        card.save_button.click()
        qtbot.waitUntil(lambda: "keyring" in card.status_label.text() and card.field.isEnabled(), timeout=WAIT_MS)
        assert SECRET not in card.status_label.text()
        assert card.wait()
    finally:
        keyring.set_keyring(previous)
