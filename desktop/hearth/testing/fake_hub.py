"""A fake Hugging Face Hub: a real HTTP server on 127.0.0.1 that the real ``huggingface_hub`` client talks to.

Why a server and not mocks: Hearth's search page, remote GGUF header reads and download manager go through
``huggingface_hub`` and its HTTP client (``httpx``). Mocking that client would test our guesses about it;
pointing it at this server (``HfApi(endpoint=hub.url)``, ``hf_hub_download(..., endpoint=hub.url)``) tests
the real code path, offline, in milliseconds, with faults a real Hub cannot produce on demand.

Usage::

    with FakeHub(tokens={"hf_good"}) as hub:
        hub.add_repo("org/tiny-GGUF", files={"tiny.Q4_K_M.gguf": gguf_path, "README.md": "# Tiny"},
                     tags=["gguf"], downloads=10, gguf={"total": 1_000, "architecture": "llama"})
        hub.drop_connection("*/tiny.Q4_K_M.gguf", after_bytes=4096)   # first GET is cut mid-body
        HfApi(endpoint=hub.url).model_info("org/tiny-GGUF")

What it serves (shapes taken from ``huggingface_hub``'s parsers): ``GET /api/models`` (search, author, filter,
sort + direction, limit, cursor pagination via ``Link``, ``expand``/``full``/``cardData``),
``GET /api/models/{id}[/revision/{rev}]`` (``blobs=true`` for file sizes and LFS), ``GET
/api/models/{id}/tree/{rev}[/{path}]``, ``POST /api/models/{id}/paths-info/{rev}``, ``GET /api/whoami-v2``
and ``HEAD``/``GET /{id}/resolve/{rev}/{file}`` with ``ETag``, ``X-Repo-Commit``, ``Range``/206/416. Errors
carry the ``X-Error-Code`` (``RepoNotFound``, ``RevisionNotFound``, ``EntryNotFound``, ``GatedRepo``) that
the client maps to its typed exceptions. With ``lfs_redirect=True`` LFS files answer 302 to a second
"CDN" server on another port, as the real Hub redirects to its CDN (the client then drops its token).

The server and the data model are split over ``fake_hub_http`` (wire), ``fake_hub_repos`` (repos and JSON)
and ``fake_hub_faults`` (faults and the request log); this module holds the public :class:`FakeHub`.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from hearth.testing.fake_hub_faults import Fault, FaultSet, RecordedRequest, RequestLog
from hearth.testing.fake_hub_http import Exchange, Handler
from hearth.testing.fake_hub_repos import FakeFile, FakeRepo, FileSource, make_model_card

__all__ = [
    "FakeFile",
    "FakeHub",
    "FakeRepo",
    "Fault",
    "FileSource",
    "RecordedRequest",
    "make_model_card",
    "only_local_connections",
]

_STOP_TIMEOUT_S = 5.0


class _Server(ThreadingHTTPServer):
    """A threading server that remembers its connections, so ``stop`` can cut idle keep-alive ones.

    The stdlib server would otherwise leave a thread per pooled client connection blocked in ``readline``
    (httpx keeps connections open), which the leak checks rightly call a leaked thread.
    """

    daemon_threads = True  # a safety net only: stop() joins every thread

    def __init__(self, hub: FakeHub, origin: str) -> None:
        self.hub = hub
        self.origin = origin
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._conn_threads: list[threading.Thread] = []
        super().__init__((hub.host, 0), Handler)

    def server_bind(self) -> None:
        """Bind without ``HTTPServer``'s ``socket.getfqdn``, a reverse DNS lookup a test must not wait on."""
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]  # type: ignore[assignment]

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name=f"fake-hub-{self.origin}-conn",
            daemon=True,
        )
        with self._lock:
            self._connections.add(request)
            self._conn_threads = [t for t in self._conn_threads if t.is_alive()]
            self._conn_threads.append(thread)
        thread.start()

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Keep tracebacks out of the test output, but keep unexpected errors for ``FakeHub.errors``."""
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.hub._errors.append(error)

    def close_connections(self) -> list[threading.Thread]:
        """Shut every open connection down (blocked reads return) and return the threads to join."""
        with self._lock:
            for connection in self._connections:
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            return list(self._conn_threads)


class FakeHub:
    """A Hugging Face Hub on ``127.0.0.1``: add repos, add faults, point ``huggingface_hub`` at :attr:`url`.

    ``tokens`` are the valid ``Bearer`` tokens; with ``reject_invalid_tokens`` any other token gets 401 as on
    the real Hub. ``list_page_size`` and ``tree_page_size`` cap each page (the Hub caps at 1000) so a test
    forces pagination with a handful of repos. Thread-safe: handler threads and the test share the state.
    """

    def __init__(
        self,
        *,
        tokens: Iterable[str] = (),
        lfs_redirect: bool = False,
        list_page_size: int = 1000,
        tree_page_size: int = 1000,
        reject_invalid_tokens: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        self.host = host
        self.tokens: set[str] = set(tokens)
        self.lfs_redirect = lfs_redirect
        self.list_page_size = list_page_size
        self.tree_page_size = tree_page_size
        self.reject_invalid_tokens = reject_invalid_tokens
        self._repos: dict[str, FakeRepo] = {}
        self._lock = threading.RLock()
        self._faults = FaultSet()
        self._log = RequestLog()
        self._errors: list[BaseException] = []
        self._stopping = threading.Event()
        self._servers: list[_Server] = []
        self._loops: list[threading.Thread] = []

    # --- lifecycle ---------------------------------------------------------------------------------------

    def start(self) -> FakeHub:
        """Listen on an ephemeral port (and a second one for the CDN with ``lfs_redirect``)."""
        if self._servers:
            raise RuntimeError("FakeHub already started")
        self._stopping.clear()
        for origin in ("hub", "cdn") if self.lfs_redirect else ("hub",):
            server = _Server(self, origin)
            loop = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fake-hub-{origin}", daemon=True
            )
            self._servers.append(server)
            self._loops.append(loop)
            loop.start()
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections (throttled bodies abort) and join every thread."""
        self._stopping.set()
        threads: list[threading.Thread] = []
        for server in self._servers:
            server.shutdown()
            server.server_close()
            threads += server.close_connections()
        for thread in [*self._loops, *threads]:
            thread.join(_STOP_TIMEOUT_S)
        self._servers.clear()
        self._loops.clear()

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the ``endpoint=`` for ``HfApi`` and ``hf_hub_download``."""
        return self._origin_url(0)

    @property
    def cdn_url(self) -> str:
        """The CDN origin LFS files redirect to (only with ``lfs_redirect=True``)."""
        return self._origin_url(1)

    def _origin_url(self, index: int) -> str:
        if len(self._servers) <= index:
            raise RuntimeError("FakeHub is not started" if not self._servers else "no CDN without lfs_redirect=True")
        return f"http://{self.host}:{self._servers[index].server_address[1]}"

    def _sleep(self, seconds: float) -> bool:
        """Sleep, waking early when the hub stops; ``True`` means "stopping, give up"."""
        return self._stopping.wait(seconds)

    # --- repos -------------------------------------------------------------------------------------------

    def add_repo(self, repo_id: str, files: Mapping[str, FileSource | FakeFile] | None = None, **meta: Any) -> FakeRepo:
        """Add (or replace) a repo; ``meta`` are :class:`FakeRepo` fields (``gated``, ``downloads``, ``likes``,
        ``tags``, ``created_at``, ``last_modified``, ``card_data``, ``gguf``, ``private``, ``sha``, ...).

        File values are ``bytes``, ``str`` (text) or a ``Path`` (streamed from disk), or a ready ``FakeFile``.
        """
        fakes = {
            path: value if isinstance(value, FakeFile) else FakeFile(path, value)
            for path, value in (files or {}).items()
        }
        if "allowed_tokens" in meta and meta["allowed_tokens"] is not None:
            meta["allowed_tokens"] = frozenset(meta["allowed_tokens"])
        repo = FakeRepo(repo_id, fakes, **meta)
        with self._lock:
            self._repos[repo_id] = repo
        return repo

    def add_file(self, repo_id: str, path: str, source: FileSource, *, lfs: bool | None = None) -> FakeFile:
        """Add or replace one file as a new commit (the repo's ``sha`` changes, like a push)."""
        fake = FakeFile(path, source, lfs=lfs)
        with self._lock:
            repo = self._repos[repo_id]
            repo.files = {**repo.files, path: fake}
            repo.new_commit()
        return fake

    def remove_repo(self, repo_id: str) -> None:
        with self._lock:
            self._repos.pop(repo_id, None)

    def repo(self, repo_id: str) -> FakeRepo:
        """The repo, to read or tweak (``repo.downloads = ...``) between requests."""
        with self._lock:
            return self._repos[repo_id]

    def file_url(self, repo_id: str, filename: str, revision: str = "main") -> str:
        """The resolve URL, as ``huggingface_hub.hf_hub_url(..., endpoint=hub.url)`` builds it."""
        return f"{self.url}/{repo_id}/resolve/{quote(revision, safe='')}/{quote(filename)}"

    # --- faults and records --------------------------------------------------------------------------------

    def add_fault(self, fault: Fault) -> Fault:
        """Add any :class:`Fault`; returned so the test can read ``fault.hits``."""
        return self._faults.add(fault)

    def fail(
        self,
        pattern: str,
        status: int,
        *,
        times: int | None = None,
        retry_after: int | None = None,
        error_code: str | None = None,
        methods: Iterable[str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Fault:
        """Answer ``status`` to matching requests (``times`` of them, then serve normally)."""
        return self.add_fault(
            Fault(
                pattern,
                methods=frozenset(methods) if methods is not None else None,
                status=status,
                error_code=error_code,
                retry_after=retry_after,
                headers=dict(headers or {}),
                times=times,
            )
        )

    def drop_connection(
        self,
        pattern: str,
        after_bytes: int,
        *,
        times: int | None = 1,
        reset: bool = False,
        methods: Iterable[str] = ("GET",),
    ) -> Fault:
        """Send headers and ``after_bytes`` of the body, then close the socket (an RST with ``reset``)."""
        return self.add_fault(
            Fault(pattern, methods=frozenset(methods), drop_after_bytes=after_bytes, reset=reset, times=times)
        )

    def throttle(
        self,
        pattern: str,
        *,
        bytes_per_second: int | None = None,
        chunk_delay_s: float = 0.0,
        delay_s: float = 0.0,
        chunk_size: int = 64 * 1024,
        times: int | None = None,
    ) -> Fault:
        """Slow matching answers down: a delay before, and a rate or a pause per ``chunk_size`` bytes."""
        return self.add_fault(
            Fault(
                pattern,
                bytes_per_second=bytes_per_second,
                chunk_delay_s=chunk_delay_s,
                delay_s=delay_s,
                chunk_size=chunk_size,
                times=times,
            )
        )

    def clear_faults(self) -> None:
        self._faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, in order (a copy)."""
        return self._log.snapshot()

    def requests_to(self, pattern: str, method: str | None = None) -> list[RecordedRequest]:
        """The recorded requests whose path matches the glob (and method)."""
        probe = Fault(pattern)
        return [r for r in self.requests if probe.matches(r.method, r.path) and method in (None, r.method)]

    def clear_requests(self) -> None:
        self._log.clear()

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until no request is being answered, so ``status``/``bytes_sent`` records are final."""
        return self._log.wait_idle(timeout)

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions the server raised while answering (client disconnects excluded): should stay empty."""
        return list(self._errors)

    def reset(self) -> None:
        """Forget faults, requests and errors; the repos stay."""
        self.clear_faults()
        self.clear_requests()
        self._errors.clear()

    # --- for the request handlers ------------------------------------------------------------------------

    def _dispatch(self, handler: Handler) -> None:
        Exchange(self, handler, handler.server.origin).run()  # type: ignore[attr-defined]

    def _repo_or_none(self, repo_id: str) -> FakeRepo | None:
        with self._lock:
            return self._repos.get(repo_id)

    def _all_repos(self) -> list[FakeRepo]:
        with self._lock:
            return list(self._repos.values())


@contextlib.contextmanager
def only_local_connections() -> Iterator[None]:
    """Make any socket ``connect`` to a non-loopback address fail, so a test proves it stays offline."""
    original = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        host = address[0] if isinstance(address, tuple) else None
        if sock.family in (socket.AF_INET, socket.AF_INET6) and host not in ("127.0.0.1", "::1", "localhost"):
            raise ConnectionRefusedError(f"test tried to reach {address!r}: only 127.0.0.1 is allowed")
        original(sock, address)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        socket.socket.connect = original  # type: ignore[method-assign]
