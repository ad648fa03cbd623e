"""The engine process: owns llama.cpp, answers requests from the app one at a time, streams tokens back.

Why two threads: the main thread runs requests in order (load, generate, count, unload); a reader thread
receives everything the app sends while the main thread is busy. ``Stop`` is acted on by the reader at once
(the request id goes into a set the generation loop checks between every two tokens), so a stop lands within
one token however long the reply would have been. Everything else is queued for the main thread.

The app starts it as ``python -m hearth.core.engine.worker`` and talks over its stdin and stdout. stdout is
moved aside first (fd 1 then points to stderr), so nothing llama.cpp prints can corrupt a message. If the app's
end closes (the app crashed or was killed), the reader treats it as ``Shutdown``: an engine never outlives its
app.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
import queue
import random
import signal
import sys
import threading
import time
from pathlib import Path
from typing import IO

import llama_cpp.llama_cpp as llama_c

from hearth.core.engine import protocol as p
from hearth.core.engine.loading import LoadedModel, LoadFailed, load_model
from hearth.core.engine.streaming import TextStream
from hearth.core.engine.templates import CHATML_TOKENS, ChatTemplate, PromptRenderer, TemplateError, choose_template
from hearth.core.load_settings import LoadSettings

# Test hook: seconds to wait before each token, to make a tiny model as slow as a real one. Never set in the app.
TOKEN_DELAY_ENV = "HEARTH_ENGINE_TEST_TOKEN_DELAY_S"


class Worker:
    def __init__(self, rx: IO[bytes], tx: IO[bytes]) -> None:
        self._rx, self._tx = rx, tx
        self._send_lock = threading.Lock()
        self._requests: queue.Queue[p.Request] = queue.Queue()
        self._stopped: set[int] = set()  # request ids asked to stop (generations and loads)
        self._model: LoadedModel | None = None
        self._renderer: PromptRenderer | None = None
        self._path = ""
        self._token_delay = float(os.environ.get(TOKEN_DELAY_ENV, "0") or 0)

    def send(self, event: p.Event) -> None:
        with self._send_lock:
            p.write_message(self._tx, event)

    def run(self) -> None:
        threading.Thread(target=self._read, name="hearth-engine-reader", daemon=True).start()
        while True:
            request = self._requests.get()
            if isinstance(request, p.Shutdown):
                break
            try:
                self._handle(request)
            except (BrokenPipeError, EOFError):
                break
            except Exception as exc:  # noqa: BLE001 - one bad request must not end the engine
                request_id = getattr(request, "request_id", 0)
                self.send(p.Error(request_id, "internal", f"{type(exc).__name__}: {exc}"))
        self._free()

    def _read(self) -> None:
        while True:
            try:
                request = p.read_request(self._rx) or p.Shutdown()
            except (OSError, ValueError):
                request = p.Shutdown()
            if isinstance(request, p.Stop):
                self._stopped.add(request.request_id)
                continue
            self._requests.put(request)
            if isinstance(request, p.Shutdown):
                self._stopped.add(-1)  # ends a reply in progress
                return

    def _handle(self, request: p.Request) -> None:
        if isinstance(request, p.Load):
            self._load(request)
        elif isinstance(request, p.Generate):
            self._generate(request)
        elif isinstance(request, p.Unload):
            self._unload(request.request_id, request.reason)
        elif isinstance(request, p.CountTokens):
            self._count(request)

    # --- load / unload ------------------------------------------------------------------------------------

    def _load(self, request: p.Load) -> None:
        if self._model is not None:
            self._unload(request.request_id, "switch")
        last = [-1.0]

        def progress(fraction: float) -> bool:
            if fraction >= 1.0 or fraction - last[0] >= 0.01:
                last[0] = fraction
                self.send(p.LoadProgress(request.request_id, fraction))
            return request.request_id not in self._stopped and -1 not in self._stopped

        try:
            model = load_model(request.path, LoadSettings(**request.settings), progress)
        except (LoadFailed, ValueError, TypeError) as exc:
            self.send(p.Error(request.request_id, "load", f"cannot load {Path(request.path).name}: {exc}"))
            return
        template = self._choose_template(model, request.template_override)
        try:
            renderer = PromptRenderer(
                template, bos_token=_token_text(model, "bos"), eos_token=_token_text(model, "eos")
            )
            renderer.check()
        except TemplateError as exc:
            model.llm.close()
            self.send(p.Error(request.request_id, "template_unsafe" if exc.unsafe else "template", str(exc)))
            return
        self._model, self._renderer, self._path = model, renderer, request.path
        llm = model.llm
        self.send(
            p.Loaded(
                request_id=request.request_id,
                path=request.path,
                n_ctx_train=model.n_ctx_train,
                n_ctx=int(llm.n_ctx()),
                gpu_layers_offloaded=model.gpu_layers,
                n_layers_total=model.n_layers,
                backend=model.backend,
                buffers=model.buffers,
                chat_template_source=template.source,
                notice=template.notice,
                load_ms=model.load_ms,
                n_threads=model.n_threads,
            )
        )

    def _choose_template(self, model: LoadedModel, override: str | None) -> ChatTemplate:
        llm = model.llm
        chatml = all(len(llm.tokenize(t.encode(), add_bos=False, special=True)) == 1 for t in CHATML_TOKENS)
        return choose_template(
            override=override, model_template=llm.metadata.get("tokenizer.chat_template"), has_chatml_tokens=chatml
        )

    def _unload(self, request_id: int, reason: p.UnloadReason) -> None:
        path = self._path
        self._free()
        self.send(p.Unloaded(request_id, path, reason))

    def _free(self) -> None:
        """Close the model and hand the memory back to the OS (glibc keeps freed heap pages otherwise)."""
        if self._model is not None:
            self._model.llm.close()
        self._model, self._renderer, self._path = None, None, ""
        gc.collect()
        if sys.platform.startswith("linux") and (libc := ctypes.util.find_library("c")):
            ctypes.CDLL(libc).malloc_trim(0)

    # --- tokens -------------------------------------------------------------------------------------------

    def _prompt_tokens(self, messages: tuple[p.Message, ...]) -> list[int]:
        assert self._model is not None and self._renderer is not None
        if messages and messages[-1].get("role") == "assistant":
            # Continue: the reply so far goes after the opened assistant turn. Rendered as a message, the template
            # would close that turn and open a new one, and the model would start its answer over.
            prompt = self._renderer.render(messages[:-1]) + str(messages[-1].get("content", ""))
        else:
            prompt = self._renderer.render(messages)
        bos = _token_text(self._model, "bos")
        add_bos = not (bos and prompt.startswith(bos))  # templates that write the BOS themselves must not get two
        return list(self._model.llm.tokenize(prompt.encode("utf-8"), add_bos=add_bos, special=True))

    def _count(self, request: p.CountTokens) -> None:
        if self._model is None:
            self.send(p.Error(request.request_id, "not_loaded", "No model is loaded."))
            return
        try:
            if request.messages is not None:
                n = len(self._prompt_tokens(request.messages))
            else:
                n = len(self._model.llm.tokenize((request.text or "").encode("utf-8"), add_bos=False))
        except TemplateError as exc:
            self.send(p.Error(request.request_id, "template_unsafe" if exc.unsafe else "template", str(exc)))
            return
        self.send(p.TokenCount(request.request_id, n))

    def _generate(self, request: p.Generate) -> None:
        rid, sampling = request.request_id, request.sampling
        if self._model is None or self._renderer is None:
            self.send(p.Error(rid, "not_loaded", "No model is loaded. Load a model to chat."))
            return
        started = time.perf_counter()
        try:
            tokens = self._prompt_tokens(request.messages)
        except TemplateError as exc:
            self.send(p.Error(rid, "template_unsafe" if exc.unsafe else "template", str(exc)))
            return
        llm = self._model.llm
        n_ctx = int(llm.n_ctx())
        if len(tokens) >= n_ctx:
            message = (
                f"The conversation is {len(tokens):,} tokens long but the model was loaded with a {n_ctx:,}-token "
                "context. Start a new chat, shorten it, or reload the model with a larger context."
            )
            self.send(p.Error(rid, "context", message))
            return
        budget = n_ctx - len(tokens)
        max_tokens = min(sampling.max_tokens or budget, budget)
        llm.set_seed(sampling.seed if sampling.seed is not None else random.randrange(2**31))
        stream = TextStream((*sampling.stop, *self._renderer.template.stop))
        vocab = llm._model.vocab
        n, finish, first, last = 0, "length", 0.0, 0.0
        tokens_iter = llm.generate(
            tokens,
            top_k=sampling.top_k,
            top_p=sampling.top_p,
            min_p=sampling.min_p,
            temp=sampling.temperature,
            repeat_penalty=sampling.repeat_penalty,
        )
        try:
            for token in tokens_iter:
                if self._token_delay:
                    time.sleep(self._token_delay)
                if rid in self._stopped or -1 in self._stopped:
                    finish = "cancelled"
                    break
                if llama_c.llama_vocab_is_eog(vocab, token):
                    finish = "stop"
                    break
                n += 1
                last = time.perf_counter()
                first = first or last
                if text := stream.push(llm.detokenize([token])):
                    self.send(p.Token(rid, text, n))
                if stream.stopped:
                    finish = "stop"
                    break
                if n >= max_tokens:
                    break
        finally:
            tokens_iter.close()
            self._stopped.discard(rid)
        if tail := stream.flush():
            self.send(p.Token(rid, tail, n))
        ttft = ((first or time.perf_counter()) - started) * 1000
        rate = (n - 1) / (last - first) if n > 1 and last > first else 0.0
        self.send(p.Done(rid, finish, len(tokens), n, ttft, rate))  # type: ignore[arg-type]


def _token_text(model: LoadedModel, which: str) -> str:
    llm = model.llm
    token = llm.token_bos() if which == "bos" else llm.token_eos()
    if token < 0:
        return ""
    return llm._model.token_get_text(token)


def main() -> None:
    """Entry point of the engine process: messages on stdin and stdout, which is then pointed at stderr."""
    if hasattr(signal, "SIGINT"):
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal stops the reply (the app's job), not us
    rx = os.fdopen(os.dup(0), "rb")
    tx = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        Worker(rx, tx).run()
    except BrokenPipeError:
        pass  # the app is gone
    finally:
        rx.close()
        with contextlib.suppress(OSError):
            tx.close()


if __name__ == "__main__":
    main()
