"""The immutable values the conversation store hands out.

Frozen dataclasses so a value read on the worker thread can be passed to the UI thread without anyone
mutating it under the other's feet; changes always go through the store.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal, get_args

log = logging.getLogger(__name__)

Role = Literal["system", "user", "assistant"]
Status = Literal["complete", "streaming", "interrupted", "error"]
ROLES: tuple[str, ...] = get_args(Role)
STATUSES: tuple[str, ...] = get_args(Status)


def _coerce(value: Any, default: Any, name: str) -> Any:
    """Accept JSON's int for a float field; anything else of the wrong type falls back to the default."""
    if isinstance(default, bool) or isinstance(value, bool):
        return value if isinstance(value, bool) and isinstance(default, bool) else default
    if isinstance(default, float) and isinstance(value, int | float):
        return float(value)
    if isinstance(default, int) and isinstance(value, int):
        return value
    if isinstance(default, tuple) and isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return tuple(value)
    log.warning("chat: ignoring %s=%r (expected %s)", name, value, type(default).__name__)
    return default


GGUF_SAMPLING_KEYS = {
    "general.sampling.temp": "temperature",
    "general.sampling.top_k": "top_k",
    "general.sampling.top_p": "top_p",
    "general.sampling.min_p": "min_p",
    "general.sampling.penalty_repeat": "repeat_penalty",
}
"""GGUF metadata a model's author may set -> the :class:`SamplingSettings` field it recommends a value for."""


@dataclass(frozen=True)
class SamplingSettings:
    """How the next token is chosen. ``None`` means "not set": unlimited ``max_tokens``, random ``seed``.

    The defaults are llama.cpp's, so a conversation nobody tuned behaves like the engine would on its own.
    """

    temperature: float = 0.8
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()

    @classmethod
    def model_defaults(cls, recommended: Mapping[str, Any] | None = None) -> SamplingSettings:
        """ "Reset to model defaults": llama.cpp's defaults overlaid by what the model's author recommends.

        ``recommended`` uses this class's field names (the caller maps e.g. GGUF ``general.sampling.temp`` to
        ``temperature``); unknown names and wrong types are ignored, so odd metadata cannot break the reset.
        """
        return cls.from_json(dict(recommended or {}))

    @classmethod
    def for_model(cls, metadata: Mapping[str, Any]) -> SamplingSettings:
        """:meth:`model_defaults` with the author's recommendations from a GGUF header's ``general.sampling.*``
        keys (written by llama.cpp's converter from a model's ``generation_config.json``)."""
        recommended = {field: metadata[key] for key, field in GGUF_SAMPLING_KEYS.items() if key in metadata}
        # GGUF keeps these as float32: 0.6 arrives as 0.60000002384..., which nobody wants to see in a field.
        return cls.model_defaults({k: round(v, 4) if isinstance(v, float) else v for k, v in recommended.items()})

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> SamplingSettings:
        """Tolerant decoding: a hand-edited or older export never makes a conversation unreadable."""
        defaults = cls()
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in raw:
                default = getattr(defaults, f.name)
                if default is None:  # the optional ints
                    value = raw[f.name]
                    values[f.name] = value if isinstance(value, int) and not isinstance(value, bool) else None
                else:
                    values[f.name] = _coerce(raw[f.name], default, f.name)
        return dataclasses.replace(defaults, **values)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["stop"] = list(self.stop)
        return data


@dataclass(frozen=True)
class ReplyStats:
    """What the engine reports about one reply; every field optional because a crash leaves most unknown."""

    ttft_ms: float | None = None
    tokens_per_s: float | None = None
    completion_tokens: int | None = None
    prompt_tokens: int | None = None
    finish_reason: str | None = None
    model: str | None = None
    # The document passages the reply was given ([1], [2]… in its prompt), or the note that none matched: kept
    # with the reply so its citations still open after a restart.
    sources: list[dict[str, Any]] | None = None
    sources_note: str | None = None

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ReplyStats:
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in names})

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass(frozen=True)
class Conversation:
    """One chat. ``active_leaf_id`` is the last message of the branch the user is looking at."""

    id: int
    title: str
    created_at: float
    updated_at: float
    model_path: str = ""
    system_prompt: str = ""
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    preset_id: int | None = None
    active_leaf_id: int | None = None


@dataclass(frozen=True)
class Message:
    """One turn. Messages form a tree through ``parent_id``; siblings are alternative branches."""

    id: int
    conversation_id: int
    role: Role
    content: str
    created_at: float
    parent_id: int | None = None
    status: Status = "complete"
    stats: ReplyStats = field(default_factory=ReplyStats)
    error: str | None = None


@dataclass(frozen=True)
class Preset:
    """A named system prompt (and sampling) the user can start a conversation from."""

    id: int
    name: str
    system_prompt: str
    sampling: SamplingSettings = field(default_factory=SamplingSettings)
    builtin: bool = False


@dataclass(frozen=True)
class SearchHit:
    """A title match (``message_id`` is None) or a message match, with ``snippet`` holding highlight markers."""

    conversation_id: int
    message_id: int | None
    title: str
    snippet: str


def dumps(data: Mapping[str, Any]) -> str:
    """Compact, stable JSON for the database columns."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def loads(text: str | None) -> dict[str, Any]:
    """Decode a JSON column; a damaged value reads as empty rather than making the conversation unreadable."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        log.warning("chat: unreadable JSON column %r", (text or "")[:80])
        return {}
    return value if isinstance(value, dict) else {}
