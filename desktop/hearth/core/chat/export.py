"""Conversations as Markdown (to read or share) and as JSON (to back up and import again).

Markdown shows the visible thread only, the way the user sees it; JSON keeps every branch and all metadata, so
importing it restores the conversation exactly (new ids aside). Times in JSON are ISO 8601 in UTC, so an
export is readable and does not depend on the exporting machine's time zone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import PurePath
from typing import Any

from hearth.core.chat.records import ROLES, STATUSES, Conversation, Message, ReplyStats, SamplingSettings

FORMAT = "hearth.conversation"
FORMAT_VERSION = 1
_HEADINGS = {"system": "System", "user": "User", "assistant": "Assistant"}
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _closed_fences(text: str) -> str:
    """Close a code block a reply left open (cut off mid-code), so it does not swallow the next headings."""
    opener: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if match is None:
            continue
        fence = match.group(1)
        if opener is None:
            opener = fence
        elif fence[0] == opener[0] and len(fence) >= len(opener) and not line.strip()[len(fence) :].strip():
            opener = None
    return text if opener is None else f"{text}\n{opener}"


def to_markdown(conversation: Conversation, messages: Sequence[Message]) -> str:
    """Title as a heading, then each message under its role; message text is copied verbatim."""
    parts = [f"# {conversation.title}"]
    if conversation.model_path:
        parts.append(f"*Model: {PurePath(conversation.model_path).name}*")
    if conversation.system_prompt.strip():
        parts.append(f"## System\n\n{conversation.system_prompt.strip()}")
    for m in messages:
        section = f"## {_HEADINGS[m.role]}\n\n{_closed_fences(m.content.rstrip())}".rstrip()
        if m.status == "interrupted":
            section += "\n\n*(reply interrupted)*"
        elif m.status == "error":
            section += f"\n\n*(error: {m.error or 'unknown'})*"
        parts.append(section)
    return "\n\n".join(parts) + "\n"


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, tz=UTC).isoformat()


def _timestamp(text: Any) -> float:
    moment = datetime.fromisoformat(str(text))
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def to_json(conversation: Conversation, messages: Sequence[Message]) -> dict[str, Any]:
    """Everything: metadata, sampling, every branch (``parent_id``) and which branch was visible."""
    c = conversation
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "title": c.title,
        "created_at": _iso(c.created_at),
        "updated_at": _iso(c.updated_at),
        "model_path": c.model_path,
        "system_prompt": c.system_prompt,
        "sampling": c.sampling.to_json(),
        "preset_id": c.preset_id,
        "active_leaf_id": c.active_leaf_id,
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role,
                "content": m.content,
                "created_at": _iso(m.created_at),
                "status": m.status,
                "stats": m.stats.to_json(),
                "error": m.error,
            }
            for m in messages
        ],
    }


def from_json(data: dict[str, Any]) -> tuple[Conversation, list[Message]]:
    """Parse an export (ids as in the file; ``ConversationStore.import_json`` gives them new ones).

    Raises ValueError with a readable reason for anything that is not a Hearth conversation export.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("this is not a Hearth conversation export")
    if not isinstance(data.get("version"), int) or data["version"] > FORMAT_VERSION:
        raise ValueError("this conversation was exported by a newer version of Hearth; update Hearth to import it")
    try:
        conversation = Conversation(
            id=0,
            title=str(data["title"]),
            created_at=_timestamp(data["created_at"]),
            updated_at=_timestamp(data["updated_at"]),
            model_path=str(data.get("model_path") or ""),
            system_prompt=str(data.get("system_prompt") or ""),
            sampling=SamplingSettings.from_json(data.get("sampling") or {}),
            preset_id=data.get("preset_id"),
            active_leaf_id=data.get("active_leaf_id"),
        )
        messages = [_message(raw) for raw in data["messages"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"the conversation export is damaged ({exc!r})") from exc
    return conversation, messages


def _message(raw: dict[str, Any]) -> Message:
    if raw["role"] not in ROLES or raw.get("status", "complete") not in STATUSES:
        raise ValueError(f"unknown role or status in message {raw.get('id')}")
    return Message(
        id=int(raw["id"]),
        conversation_id=0,
        role=raw["role"],
        content=str(raw["content"]),
        created_at=_timestamp(raw["created_at"]),
        parent_id=int(raw["parent_id"]) if raw.get("parent_id") is not None else None,
        status=raw.get("status", "complete"),
        stats=ReplyStats.from_json(raw.get("stats") or {}),
        error=raw.get("error"),
    )
