"""Start, talk to and supervise the engine process (see ``worker.py`` for the other end).

Why a process: llama.cpp is C++; a segfault, an abort or the kernel's out-of-memory killer must cost the user a
reload, not the app and the conversation. The engine is a plain subprocess (``python -m
hearth.core.engine.worker``) speaking length-prefixed JSON over its stdin and stdout. Not ``multiprocessing``
"spawn": it re-runs the parent's ``__main__`` in the child, so any script that starts an engine at top level
fails, and its pickled messages would let a compromised engine run code in the app.

One reader thread per engine process receives every event, updates the handle it belongs to, then calls
``on_event`` (from that thread: the UI wraps it in a queued Qt signal). When the stream ends and the client did
not ask for it, the process died: the reader reaps it, fails every open request with
:class:`EngineCrashedError` (replies keep their partial text) and emits :class:`protocol.EngineCrashed`.
``reload()`` starts a fresh process with the last model and settings.

Idle unload: with ``idle_unload_s`` set, a watcher thread asks the engine to unload the model after that many
seconds without a request. The process stays (~60 MB, no model), so the next load skips the process start;
``shutdown()`` ends it.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import IO, Any

from hearth.core.engine import protocol as p
from hearth.core.engine.handles import EngineCrashedError, EngineError, GenerationHandle, LoadHandle, Pending
from hearth.core.load_settings import LoadSettings

log = logging.getLogger(__name__)
EventCallback = Callable[[p.Event], None]
WORKER_FLAG = "--hearth-engine-worker"


def engine_command() -> list[str]:
    """How to start the engine: ``python -m ...``, or the frozen app itself with ``WORKER_FLAG`` (its entry
    point must then call ``worker.main()``)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, WORKER_FLAG]
    return [sys.executable, "-m", "hearth.core.engine.worker"]


class EngineClient:
    """The app's side of the engine. Thread-safe; use as a context manager or call :meth:`shutdown`."""

    def __init__(self, *, on_event: EventCallback | None = None, idle_unload_s: float | None = None) -> None:
        self.on_event = on_event
        self.idle_unload_s = idle_unload_s
        self.loaded: p.Loaded | None = None
        self.crash: p.EngineCrashed | None = None
        self._ids = itertools.count(1)
        self._lock = threading.RLock()
        self._process: subprocess.Popen[bytes] | None = None
        self._threads: list[threading.Thread] = []
        self._wake = threading.Event()
        self._pending: dict[int, Pending[Any]] = {}
        self._last_load: tuple[str, LoadSettings, str | None] | None = None
        self._closing = False
        self._last_activity = time.monotonic()

    # --- lifecycle ----------------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the engine process if it is not running (a load does this itself)."""
        with self._lock:
            if self._process is not None:
                return
            process = subprocess.Popen(engine_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self._process, self._closing, self.crash = process, False, None
            self._wake.clear()
            self._threads = [threading.Thread(target=self._read, args=(process,), name="hearth-engine-events")]
            if self.idle_unload_s is not None:
                self._threads.append(threading.Thread(target=self._watch_idle, name="hearth-engine-idle"))
            for thread in self._threads:
                thread.start()

    def shutdown(self, timeout: float = 5.0) -> None:
        """End the engine process: ask, then terminate, then kill; always reaped (no zombie)."""
        with self._lock:
            process, threads = self._process, self._threads
            if process is None:
                return
            self._closing = True
            self._wake.set()
            self._send(p.Shutdown())
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(2)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout)
        _close(process.stdin, process.stdout)
        with self._lock:
            self._process, self._threads, self.loaded = None, [], None
            self._fail_all(EngineError("shutdown", "The engine was shut down."))

    def __enter__(self) -> EngineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    # --- requests -----------------------------------------------------------------------------------------

    def load(
        self, path: str | Path, settings: LoadSettings | None = None, *, template_override: str | None = None
    ) -> LoadHandle:
        """Load a model (unloading the current one). ``n_gpu_layers=None`` ("auto") is resolved by the engine
        from the fit estimate (``session.plan_load``): every layer when the model fits on the GPU, else as many
        as fit."""
        settings = settings or LoadSettings()
        self._last_load = (str(path), settings, template_override)
        request_id = next(self._ids)
        handle = LoadHandle(request_id, str(path), self._cancel)
        self._submit(handle, p.Load(request_id, str(path), asdict(settings), template_override), start=True)
        return handle

    def reload(self) -> LoadHandle:
        """Load the last model again with the same settings (after a crash or an idle unload)."""
        if self._last_load is None:
            raise EngineError("not_loaded", "No model was loaded before, so there is nothing to reload.")
        path, settings, override = self._last_load
        return self.load(path, settings, template_override=override)

    def generate(self, messages: Sequence[p.Message], sampling: p.Sampling | None = None) -> GenerationHandle:
        request_id = next(self._ids)
        handle = GenerationHandle(request_id, self._cancel)
        self._submit(handle, p.Generate(request_id, tuple(dict(m) for m in messages), sampling or p.Sampling()))
        return handle

    def count_tokens(self, content: str | Sequence[p.Message], timeout: float | None = 30.0) -> int:
        """Tokens in ``content``: plain text, or messages rendered as a prompt by the model's template."""
        request_id = next(self._ids)
        pending: Pending[int] = Pending(request_id)
        if isinstance(content, str):
            request = p.CountTokens(request_id, text=content)
        else:
            request = p.CountTokens(request_id, messages=tuple(dict(m) for m in content))
        self._submit(pending, request)
        return pending.result(timeout)

    def unload(self, timeout: float | None = 30.0) -> None:
        """Free the model's memory (the process stays, ready for the next load)."""
        if not self.running:
            return
        self.unload_async("requested").result(timeout)

    def unload_async(self, reason: p.UnloadReason = "requested") -> Pending[p.Unloaded]:
        request_id = next(self._ids)
        pending: Pending[p.Unloaded] = Pending(request_id)
        self._submit(pending, p.Unload(request_id, reason))
        return pending

    # --- internals ----------------------------------------------------------------------------------------

    def _submit(self, pending: Pending[Any], request: p.Request, *, start: bool = False) -> None:
        with self._lock:
            if self._process is None:
                if not start:
                    what = "The model process stopped; reload the model." if self.crash else "No model is loaded."
                    pending._fail(EngineError("not_loaded", what))
                    return
                self.start()
            self._pending[pending.request_id] = pending
            self._last_activity = time.monotonic()
            self._send(request)

    def _send(self, request: p.Request) -> None:
        """Write one request (lock held). A dead process is not an error here: the reader reports the crash."""
        process = self._process
        if process is not None and process.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                p.write_message(process.stdin, request)

    def _cancel(self, request_id: int) -> None:
        with self._lock:
            self._send(p.Stop(request_id))

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        while True:
            try:
                event = p.read_event(process.stdout)
            except (OSError, ValueError):
                event = None
            if event is None:
                break
            self._apply(event)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:  # it closed its stdout but lives on: of no use any more
            process.kill()
            process.wait()
        with self._lock:
            if self._closing or self._process is not process:
                return
            crash = self._crashed(process.returncode)
            self._process, self.loaded = None, None
            self._wake.set()
            threads, self._threads = self._threads, []
        _close(process.stdin, process.stdout)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join()
        self._emit(crash)

    def _watch_idle(self) -> None:
        assert self.idle_unload_s is not None
        interval = max(0.05, min(1.0, self.idle_unload_s / 4))
        while not self._wake.wait(interval):
            with self._lock:
                idle = time.monotonic() - self._last_activity
                if self.loaded is None or self._pending or idle < self.idle_unload_s:
                    continue
                self.loaded = None
            self.unload_async("idle")

    def _apply(self, event: p.Event) -> None:
        with self._lock:
            pending = self._pending.get(getattr(event, "request_id", 0))
            if isinstance(pending, LoadHandle) and isinstance(event, p.Unloaded):
                pending = None  # a switch: the previous model went away on the way to this load
            elif isinstance(event, (p.Loaded, p.Done, p.Error, p.TokenCount, p.Unloaded)):
                self._pending.pop(event.request_id, None)
                self._last_activity = time.monotonic()
            if isinstance(event, p.Loaded):
                self.loaded = event
            elif isinstance(event, p.Unloaded):
                self.loaded = None
        if isinstance(pending, GenerationHandle):
            if isinstance(event, p.Token):
                pending._token(event)
            elif isinstance(event, p.Done):
                pending._finish(event)
        elif isinstance(pending, LoadHandle) and isinstance(event, p.LoadProgress):
            pending.progress = event.fraction
        elif pending is not None and isinstance(event, (p.Loaded, p.TokenCount, p.Unloaded)):
            pending._set(event.n if isinstance(event, p.TokenCount) else event)
        if pending is not None and isinstance(event, p.Error):
            pending._fail(EngineError(event.kind, event.message))
        self._emit(event)

    def _crashed(self, exitcode: int | None) -> p.EngineCrashed:
        """Fail every open request and describe the death (called with the lock held)."""
        if exitcode is not None and exitcode < 0:
            try:
                name = signal.Signals(-exitcode).name
            except ValueError:
                name = "unknown signal"
            how = f"signal {-exitcode} {name}"
            if -exitcode == signal.SIGKILL:
                how += "; the system may have run out of memory"
        else:
            how = f"exit code {exitcode}"
        message = (
            f"The model process stopped unexpectedly ({how}). Your conversation is safe; reload the model to continue."
        )
        replies = [h for h in self._pending.values() if isinstance(h, GenerationHandle)]
        request_id, partial = (replies[0].request_id, replies[0].text) if replies else (0, "")
        for reply in replies:
            reply._fail(EngineCrashedError(p.EngineCrashed(reply.request_id, message, exitcode, reply.text)))
        self.crash = p.EngineCrashed(request_id, message, exitcode, partial)
        self._fail_all(EngineCrashedError(self.crash))
        return self.crash

    def _fail_all(self, error: EngineError) -> None:
        pending, self._pending = self._pending, {}
        for handle in pending.values():
            if not handle.done():
                handle._fail(error)

    def _emit(self, event: p.Event) -> None:
        if self.on_event is None:
            return
        try:
            self.on_event(event)
        except Exception:  # a broken listener must not stop the events
            log.exception("engine event listener failed on %r", event)


def _close(*streams: IO[bytes] | None) -> None:
    for stream in streams:
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
