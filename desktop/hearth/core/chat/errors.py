"""The ways the conversation store refuses or fails, each with a message a user can act on.

Why a small hierarchy: the UI shows ``str(error)`` as is and decides from the type alone whether to offer
"free some space and retry" (``StorageFull``) or "update Hearth" (``DatabaseTooNew``), so callers never parse
SQLite's messages.
"""

from __future__ import annotations

__all__ = ["ChatStoreError", "DatabaseCorrupt", "DatabaseTooNew", "NotFound", "StorageFull"]


class ChatStoreError(Exception):
    """Base class for every error the conversation store raises on purpose."""


class DatabaseTooNew(ChatStoreError):
    """The file was written by a newer Hearth; it is left exactly as it was."""

    def __init__(self, path: object, found: int, supported: int) -> None:
        super().__init__(
            f"{path} was written by a newer version of Hearth (conversation format {found}; this version "
            f"understands up to {supported}). Update Hearth to open it; the file was not changed."
        )
        self.found = found
        self.supported = supported


class DatabaseCorrupt(ChatStoreError):
    """SQLite found damage while the store was open; nothing was moved or deleted."""


class StorageFull(ChatStoreError):
    """The disk (or the database's page limit) is full: the last change was not saved."""


class NotFound(ChatStoreError, KeyError):
    """No conversation, message or preset with that id (deleted meanwhile, or never existed)."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else "not found"
