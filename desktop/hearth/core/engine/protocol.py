"""Messages between the app and the engine process: plain frozen dataclasses, pickled over one pipe.

Why plain data: the engine runs llama.cpp in a separate process so that a crash (segfault, out-of-memory kill)
takes down only the engine. Everything that crosses the pipe (the child's stdin and stdout) is therefore data,
never a callable or a handle, encoded as length-prefixed JSON (see the end of this module); the settings travel
as a dict so a message stays readable in logs and stable across versions.

Every request carries a ``request_id`` (chosen by the client, unique per client) and every answer names the
request it answers, so events can be routed to the handle that waits for them.
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass, field
from typing import IO, Any, Literal

TemplateSource = Literal["model", "override", "fallback"]
FinishReason = Literal["stop", "length", "cancelled"]
UnloadReason = Literal["requested", "idle", "switch"]
ErrorKind = Literal["load", "template", "template_unsafe", "context", "not_loaded", "busy", "internal"]
Message = dict[str, str]


@dataclass(frozen=True)
class Sampling:
    """How to pick tokens. ``temperature=0`` is greedy; ``max_tokens=None`` means until the context is full."""

    temperature: float = 0.7
    top_k: int = 40
    top_p: float = 0.95
    min_p: float = 0.05
    repeat_penalty: float = 1.1
    max_tokens: int | None = 1024
    seed: int | None = None
    stop: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.temperature < 0:
            raise ValueError(f"temperature must be 0 or more, got {self.temperature}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")


# --- app -> engine -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """Load ``path`` (unloading any model already loaded: one model at a time)."""

    request_id: int
    path: str
    settings: dict[str, Any]
    template_override: str | None = None


@dataclass(frozen=True)
class Generate:
    """Reply to ``messages``; when the last one is the assistant's, continue that reply instead (the prompt ends
    with its text inside the open assistant turn)."""

    request_id: int
    messages: tuple[Message, ...]
    sampling: Sampling = field(default_factory=Sampling)


@dataclass(frozen=True)
class Stop:
    """Handled by the engine's reader thread as soon as it arrives, so it lands between two tokens."""

    request_id: int


@dataclass(frozen=True)
class Unload:
    request_id: int
    reason: UnloadReason = "requested"


@dataclass(frozen=True)
class CountTokens:
    """Count the tokens of ``text``, or of ``messages`` rendered through the chat template as a prompt."""

    request_id: int
    text: str | None = None
    messages: tuple[Message, ...] | None = None


@dataclass(frozen=True)
class Shutdown:
    """Free the model and end the process."""


Request = Load | Generate | Stop | Unload | CountTokens | Shutdown


# --- engine -> app -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadProgress:
    request_id: int
    fraction: float


@dataclass(frozen=True)
class BufferInfo:
    """One allocation from llama.cpp's load log (``kind``: model, kv, compute or output)."""

    kind: str
    device: str
    bytes: int


@dataclass(frozen=True)
class Loaded:
    """A model is ready. ``gpu_layers_offloaded``/``n_layers_total`` and ``backend`` come from llama.cpp's own
    load log (not from the settings asked for), so "32/32 layers on GPU (CUDA)" is what really happened."""

    request_id: int
    path: str
    n_ctx_train: int
    n_ctx: int
    gpu_layers_offloaded: int
    n_layers_total: int
    backend: str
    buffers: tuple[BufferInfo, ...]
    chat_template_source: TemplateSource
    notice: str | None
    load_ms: float
    n_threads: int

    @property
    def gpu_summary(self) -> str:
        """The line a status bar shows, e.g. ``32/32 layers on GPU (CUDA)``."""
        return f"{self.gpu_layers_offloaded}/{self.n_layers_total} layers on GPU ({self.backend})"


@dataclass(frozen=True)
class Unloaded:
    request_id: int
    path: str
    reason: UnloadReason


@dataclass(frozen=True)
class Token:
    """Text of one generated token (``n``: tokens generated so far); pieces of a multi-byte character are
    held back until the character is complete, so ``text`` is never a broken UTF-8 fragment."""

    request_id: int
    text: str
    n: int


@dataclass(frozen=True)
class Done:
    request_id: int
    finish_reason: FinishReason
    prompt_tokens: int
    completion_tokens: int
    ttft_ms: float
    decode_tokens_per_s: float


@dataclass(frozen=True)
class TokenCount:
    request_id: int
    n: int


@dataclass(frozen=True)
class Error:
    """A request failed; the engine keeps running. ``request_id`` 0 means no request in particular."""

    request_id: int
    kind: ErrorKind
    message: str


@dataclass(frozen=True)
class EngineCrashed:
    """Made by the client, not the engine: the process ended without being asked to.

    ``partial_text`` is what the reply in progress (``request_id``, 0 if none) had received."""

    request_id: int
    message: str
    exitcode: int | None
    partial_text: str = ""


Event = LoadProgress | Loaded | Unloaded | Token | Done | TokenCount | Error | EngineCrashed


# --- wire format ---------------------------------------------------------------------------------------------
# One message = 4-byte big-endian length + a JSON object {"type": class name, **fields}. JSON rather than pickle:
# the engine parses untrusted model files, and whatever happens inside it must not be able to run code in the app.

_REQUESTS = (Load, Generate, Stop, Unload, CountTokens, Shutdown)
_EVENTS = (LoadProgress, Loaded, Unloaded, Token, Done, TokenCount, Error, EngineCrashed)
_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in (*_REQUESTS, *_EVENTS)}
_HEADER = struct.Struct("!I")


def encode(message: Request | Event) -> bytes:
    body = json.dumps({"type": type(message).__name__, **asdict(message)}, separators=(",", ":")).encode("utf-8")
    return _HEADER.pack(len(body)) + body


def decode(body: bytes) -> Request | Event:
    fields = json.loads(body)
    cls = _TYPES[fields.pop("type")]
    if cls is Generate:
        fields["messages"] = tuple(fields["messages"])
        fields["sampling"] = Sampling(**{**fields["sampling"], "stop": tuple(fields["sampling"]["stop"])})
    elif cls is CountTokens and fields["messages"] is not None:
        fields["messages"] = tuple(fields["messages"])
    elif cls is Loaded:
        fields["buffers"] = tuple(BufferInfo(**b) for b in fields["buffers"])
    message: Request | Event = cls(**fields)
    return message


def write_message(stream: IO[bytes], message: Request | Event) -> None:
    stream.write(encode(message))
    stream.flush()


def read_message(stream: IO[bytes]) -> Request | Event | None:
    """The next message, or None at end of file (the other process is gone)."""
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None
    (size,) = _HEADER.unpack(header)
    body = stream.read(size)
    return decode(body) if len(body) == size else None


def read_request(stream: IO[bytes]) -> Request | None:
    """The next request (in the engine); raises ValueError for anything else."""
    message = read_message(stream)
    if message is not None and not isinstance(message, _REQUESTS):
        raise ValueError(f"expected a request, got {type(message).__name__}")
    return message


def read_event(stream: IO[bytes]) -> Event | None:
    """The next event (in the app); raises ValueError for anything else."""
    message = read_message(stream)
    if message is not None and not isinstance(message, _EVENTS):
        raise ValueError(f"expected an event, got {type(message).__name__}")
    return message
