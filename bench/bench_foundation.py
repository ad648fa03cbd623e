"""Start-up costs a user feels: the CLI, the doctor, and the window from a cold process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.harness import Result, benchmark, median_seconds


def _hearth(home: Path, *args: str) -> None:
    env = {**os.environ, "HEARTH_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, "-m", "hearth", *args], env=env, check=True, capture_output=True, timeout=120)


@benchmark("startup", "process start to CLI answer, doctor report and first rendered window")
def startup() -> list[Result]:
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        version = median_seconds(lambda: _hearth(home, "--version"))
        doctor = median_seconds(lambda: _hearth(home, "doctor", "--json"))
        window = median_seconds(lambda: _hearth(home, "--screenshot", str(home / "shot.png")))
    return [
        Result("hearth --version", version * 1000, "ms", "< 300 ms"),
        Result("hearth doctor --json", doctor * 1000, "ms", "< 1500 ms", "imports llama_cpp"),
        Result("window rendered (offscreen)", window * 1000, "ms", "< 2000 ms", "process start → PNG saved"),
    ]


@benchmark("tiny_model", "the test bench's generated GGUF: write, load and generate through llama-cpp-python")
def tiny_model() -> list[Result]:
    import llama_cpp

    from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tiny.gguf"
        write = median_seconds(lambda: write_tiny_model(path, TinyModelSpec()))

        def load_and_generate() -> None:
            llm = llama_cpp.Llama(str(path), n_ctx=256, n_threads=2, verbose=False)
            llm.create_completion("hello", max_tokens=16, temperature=0.0)
            llm.close()

        cycle = median_seconds(load_and_generate)
    return [
        Result("tiny GGUF written", write * 1000, "ms", "< 50 ms"),
        Result("tiny GGUF load + 16 tokens", cycle * 1000, "ms", "< 100 ms", "what a UI/engine test pays per model"),
    ]
