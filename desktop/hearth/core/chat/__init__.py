"""Chat storage: conversations with branching messages and streamed replies, search, export, presets.

Pure Python over SQLite (no Qt), so the CLI and tests use exactly what the app uses. Start at
``ConversationStore``; the data types are in ``records`` and the errors in ``errors``.
"""

from __future__ import annotations

from hearth.core.chat.errors import ChatStoreError, DatabaseCorrupt, DatabaseTooNew, NotFound, StorageFull
from hearth.core.chat.records import Conversation, Message, Preset, ReplyStats, SamplingSettings, SearchHit
from hearth.core.chat.search import MARK_END, MARK_START
from hearth.core.chat.store import FILE_NAME, KEEP, ConversationStore
from hearth.core.chat.titles import auto_title

__all__ = [
    "FILE_NAME",
    "KEEP",
    "MARK_END",
    "MARK_START",
    "ChatStoreError",
    "Conversation",
    "ConversationStore",
    "DatabaseCorrupt",
    "DatabaseTooNew",
    "Message",
    "NotFound",
    "Preset",
    "ReplyStats",
    "SamplingSettings",
    "SearchHit",
    "StorageFull",
    "auto_title",
]
