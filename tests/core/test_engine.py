"""The engine process end to end: tiny generated GGUFs, the real llama-cpp-python, a real child process.

One engine is shared by the module (its start costs ~0.5 s); it is set up before each test's leak check
snapshot (module fixtures come first), so it is not a leak. Tests that kill the engine, or need special
settings, start their own and shut it down.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from hearth.core.engine import EngineClient, EngineCrashedError, EngineError, Sampling
from hearth.core.engine import protocol as p
from hearth.core.engine.worker import TOKEN_DELAY_ENV
from hearth.core.load_settings import LoadSettings
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import CHATML_TEMPLATE, TinyModelSpec, write_tiny_model

pytestmark = pytest.mark.slow

SMALL = LoadSettings(n_ctx=512)
GREEDY = Sampling(temperature=0, max_tokens=16)
HELLO: list[p.Message] = [{"role": "user", "content": "hello"}]
MIB = 1024 * 1024


class Recorder:
    """Collects events; ``wait_for`` blocks until one matches (events arrive on the client's reader thread)."""

    def __init__(self) -> None:
        self.events: list[p.Event] = []
        self._changed = threading.Condition()

    def __call__(self, event: p.Event) -> None:
        with self._changed:
            self.events.append(event)
            self._changed.notify_all()

    def of(self, kind: type[p.Event]) -> list[p.Event]:
        return [e for e in self.events if isinstance(e, kind)]

    def wait_for(self, kind: type[p.Event], timeout: float = 10.0) -> p.Event:
        with self._changed:
            assert self._changed.wait_for(lambda: self.of(kind), timeout), f"no {kind.__name__} within {timeout} s"
            return self.of(kind)[-1]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("engine-models")
    return {
        "chatml": write_tiny_model(folder / "chatml.gguf", TinyModelSpec(chat_template=CHATML_TEMPLATE)),
        "plain": write_tiny_model(folder / "plain.gguf", TinyModelSpec(name="no-template")),
        # ~34 MB of weights: big enough to see memory come and go.
        "big": write_tiny_model(folder / "big.gguf", TinyModelSpec(n_embd=256, n_layers=8, n_ff=1024)),
    }


@pytest.fixture(scope="module")
def shared() -> Iterator[tuple[EngineClient, Recorder]]:
    recorder = Recorder()
    client = EngineClient(on_event=recorder)
    client.start()
    yield client, recorder
    client.shutdown()


@pytest.fixture
def engine(shared: tuple[EngineClient, Recorder]) -> EngineClient:
    client, recorder = shared
    recorder.events.clear()
    return client


@pytest.fixture
def recorder(shared: tuple[EngineClient, Recorder]) -> Recorder:
    return shared[1]


def test_load_reports_what_llama_cpp_did(engine: EngineClient, recorder: Recorder, models: dict[str, Path]) -> None:
    loaded = engine.load(models["chatml"], SMALL).result(30)
    # A CPU-only build: the layer placement comes from llama.cpp's own log (2 blocks + the output layer).
    assert (loaded.backend, loaded.gpu_layers_offloaded, loaded.n_layers_total) == ("CPU", 0, 3)
    assert loaded.gpu_summary == "0/3 layers on GPU (CPU)"
    assert (loaded.n_ctx, loaded.n_ctx_train) == (512, 512)
    assert {b.kind for b in loaded.buffers} >= {"model", "kv", "compute"}
    assert loaded.chat_template_source == "model" and loaded.notice is None
    assert loaded.load_ms > 0 and loaded.n_threads >= 1
    progress = [e.fraction for e in recorder.of(p.LoadProgress)]  # type: ignore[attr-defined]
    assert progress and progress[-1] == pytest.approx(1.0)
    assert engine.loaded == loaded


def test_generate_streams_tokens(engine: EngineClient, recorder: Recorder, models: dict[str, Path]) -> None:
    engine.load(models["chatml"], SMALL).result(30)
    handle = engine.generate(HELLO, GREEDY)
    pieces = list(handle)
    result = handle.result(30)
    assert "".join(pieces) == result.text == handle.text
    assert (result.finish_reason, result.completion_tokens) == ("length", 16)
    assert result.prompt_tokens == engine.count_tokens(HELLO)
    assert result.first_token_ms >= result.ttft_ms > 0 and result.decode_tokens_per_s > 0
    counts = [e.n for e in recorder.of(p.Token)]  # type: ignore[attr-defined]
    assert counts == sorted(counts) and counts[-1] == 16
    again = engine.generate(HELLO, GREEDY).result(30)
    assert again.text == result.text  # greedy is repeatable (and the KV-cache prefix reuse changes nothing)


def test_stop_before_the_first_token(monkeypatch: pytest.MonkeyPatch, models: dict[str, Path]) -> None:
    # The tiny model makes ~10k tokens/s: without a realistic per-token time, a few tokens can legitimately be done
    # before the Stop message is even read on a busy machine, and the test would measure the scheduler.
    monkeypatch.setenv(TOKEN_DELAY_ENV, "0.02")
    with EngineClient() as engine:
        engine.load(models["chatml"], SMALL).result(30)
        handle = engine.generate(HELLO, Sampling(temperature=0, max_tokens=400))
        handle.stop()
        result = handle.result(30)
    assert result.finish_reason == "cancelled"
    assert result.completion_tokens <= 1


def test_stop_lands_within_one_token(monkeypatch: pytest.MonkeyPatch, models: dict[str, Path]) -> None:
    # 20 ms per token makes the tiny model as slow as a real one, so "tokens after stop" means what a user sees.
    monkeypatch.setenv(TOKEN_DELAY_ENV, "0.02")
    at_stop: list[int] = []
    handles: list[object] = []

    def on_event(event: p.Event) -> None:
        if isinstance(event, p.Token) and event.n == 3 and not at_stop:
            at_stop.append(event.n)
            handles[0].stop()  # type: ignore[attr-defined]

    with EngineClient(on_event=on_event) as engine:
        engine.load(models["chatml"], SMALL).result(30)
        handle = engine.generate(HELLO, Sampling(temperature=0, max_tokens=200))
        handles.append(handle)
        result = handle.result(30)
    assert result.finish_reason == "cancelled"
    assert result.completion_tokens - at_stop[0] <= 1
    assert handle.n_tokens - at_stop[0] <= 1


def test_engine_killed_mid_reply(monkeypatch: pytest.MonkeyPatch, models: dict[str, Path]) -> None:
    monkeypatch.setenv(TOKEN_DELAY_ENV, "0.01")
    recorder = Recorder()
    killed: list[int] = []

    def on_event(event: p.Event) -> None:
        recorder(event)
        if isinstance(event, p.Token) and event.n == 5 and not killed:
            killed.append(engine.pid or 0)
            os.kill(killed[0], signal.SIGKILL)

    engine = EngineClient(on_event=on_event)
    try:
        engine.load(models["chatml"], SMALL).result(30)
        handle = engine.generate(HELLO, Sampling(temperature=0, max_tokens=400))
        with pytest.raises(EngineCrashedError) as raised:
            handle.result(30)
        assert handle.n_tokens >= 5 and handle.text
        assert raised.value.partial_text == handle.text
        crash = recorder.wait_for(p.EngineCrashed)
        assert isinstance(crash, p.EngineCrashed)
        assert "signal 9 SIGKILL" in crash.message and "reload" in crash.message
        assert (crash.request_id, crash.partial_text, crash.exitcode) == (handle.request_id, handle.text, -9)
        assert not engine.running and engine.loaded is None
        with pytest.raises(EngineError) as not_loaded:
            engine.generate(HELLO, GREEDY).result(5)
        assert not_loaded.value.kind == "not_loaded"
        monkeypatch.delenv(TOKEN_DELAY_ENV)
        reloaded = engine.reload().result(30)
        assert reloaded.path == str(models["chatml"])
        assert engine.generate(HELLO, GREEDY).result(30).completion_tokens == 16
    finally:
        engine.shutdown()
    assert engine.pid is None


@pytest.mark.parametrize("kind", list(BrokenKind), ids=lambda k: k.value)
def test_broken_file_is_a_clear_load_error(
    engine: EngineClient, models: dict[str, Path], tmp_path: Path, kind: BrokenKind
) -> None:
    pid = engine.pid
    broken = write_broken(tmp_path / "model.gguf", kind)
    with pytest.raises(EngineError) as raised:
        engine.load(broken, SMALL).result(30)
    assert raised.value.kind == "load"
    assert raised.value.message.startswith("cannot load model.gguf: ")
    assert engine.pid == pid and engine.running  # a broken file is an error, not a crash
    assert engine.load(models["chatml"], SMALL).result(30).backend == "CPU"


def test_missing_file(engine: EngineClient, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="no such file"):
        engine.load(tmp_path / "absent.gguf", SMALL).result(30)


def test_count_tokens(engine: EngineClient, models: dict[str, Path]) -> None:
    engine.load(models["chatml"], SMALL).result(30)
    assert engine.count_tokens("hello") == 1  # one merge in the tiny vocabulary
    assert engine.count_tokens("hello hello") == 3  # "hello", "Ġ", "hello"
    longer = [*HELLO, {"role": "assistant", "content": "hi"}, {"role": "user", "content": "more"}]
    assert engine.count_tokens(longer) > engine.count_tokens(HELLO)


def test_continue_extends_the_open_reply(engine: EngineClient, models: dict[str, Path]) -> None:
    """A final assistant message is continued in its own turn, not closed and answered again."""
    engine.load(models["chatml"], SMALL).result(30)
    partial = [*HELLO, {"role": "assistant", "content": "hello hello"}]
    # The prompt is the opened assistant turn plus the reply so far: exactly its tokens more than HELLO's.
    assert engine.count_tokens(partial) == engine.count_tokens(HELLO) + engine.count_tokens("hello hello")
    closed = [*HELLO, {"role": "assistant", "content": "hello hello"}, {"role": "user", "content": ""}]
    assert engine.count_tokens(closed) > engine.count_tokens(partial)  # a closed turn would add its end marker
    result = engine.generate(partial, GREEDY).result(30)
    assert result.prompt_tokens == engine.count_tokens(partial) and result.completion_tokens > 0


def test_context_overflow_is_an_error(engine: EngineClient, models: dict[str, Path]) -> None:
    engine.load(models["chatml"], SMALL).result(30)
    with pytest.raises(EngineError) as raised:
        engine.generate([{"role": "user", "content": "hello " * 600}], GREEDY).result(30)
    assert raised.value.kind == "context" and "512-token context" in raised.value.message


def _rss(pid: int | None) -> int:
    assert pid is not None
    return int(psutil.Process(pid).memory_info().rss)


def test_unload_frees_memory(engine: EngineClient, recorder: Recorder, models: dict[str, Path]) -> None:
    engine.unload()
    before = _rss(engine.pid)
    engine.load(models["big"], LoadSettings(n_ctx=512, use_mmap=False)).result(30)
    loaded = _rss(engine.pid)
    engine.unload()
    after = _rss(engine.pid)
    assert loaded - before > 30 * MIB
    assert after - before < 8 * MIB, f"{(after - before) / MIB:.1f} MiB still held after unload"
    assert engine.loaded is None
    unloaded = recorder.of(p.Unloaded)[-1]
    assert isinstance(unloaded, p.Unloaded) and (unloaded.path, unloaded.reason) == (str(models["big"]), "requested")
    with pytest.raises(EngineError, match="No model is loaded"):
        engine.generate(HELLO, GREEDY).result(5)


def test_switching_models_unloads_the_previous(
    engine: EngineClient, recorder: Recorder, models: dict[str, Path]
) -> None:
    engine.load(models["chatml"], SMALL).result(30)
    recorder.events.clear()
    engine.load(models["plain"], SMALL).result(30)
    kinds = [type(e) for e in recorder.events if isinstance(e, (p.Unloaded, p.Loaded))]
    assert kinds == [p.Unloaded, p.Loaded]
    unloaded = recorder.of(p.Unloaded)[0]
    assert isinstance(unloaded, p.Unloaded) and (unloaded.path, unloaded.reason) == (str(models["chatml"]), "switch")
    assert engine.loaded is not None and engine.loaded.path == str(models["plain"])


def test_idle_unload(models: dict[str, Path]) -> None:
    recorder = Recorder()
    with EngineClient(on_event=recorder, idle_unload_s=0.3) as engine:
        engine.load(models["chatml"], SMALL).result(30)
        engine.generate(HELLO, GREEDY).result(30)
        unloaded = recorder.wait_for(p.Unloaded, timeout=10)
        assert isinstance(unloaded, p.Unloaded) and unloaded.reason == "idle"
        assert engine.loaded is None and engine.running  # the process stays, ready for the next load
        assert engine.reload().result(30).path == str(models["chatml"])


def test_model_without_template_uses_the_fallback(engine: EngineClient, models: dict[str, Path]) -> None:
    loaded = engine.load(models["plain"], SMALL).result(30)
    assert loaded.chat_template_source == "fallback"
    assert loaded.notice and "no chat template" in loaded.notice
    # The tiny vocabulary has ChatML's control tokens, so the fallback is ChatML (19 tokens for one message).
    assert engine.count_tokens(HELLO) == engine.count_tokens(HELLO) > 10
    result = engine.generate(HELLO, GREEDY).result(30)
    assert result.completion_tokens > 0


def test_template_override(engine: EngineClient, models: dict[str, Path]) -> None:
    own = engine.load(models["chatml"], SMALL).result(30)
    with_own = engine.count_tokens(HELLO)
    override = "{% for message in messages %}{{ message['content'] }}{% endfor %}"
    loaded = engine.load(models["chatml"], SMALL, template_override=override).result(30)
    assert (own.chat_template_source, loaded.chat_template_source) == ("model", "override")
    assert engine.count_tokens(HELLO) in {1, 2}  # "hello", with or without a BOS
    assert with_own > 10


def test_unsafe_template_is_blocked(engine: EngineClient, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    payload = "{{ cycler.__init__.__globals__.os.popen('touch " + str(marker) + "').read() }}"
    model = write_tiny_model(tmp_path / "evil.gguf", TinyModelSpec(chat_template=payload))
    with pytest.raises(EngineError) as raised:
        engine.load(model, SMALL).result(30)
    assert raised.value.kind == "template_unsafe"
    assert "sandbox" in raised.value.message and "nothing was run" in raised.value.message
    assert not marker.exists()
    # A safe override makes the same file usable.
    assert engine.load(model, SMALL, template_override=CHATML_TEMPLATE).result(30).chat_template_source == "override"
    assert not marker.exists()
