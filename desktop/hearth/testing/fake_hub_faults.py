"""Fault injection and request recording for :mod:`hearth.testing.fake_hub`.

Why: the code that matters most in a download manager or a search page is what it does when the network
misbehaves: a connection cut mid-file, a throttled link, a 429 with ``Retry-After``, a Hub that answers
503 twice then recovers. A :class:`Fault` describes one such misbehaviour for the paths matching a glob,
and :class:`RequestLog` keeps what the client really sent (method, path, query, headers such as ``Range``)
so a test asserts on the wire, not on its own guesses.
"""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs


@dataclass
class Fault:
    """One misbehaviour, applied to requests whose URL path matches ``pattern``.

    ``pattern`` is an :mod:`fnmatch` glob on the decoded path without the query, where ``*`` also crosses
    ``/`` (``"*/resolve/*/*.gguf"``, ``"/api/models*"``). ``methods`` limits it to some HTTP methods.
    The effects, which combine within one fault:

    * ``delay_s``: wait before answering (slow server, timeouts);
    * ``status``: answer this status instead (JSON error body, ``X-Error-Code: error_code`` if set,
      ``Retry-After`` if ``retry_after`` is set, plus ``headers``);
    * ``disconnect``: close the connection without any response;
    * ``drop_after_bytes``: send the headers and this many body bytes, then close the socket (the client
      sees an incomplete body); ``reset=True`` closes with a TCP RST instead of a FIN;
    * ``bytes_per_second`` / ``chunk_delay_s``: throttle the body, ``chunk_size`` bytes at a time.

    ``times`` is how many requests the fault hits before it goes inert (``None``: every request); ``hits``
    counts them. When several faults match, the first one added that is still active wins.
    """

    pattern: str
    methods: frozenset[str] | None = None
    status: int | None = None
    error_code: str | None = None
    message: str | None = None
    retry_after: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    disconnect: bool = False
    drop_after_bytes: int | None = None
    reset: bool = False
    delay_s: float = 0.0
    bytes_per_second: int | None = None
    chunk_delay_s: float = 0.0
    chunk_size: int = 64 * 1024
    times: int | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request (ignoring ``times``)."""
        if self.methods is not None and method.upper() not in self.methods:
            return False
        return fnmatch.fnmatchcase(path, self.pattern)

    @property
    def active(self) -> bool:
        """Whether it still has hits left."""
        return self.times is None or self.hits < self.times


class FaultSet:
    """The faults of one hub, thread-safe: handler threads take them while a test adds or clears them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        """Add a fault (after the existing ones, so those win) and return it to read ``hits`` later."""
        if fault.methods is not None:
            fault.methods = frozenset(m.upper() for m in fault.methods)
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The fault for this request, counting the hit; ``None`` when the request is served normally."""
        with self._lock:
            for fault in self._faults:
                if fault.active and fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._faults)


@dataclass
class RecordedRequest:
    """One request as the server received it, and how it answered.

    ``headers`` has lower-cased names. ``status`` is ``None`` if the connection was cut before a response;
    ``bytes_sent`` counts body bytes and is final once :meth:`FakeHub.wait_idle` returned. ``client_port``
    tells connections apart: requests on one keep-alive connection share it.
    """

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes = b""
    origin: str = "hub"
    client_port: int = 0
    status: int | None = None
    bytes_sent: int = 0
    fault: Fault | None = None
    started: float = field(default_factory=time.monotonic)

    @property
    def query(self) -> dict[str, list[str]]:
        """The query parameters, each with all its values (``expand=a&expand=b``)."""
        return parse_qs(self.query_string, keep_blank_values=True)

    def header(self, name: str) -> str | None:
        """A request header, case-insensitively."""
        return self.headers.get(name.lower())


class RequestLog:
    """Every request a hub received, in arrival order, plus the count of those still being answered."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._requests: list[RecordedRequest] = []
        self._in_flight = 0

    def begin(self, request: RecordedRequest) -> None:
        """Record a request the server started answering."""
        with self._lock:
            self._requests.append(request)
            self._in_flight += 1

    def end(self) -> None:
        """Mark one answer as done (a count is all :meth:`wait_idle` needs)."""
        with self._lock:
            self._in_flight -= 1
            self._lock.notify_all()

    def snapshot(self) -> list[RecordedRequest]:
        """A copy of the list, safe to iterate while the server keeps recording."""
        with self._lock:
            return list(self._requests)

    def clear(self) -> None:
        """Forget the requests recorded so far."""
        with self._lock:
            self._requests.clear()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is being answered; ``False`` on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._in_flight == 0, timeout)
