"""The Hugging Face token, kept in the operating system's keyring and nowhere else.

Why the keyring: a token in ``settings.json`` would end up in backups, bug reports and screenshots of a text
editor; the OS keyring (Keychain, Windows Credential Manager, Secret Service) encrypts it at rest. The token is
never logged. Linux machines without a keyring daemon have no backend: that is a :class:`CredentialsUnavailable`
with a sentence to show, never a crash, and Hearth simply works without a token (public models).
"""

from __future__ import annotations

import logging

SERVICE = "Hearth"
USER = "huggingface"

log = logging.getLogger(__name__)


class CredentialsUnavailable(Exception):
    """The OS keyring cannot be used; the message says why and what to do."""


def _keyring_error(exc: Exception) -> CredentialsUnavailable:
    log.warning("keyring unavailable: %s", type(exc).__name__)  # the exception text may contain secrets: no
    return CredentialsUnavailable(
        "Hearth cannot reach your system's keyring to keep the Hugging Face token safely "
        f"({type(exc).__name__}). On Linux, install and unlock a Secret Service keyring (GNOME Keyring or "
        "KWallet); public models work without a token."
    )


def get_token() -> str | None:
    """The saved token, ``None`` when there is none or when the keyring cannot be read (logged)."""
    import keyring
    import keyring.errors

    try:
        token = keyring.get_password(SERVICE, USER)
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        _keyring_error(exc)
        return None
    return token or None


def set_token(token: str) -> None:
    """Save ``token`` (whitespace trimmed); raises ``ValueError`` for an empty one and
    :class:`CredentialsUnavailable` when the keyring cannot store it."""
    import keyring
    import keyring.errors

    token = token.strip()
    if not token:
        raise ValueError("the token is empty")
    if any(c.isspace() for c in token):
        raise ValueError("a Hugging Face token has no spaces in it; paste it again")
    try:
        keyring.set_password(SERVICE, USER, token)
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        raise _keyring_error(exc) from None


def clear_token() -> None:
    """Forget the token; nothing saved is not an error. Raises :class:`CredentialsUnavailable`."""
    import keyring
    import keyring.errors

    try:
        keyring.delete_password(SERVICE, USER)
    except keyring.errors.PasswordDeleteError:
        return
    except (keyring.errors.KeyringError, RuntimeError, OSError) as exc:
        raise _keyring_error(exc) from None
