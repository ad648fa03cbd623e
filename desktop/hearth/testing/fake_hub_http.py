"""The HTTP side of :mod:`hearth.testing.fake_hub`: one handler per connection, one :class:`Exchange` per request.

Why it is written against ``http.server`` by hand: the point of the fake is to behave like the real Hub *on
the wire* (HTTP/1.1 keep-alive, ``Content-Length`` on every answer, ``Range``/206/416, ``Link`` pagination,
the ``X-Error-Code`` headers ``huggingface_hub`` turns into typed errors) and to misbehave on demand (cut a
body after N bytes, throttle it), which a framework would hide.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import struct
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from hearth.testing.fake_hub_faults import Fault, RecordedRequest
from hearth.testing.fake_hub_repos import FakeFile, FakeRepo
from hearth.testing.fake_hub_routes import handle

if TYPE_CHECKING:
    from hearth.testing.fake_hub import FakeHub

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
_DISCONNECTS = (ConnectionError, TimeoutError, BrokenPipeError)


class Unsatisfiable(Exception):
    """A ``Range`` header the server answers with 416."""


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive byte span a ``Range`` header asks for, or ``None`` to send the whole file.

    Other units than ``bytes`` are ignored, as RFC 9110 says. A ``bytes=`` range that is malformed, asks
    for several spans (``huggingface_hub`` never does), starts past the end or ends before it starts raises
    :class:`Unsatisfiable`; an end past the file is clamped, ``bytes=-N`` is the last N bytes.
    """
    if header is None or not header.strip().lower().startswith("bytes="):
        return None
    match = _RANGE.fullmatch(header.replace(" ", "").lower())
    if match is None:
        raise Unsatisfiable(header)
    first, last = match.groups()
    if not first:
        if not last or int(last) == 0 or size == 0:
            raise Unsatisfiable(header)
        return max(0, size - int(last)), size - 1
    start = int(first)
    end = size - 1 if not last else min(int(last), size - 1)
    if start >= size or (last and int(last) < start):
        raise Unsatisfiable(header)
    return start, end


class Handler(BaseHTTPRequestHandler):
    """Reads requests off one connection and hands each to an :class:`Exchange`.

    ``timeout`` bounds how long an idle keep-alive connection keeps its thread; :meth:`FakeHub.stop` does not
    wait for it, it shuts the sockets down.
    """

    protocol_version = "HTTP/1.1"
    timeout = 60
    server_version = "FakeHub/1.0"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: the test output is no place for an access log (requests are recorded instead)."""

    def do_GET(self) -> None:
        self.server.hub._dispatch(self)  # type: ignore[attr-defined]

    do_HEAD = do_POST = do_PUT = do_DELETE = do_GET


class Exchange:
    """One request and its answer: parses, applies faults, routes, writes."""

    def __init__(self, hub: FakeHub, handler: Handler, origin: str) -> None:
        self.hub = hub
        self.handler = handler
        self.origin = origin
        self.method = handler.command
        split = urlsplit(handler.path)
        self.raw_path = split.path
        self.path = unquote(split.path)
        self.params = parse_qs(split.query, keep_blank_values=True)
        self.segments = [unquote(s) for s in split.path.split("/")[1:]]
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        self.body = self._read_body()
        port = handler.client_address[1] if isinstance(handler.client_address, tuple) else 0
        self.record = RecordedRequest(self.method, self.path, split.query, self.headers, self.body, origin, port)
        self.fault: Fault | None = None
        self.headers_sent = False

    # --- request ---------------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        """Read the whole request body first, so the connection stays usable whatever the answer."""
        rfile = self.handler.rfile
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while (size := int(rfile.readline().split(b";")[0].strip() or b"0", 16)) > 0:
                chunks.append(rfile.read(size))
                rfile.readline()
            while rfile.readline() not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        length = int(self.headers.get("content-length") or 0)
        return rfile.read(length) if length else b""

    def param(self, name: str) -> str | None:
        values = self.params.get(name)
        return values[-1] if values else None

    def param_list(self, *names: str) -> list[str]:
        return [value for name in names for value in self.params.get(name, [])]

    def token(self) -> str | None:
        auth = self.headers.get("authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    # --- answers ---------------------------------------------------------------------------------------

    def send_head(self, status: int, headers: dict[str, str], length: int) -> None:
        """Status line and headers; always a ``Content-Length`` so keep-alive stays in sync."""
        self.record.status = status
        self.handler.send_response(status)
        request_id = self.headers.get("x-amzn-trace-id") or self.headers.get("x-request-id")
        if request_id:
            self.handler.send_header("X-Request-Id", request_id)
        for name, value in headers.items():
            self.handler.send_header(name, value)
        self.handler.send_header("Content-Length", str(length))
        self.handler.end_headers()
        self.headers_sent = True

    def send_bytes(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_head(status, headers or {}, len(body))
        if self.method != "HEAD":
            self.write_body([body], len(body))

    def send_json(self, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_bytes(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})

    def send_error(
        self, status: int, message: str, code: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """An error as the Hub writes it: JSON ``{"error": ...}``, ``X-Error-Message`` and ``X-Error-Code``."""
        extra = {"X-Error-Message": message, **({"X-Error-Code": code} if code else {}), **(headers or {})}
        self.send_json({"error": message}, status, extra)

    def write_body(self, chunks: Iterable[bytes], total: int) -> None:
        """Write the body, applying the fault's throttle and its cut after N bytes.

        The throttle pauses *between* pieces (after each one but the last), so the client sees the pace and
        the connection is not held after the final byte.
        """
        fault = self.fault
        drop_at = fault.drop_after_bytes if fault and fault.drop_after_bytes is not None else None
        step = max(1, fault.chunk_size) if fault else 1 << 20
        pause = 0.0
        for chunk in chunks:
            for start in range(0, len(chunk), step):
                if pause and self.hub._sleep(pause):
                    self.abort(reset=False)
                    return
                piece = chunk[start : start + step]
                cut = drop_at is not None and drop_at < total and self.record.bytes_sent + len(piece) >= drop_at
                if cut:
                    piece = piece[: drop_at - self.record.bytes_sent]  # type: ignore[operator]
                self.handler.wfile.write(piece)
                self.record.bytes_sent += len(piece)
                if cut:
                    self.abort(reset=fault.reset if fault else False)
                    return
                if fault is not None and (fault.bytes_per_second or fault.chunk_delay_s):
                    rate = len(piece) / fault.bytes_per_second if fault.bytes_per_second else 0.0
                    pause = fault.chunk_delay_s + rate

    def abort(self, reset: bool) -> None:
        """Cut the connection: a FIN after what was sent, or a TCP RST (``SO_LINGER`` 0) with ``reset``."""
        self.handler.close_connection = True
        connection: socket.socket = self.handler.connection
        try:
            if reset:
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                connection.close()  # the real close, with the RST, happens once the handler's files close
            else:
                connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # --- the exchange ------------------------------------------------------------------------------------

    def run(self) -> None:
        """Record, apply a fault, route; disconnects by the client are normal, other errors are kept."""
        self.hub._log.begin(self.record)
        try:
            self.fault = self.hub._faults.take(self.method, self.path)
            self.record.fault = self.fault
            if self.fault is None or not self._apply_fault(self.fault):
                self.route()
        except _DISCONNECTS:
            self.handler.close_connection = True
        except Exception as error:  # noqa: BLE001 - kept for FakeHub.errors, answered as a 500
            self.hub._errors.append(error)
            self.handler.close_connection = True
            if not self.headers_sent:
                with contextlib.suppress(OSError):
                    self.send_error(500, f"fake hub error: {error!r}")
        finally:
            self.hub._log.end()

    def _apply_fault(self, fault: Fault) -> bool:
        """Apply what happens before routing; ``True`` when the fault answered the request itself."""
        if fault.delay_s and self.hub._sleep(fault.delay_s):
            self.abort(reset=False)
            return True
        if fault.disconnect:
            self.abort(reset=fault.reset)
            return True
        if fault.status is None:
            return False
        headers = dict(fault.headers)
        if fault.retry_after is not None:
            headers["Retry-After"] = str(fault.retry_after)
        self.send_error(fault.status, fault.message or f"injected {fault.status}", fault.error_code, headers)
        return True

    def route(self) -> None:
        if self.origin == "cdn":
            self.serve_cdn()
        else:
            handle(self.hub, self)

    # --- files -------------------------------------------------------------------------------------------

    def serve_file(self, fake: FakeFile, headers: dict[str, str]) -> None:
        """The file's bytes, whole or the asked ``Range`` (GET only), with the headers every download reads."""
        size = fake.size
        base = {
            "Content-Type": "text/plain; charset=utf-8" if fake.path.endswith(".md") else "application/octet-stream",
            "Accept-Ranges": "bytes",
            "ETag": f'"{fake.etag()}"',
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(fake.path.rsplit('/', 1)[-1])}",
            **headers,
        }
        try:
            span = parse_range(self.headers.get("range"), size) if self.method == "GET" else None
        except Unsatisfiable:
            self.send_error(416, "Requested Range Not Satisfiable", None, {**base, "Content-Range": f"bytes */{size}"})
            return
        start, end = span if span is not None else (0, size - 1)
        length = end - start + 1 if size else 0
        if span is not None:
            base["Content-Range"] = f"bytes {start}-{end}/{size}"
        self.send_head(206 if span is not None else 200, base, length)
        if self.method != "HEAD" and length:
            self.write_body(self._file_chunks(fake, start, length), length)

    def _file_chunks(self, fake: FakeFile, start: int, length: int) -> Iterable[bytes]:
        with fake.open() as handle:
            handle.seek(start)
            left = length
            while left > 0 and (chunk := handle.read(min(left, 1 << 20))):
                left -= len(chunk)
                yield chunk

    def serve_cdn(self) -> None:
        """``/{repo_id}/{sha256}`` on the CDN origin: an LFS blob, no auth (the URL is the "signature")."""
        repo_id, _, sha = "/".join(self.segments).rpartition("/")
        repo: FakeRepo | None = self.hub._repo_or_none(repo_id)
        fake = None
        if repo is not None:
            fake = next((f for f in list(repo.files.values()) if f.is_lfs and f.content_sha256() == sha), None)
        if fake is None:
            self.send_bytes(404, b"<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
            return
        self.serve_file(fake, {})
