"""What the engine is sent for a conversation, whether it fits the context, and the branch switcher's data.

Pure functions (the fitting one blocks on the engine and runs on a worker): the reply controller and the tests
use them directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hearth.core.chat import Message
from hearth.core.engine import EngineClient
from hearth.core.engine import protocol as p
from hearth.ui.chat.message_html import Branches

DEFAULT_RESERVE = 256  # tokens kept free for the reply when max_tokens is unlimited


class ContextFull(Exception):
    """The conversation does not fit the model's context; ``used`` tokens of ``n_ctx``."""

    def __init__(self, used: int, n_ctx: int, *, trimmed: bool = False) -> None:
        self.used, self.n_ctx, self.trimmed = used, n_ctx, trimmed
        if trimmed:
            text = (
                f"Even your last message alone needs {used:,} of the model's {n_ctx:,} tokens. Shorten it, or "
                "reload the model with a larger context."
            )
        else:
            text = (
                f"This conversation needs {used:,} tokens but the model holds {n_ctx:,}. Trim the oldest turns "
                "to continue, or start a new chat."
            )
        super().__init__(text)


@dataclass(frozen=True)
class Fitted:
    """The messages to send and how many tokens they take as a prompt."""

    messages: list[p.Message]
    tokens: int
    dropped: int = 0


def engine_messages(system_prompt: str, thread: Sequence[Message]) -> list[p.Message]:
    """The system prompt and every message with text (an empty or failed reply says nothing to the model)."""
    messages: list[p.Message] = [{"role": "system", "content": system_prompt}] if system_prompt.strip() else []
    for message in thread:
        if message.content and not (message.role == "assistant" and message.status == "error"):
            messages.append({"role": message.role, "content": message.content})
    return messages


def reserve_for(max_tokens: int | None, n_ctx: int) -> int:
    return min(max_tokens or DEFAULT_RESERVE, max(1, n_ctx // 4))


def fit_history(engine: EngineClient, messages: list[p.Message], n_ctx: int, reserve: int, trim: bool) -> Fitted:
    """Count the prompt's tokens; with ``trim``, drop the oldest turns (never the system prompt or the last
    message) until prompt + ``reserve`` fits. Raises :class:`ContextFull`. Blocks: call it on a worker."""
    used = engine.count_tokens(messages)
    if used + reserve <= n_ctx:
        return Fitted(messages, used)
    if not trim:
        raise ContextFull(used + reserve, n_ctx)
    head = [m for m in messages[:1] if m["role"] == "system"]
    body = messages[len(head) :]
    dropped = 0
    while len(body) > 1:
        body = body[2:] if len(body) > 2 and body[0]["role"] == "user" else body[1:]
        dropped += 1
        used = engine.count_tokens([*head, *body])
        if used + reserve <= n_ctx:
            return Fitted([*head, *body], used, dropped)
    raise ContextFull(used + reserve, n_ctx, trimmed=True)


def branches_for(thread: Sequence[Message], every: Sequence[Message]) -> dict[int, Branches]:
    """For each message of the visible thread that has siblings: its place among them and its neighbours."""
    siblings: dict[int | None, list[int]] = {}
    for message in every:  # creation order: siblings oldest first
        siblings.setdefault(message.parent_id, []).append(message.id)
    result: dict[int, Branches] = {}
    for message in thread:
        group = siblings.get(message.parent_id, [])
        if len(group) > 1 and message.id in group:
            i = group.index(message.id)
            result[message.id] = Branches(
                i + 1, len(group), group[i - 1] if i > 0 else None, group[i + 1] if i + 1 < len(group) else None
            )
    return result
