"""The Hugging Face token lives in the OS keyring only; no keyring means a clear message, never a crash."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from hearth.core import credentials
from hearth.core.credentials import CredentialsUnavailable, clear_token, get_token, set_token
from hearth.testing.keyrings import MemoryKeyring

SECRET = "hf_secretTokenValue123"


class NoKeyring(keyring.backend.KeyringBackend):
    """What a Linux machine without a Secret Service daemon gives."""

    priority = 0  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError(f"No recommended backend ({SECRET})")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError(f"No recommended backend ({password})")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("No recommended backend")


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


def test_set_get_clear(memory_keyring: MemoryKeyring, hearth_home: Path) -> None:
    assert get_token() is None
    set_token(f"  {SECRET}\n")
    assert get_token() == SECRET
    assert memory_keyring.store == {(credentials.SERVICE, credentials.USER): SECRET}
    clear_token()
    assert get_token() is None
    clear_token()  # nothing saved: not an error
    if hearth_home.exists():
        assert not any(SECRET in p.read_text(errors="ignore") for p in hearth_home.rglob("*") if p.is_file())


def test_rejects_empty_or_spaced_tokens(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(ValueError, match="empty"):
        set_token("   ")
    with pytest.raises(ValueError, match="no spaces"):
        set_token("hf_abc def")
    assert memory_keyring.store == {}


def test_without_a_keyring_a_message_and_no_secret_in_the_log(
    no_keyring: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert get_token() is None
    with pytest.raises(CredentialsUnavailable, match="keyring") as error:
        set_token(SECRET)
    with pytest.raises(CredentialsUnavailable):
        clear_token()
    assert SECRET not in str(error.value)
    assert SECRET not in caplog.text
    assert error.value.__cause__ is None and error.value.__suppress_context__
