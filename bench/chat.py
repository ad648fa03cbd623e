"""Chat through the engine process against llama-cpp-python called directly in one process.

Same model, same settings (Gemma 3 270M Q4_K_M, 2 threads, 2048 context, CPU, greedy, 128 tokens), same prompt
tokens and the same per-token loop (``llm.generate`` + detokenize), so the difference is the cost of the
process boundary: one JSON message per token through a pipe, and the client's reader thread.

* decode tokens/s: (n - 1) / (last token - first token), measured where the tokens are used: in the app for
  Hearth, in the loop for the direct call.
* time to first token: from the request to the first token in the app's hands. Every run uses a new prompt,
  so each includes the prompt's evaluation (no KV-cache reuse between runs) on both sides.

The two sides run alternately (one reply in-process, the same prompt through the engine, ...) and the ratio is
the median of the pairs: on a shared 2-core machine, other programs slow both sides of a pair alike.
"""

from __future__ import annotations

import statistics
import time

from bench.harness import Result, benchmark
from bench.real_models import gemma3_270m
from hearth.core.engine import EngineClient, Sampling
from hearth.core.load_settings import LoadSettings

N_TOKENS = 128
REPEATS = 7
SETTINGS = LoadSettings(n_ctx=2048, n_threads=2, n_gpu_layers=0)
# Gemma 3 270M is a base model: no template, so plain text it continues (the override keeps both sides equal).
TEMPLATE = "{% for message in messages %}{{ message['content'] }}{% endfor %}"


def _prompt(i: int) -> str:
    return f"Chapter {i + 1}. The old lighthouse keeper climbed the stairs every night, and on this night"


class _Direct:
    """llama-cpp-python in this process, with the engine's per-token loop."""

    def __init__(self, path: str) -> None:
        import llama_cpp

        from hearth.core.engine.loading import llama_kwargs

        self._is_eog = llama_cpp.llama_vocab_is_eog
        self.llm = llama_cpp.Llama(path, verbose=False, **llama_kwargs(SETTINGS))

    def run(self, prompt: str) -> tuple[float, float]:
        """(decode tokens/s, first-token ms)."""
        llm = self.llm
        start = time.perf_counter()
        tokens = llm.tokenize(prompt.encode(), add_bos=True, special=True)
        n, first, last = 0, 0.0, 0.0
        stream = llm.generate(tokens, temp=0, top_k=40, top_p=0.95, min_p=0.05, repeat_penalty=1.0)
        for token in stream:
            if self._is_eog(llm._model.vocab, token):
                break
            llm.detokenize([token]).decode("utf-8", errors="replace")
            n += 1
            last = time.perf_counter()
            first = first or last
            if n >= N_TOKENS:
                break
        stream.close()
        assert n == N_TOKENS, n
        return (n - 1) / (last - first), (first - start) * 1000


def _through_engine(engine: EngineClient, prompt: str) -> tuple[float, float]:
    """(decode tokens/s, first-token ms) through Hearth's engine, measured in the app."""
    sampling = Sampling(temperature=0, repeat_penalty=1.0, max_tokens=N_TOKENS)
    handle = engine.generate([{"role": "user", "content": prompt}], sampling)
    times = [time.perf_counter() for _ in handle]
    result = handle.result(120)
    assert result.completion_tokens == N_TOKENS, result
    return (len(times) - 1) / (times[-1] - times[0]), result.first_token_ms


def _stop_extra(engine: EngineClient) -> int:
    """Tokens the engine still generates after the app asks it to stop at token 32."""
    handle = engine.generate([{"role": "user", "content": _prompt(99)}], Sampling(temperature=0, max_tokens=400))
    seen = 0
    for _ in handle:
        seen = handle.n_tokens
        if seen >= 32:
            handle.stop()
            break
    return handle.result(60).completion_tokens - seen


@benchmark("chat", "Gemma 3 270M: tokens/s and first-token time through the engine process vs in-process")
def chat() -> list[Result]:
    """Runs alternate (in-process, engine, in-process, ...) so that load from other programs hits both alike."""
    path = str(gemma3_270m())
    direct = _Direct(path)
    pairs = []
    with EngineClient() as engine:
        loaded = engine.load(path, SETTINGS, template_override=TEMPLATE).result(120)
        for i in range(REPEATS + 1):  # the first pair is a warm-up
            pairs.append((direct.run(_prompt(i)), _through_engine(engine, _prompt(i))))
        stop_extra = _stop_extra(engine)
    direct.llm.close()
    pairs = pairs[1:]
    med = statistics.median
    direct_rate, rate = med(d[0] for d, _ in pairs), med(e[0] for _, e in pairs)
    direct_first, first = med(d[1] for d, _ in pairs), med(e[1] for _, e in pairs)
    ratio = med(e[0] / d[0] for d, e in pairs)
    overhead = med(e[1] - d[1] for d, e in pairs)
    return [
        Result("decode, llama-cpp-python in-process", direct_rate, "tok/s", "", f"{N_TOKENS} tokens, 2 threads"),
        Result("decode, through Hearth's engine", rate, "tok/s", "", loaded.gpu_summary),
        Result("engine / in-process", ratio, "x", ">= 0.97", f"median of {len(pairs)} paired runs"),
        Result("first token, in-process", direct_first, "ms", "", "includes the prompt's evaluation"),
        Result("first token, through the engine", first, "ms", "", "request to first token in the app"),
        Result("first-token overhead", overhead, "ms", "<= 30 ms", "median of paired differences"),
        Result("tokens after stop", stop_extra, "tokens", "<= 1", "stop asked at token 32"),
        Result("load (engine)", loaded.load_ms, "ms", "", "Llama() in the engine, incl. the fit plan"),
    ]


# --- the chat page's main thread while a reply streams (owned by the Chat page) ---------------------------------

UI_TICK_MS = 5
UI_TOKENS = 400


def _ui_stall(model_path: str, n_ctx: int, max_tokens: int) -> tuple[float, float, int]:
    """(longest gap between 5 ms main-thread ticks in ms, median gap, characters shown) while the Chat page
    streams one reply from ``model_path`` at full speed: real engine, real store, offscreen widgets."""
    import os
    import tempfile
    from pathlib import Path

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from hearth.core.chat import ConversationStore
    from hearth.ui.chat.page import ChatPage

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp, EngineClient() as engine:
        store = ConversationStore(Path(tmp) / "conversations.sqlite3")
        settings = LoadSettings(n_ctx=n_ctx, n_threads=2, n_gpu_layers=0)
        page = ChatPage(engine, store, None, settings_for=lambda _p, _t: settings)
        page.resize(1200, 780)
        page.show()
        loop = QEventLoop()
        page.loader.loaded.connect(loop.quit)
        page.open_model(model_path)
        loop.exec()
        page.settings.max_tokens.setValue(max_tokens)
        page.settings.temperature.setValue(0.0)
        gaps: list[float] = []
        clock = QElapsedTimer()
        ticker = QTimer(interval=UI_TICK_MS)

        def tick() -> None:
            if page.replies.current is not None:
                gaps.append(clock.nsecsElapsed() / 1e6)
            clock.restart()

        ticker.timeout.connect(tick)
        page.replies.finished.connect(loop.quit)
        page.composer.input.setPlainText("Write a long story about a lighthouse, with a Python example:\n```python")
        clock.start()
        ticker.start()
        page.composer.button.click()
        loop.exec()
        ticker.stop()
        shown = len(page.view.toPlainText())
        page.shutdown()
        page.deleteLater()
        app.processEvents()
        store.close()
    gaps = gaps[1:] or [0.0]  # the first tick measures from before the send
    return max(gaps), statistics.median(gaps), shown


@benchmark("chat_ui", "Chat page: longest main-thread stall while a reply streams at full speed")
def chat_ui() -> list[Result]:
    """A 5 ms QTimer on the main thread; any gap much above 5 ms is time the UI could not respond."""
    worst, median, shown = _ui_stall(str(gemma3_270m()), 2048, UI_TOKENS)
    note = f"Gemma 3 270M, {UI_TOKENS} tokens; median tick gap {median:.1f} ms; {shown:,} characters shown"
    return [Result("longest main-thread stall while streaming", worst, "ms", "< 50 ms", note)]
