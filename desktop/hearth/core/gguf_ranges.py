"""A growing prefix of one remote file, fetched with HTTP Range requests until a header parser is satisfied.

Why its own module: this is the part that faces the network's misbehaviour. Bodies are streamed and counted,
never read whole, so a server that ignores ``Range`` (answering 200 with the whole file, or endless garbage)
is cut off at the cap and parsed while it streams; a connection dropped after some progress is resumed from
the last byte received; a cancel event or the deadline stops the read between two network chunks; error
answers are read only up to 64 KiB before ``huggingface_hub`` turns them into its typed errors.
"""

from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING

from hearth.core.gguf_parse import HeaderParser, NeedMoreData
from hearth.core.gguf_types import GGUFHeader, InvalidGGUF

if TYPE_CHECKING:
    import httpx2

_ERROR_BODY_LIMIT = 64 * 1024
_MAX_REQUESTS = 64
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")


class HeaderReadCancelled(Exception):
    """The cancel event was set while the header was being read."""


def normalize_etag(value: str | None) -> str | None:
    """An ETag without its quotes and weak prefix, as the Hub compares them (``None`` when absent)."""
    if not value:
        return None
    return value.strip().removeprefix("W/").strip('"') or None


def _http_error(response: httpx2.Response, body: bytes) -> None:
    """Raise ``huggingface_hub``'s typed error for an error answer, from a bounded copy of its body."""
    import httpx2
    from huggingface_hub.utils import hf_raise_for_status

    skip = {"content-encoding", "content-length", "transfer-encoding"}
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in skip]
    detached = httpx2.Response(response.status_code, headers=headers, content=body, request=response.request)
    hf_raise_for_status(detached)


class RangeReader:
    """Grows a prefix of one remote file until a :class:`HeaderParser` is satisfied; see the module docstring."""

    def __init__(
        self,
        url: str,
        headers: dict[str, str],
        parser: HeaderParser,
        *,
        max_bytes: int,
        cancel: threading.Event | None,
        timeout: float,
        deadline: float,
    ) -> None:
        self.url, self.headers, self.parser = url, headers, parser
        self.name = parser.name
        self.max_bytes = max_bytes
        self.cancel = cancel
        self.timeout = timeout
        self.deadline = deadline
        self._give_up_at = time.monotonic() + deadline
        self.buf = bytearray()
        self.eof = False
        self.bytes_read = 0
        self.requests = 0
        self.etag: str | None = None
        self.linked_etag: str | None = None
        self.commit: str | None = None

    # --- control --------------------------------------------------------------------------------------

    def check(self) -> None:
        """Stop on cancel or when past the deadline: called before each request and for every chunk."""
        if self.cancel is not None and self.cancel.is_set():
            raise HeaderReadCancelled(f"reading the header of {self.name} was cancelled")
        if time.monotonic() > self._give_up_at:
            raise TimeoutError(f"reading the header of {self.name} took more than {self.deadline:g} s")

    def _set_size(self, size: int) -> None:
        self.parser.file_size = size

    def _clamp(self, want: int) -> int:
        size = self.parser.file_size
        return min(want, self.max_bytes, size) if size is not None else min(want, self.max_bytes)

    def _attempt(self) -> GGUFHeader | int:
        """The header, or how many bytes of the file to have before trying again."""
        try:
            return self.parser.parse(self.buf)
        except NeedMoreData as more:
            if self.eof or (self.parser.file_size is not None and len(self.buf) >= self.parser.file_size):
                raise InvalidGGUF(
                    f"{self.name} is truncated: the header needs more than the {len(self.buf):,} bytes present"
                ) from None
            if len(self.buf) >= self.max_bytes or more.needed > self.max_bytes:
                raise InvalidGGUF(
                    f"{self.name}: the GGUF header would need at least {more.needed:,} bytes, more than the"
                    f" {self.max_bytes:,} Hearth reads; the file is probably damaged or not a model"
                ) from None
            return self._clamp(max(more.needed, 2 * len(self.buf)))

    # --- the read ---------------------------------------------------------------------------------------

    def read(self, first_chunk: int) -> GGUFHeader:
        import httpx2
        from huggingface_hub.utils import get_session

        session = get_session()
        want = self._clamp(first_chunk)
        while True:
            self.check()
            if self.requests >= _MAX_REQUESTS:
                raise InvalidGGUF(f"{self.name}: gave up after {self.requests} requests for the header")
            before = len(self.buf)
            try:
                header = self._request(session, want)
            except (httpx2.RemoteProtocolError, httpx2.ReadError, httpx2.ReadTimeout):
                if len(self.buf) == before:
                    raise
                header = None  # the connection broke after some progress: ask for the rest
            result = header if header is not None else self._attempt()
            if isinstance(result, GGUFHeader):
                return result
            want = result

    def _request(self, session: httpx2.Client, want: int) -> GGUFHeader | None:
        """One GET for bytes ``len(buf)`` to ``want - 1``; returns a header only when the server ignored the
        range and the header was parsed while streaming."""
        start = len(self.buf)
        headers = {**self.headers, "Range": f"bytes={start}-{max(start, want - 1)}"}
        self.requests += 1
        with session.stream("GET", self.url, headers=headers, timeout=self.timeout, follow_redirects=True) as resp:
            self._note_headers(resp)
            status = resp.status_code
            if status == 416:
                match = re.fullmatch(r"bytes\s+\*/(\d+)", resp.headers.get("Content-Range", "").strip())
                self.eof = True
                if match:
                    self._set_size(int(match[1]))
                return None
            if status >= 400:
                self._raise_for_status(resp)
            if status not in (200, 206):
                raise InvalidGGUF(f"{self.name}: the server answered HTTP {status} instead of the file")
            encoding = resp.headers.get("Content-Encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise InvalidGGUF(
                    f"{self.name}: the server sent the file compressed ({encoding}), which Hearth did not ask for"
                )
            if status == 206:
                self._read_range(resp, start, want)
                return None
            return self._read_whole(resp, start, want)

    def _read_range(self, resp: httpx2.Response, start: int, want: int) -> None:
        match = _CONTENT_RANGE.fullmatch(resp.headers.get("Content-Range", "").strip())
        if match is None:
            raise InvalidGGUF(f"{self.name}: the server's partial answer has no usable Content-Range header")
        first, last, total = int(match[1]), int(match[2]), match[3]
        if first != start or last < first:
            raise InvalidGGUF(f"{self.name}: the server sent bytes {first:,}-{last:,}, Hearth asked from {start:,}")
        if total != "*":
            self._set_size(int(total))
        limit = min(last + 1, want) - start  # a server sending more than it announced is cut off
        got = 0
        for chunk in resp.iter_raw():
            self._count(chunk)
            piece = chunk[: limit - got]
            self.buf += piece
            got += len(piece)
            if got >= limit:
                break
        if total == "*" and last + 1 < want and got >= limit:
            self.eof = True  # asked for more than there is: the file ends here

    def _read_whole(self, resp: httpx2.Response, start: int, want: int) -> GGUFHeader | None:
        """The server ignored ``Range``: stream from byte 0, parse as data arrives, stop at the cap."""
        length = resp.headers.get("Content-Length", "").strip()
        if length.isdigit():
            self._set_size(int(length))
        skip = start
        for chunk in resp.iter_raw():
            self._count(chunk)
            if skip:
                if len(chunk) <= skip:
                    skip -= len(chunk)
                    continue
                chunk, skip = chunk[skip:], 0
            self.buf += chunk[: self.max_bytes - len(self.buf)]
            if len(self.buf) >= want:
                result = self._attempt()  # raises at the cap
                if isinstance(result, GGUFHeader):
                    return result
                want = result
        self.eof = True
        return None

    def _count(self, chunk: bytes) -> None:
        self.bytes_read += len(chunk)
        self.check()

    def _raise_for_status(self, resp: httpx2.Response) -> None:
        body = bytearray()
        for chunk in resp.iter_raw():
            self._count(chunk)
            body += chunk
            if len(body) >= _ERROR_BODY_LIMIT:
                break
        _http_error(resp, bytes(body[:_ERROR_BODY_LIMIT]))
        raise InvalidGGUF(f"{self.name}: the server answered HTTP {resp.status_code}")

    def _note_headers(self, resp: httpx2.Response) -> None:
        """The Hub's content hash and commit, which may sit on the redirect rather than the CDN's answer."""
        for answer in (*resp.history, resp):
            self.linked_etag = self.linked_etag or normalize_etag(answer.headers.get("X-Linked-Etag"))
            self.commit = self.commit or answer.headers.get("X-Repo-Commit")
        self.etag = self.etag or normalize_etag(resp.headers.get("ETag"))
