"""``hearth chat`` as a person and a script use it: a real process, tiny generated models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import CHATML_TEMPLATE, TinyModelSpec, write_tiny_model

pytestmark = pytest.mark.slow

JSON_KEYS = {
    "text",
    "prompt_tokens",
    "completion_tokens",
    "ttft_ms",
    "decode_tokens_per_s",
    "load_ms",
    "gpu_layers",
    "backend",
    "finish_reason",
}


def hearth(*args: str, home: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "hearth", "chat", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_one_shot_json(tmp_path: Path, hearth_home: Path) -> None:
    model = write_tiny_model(tmp_path / "tiny.gguf", TinyModelSpec(chat_template=CHATML_TEMPLATE))
    args = ("--prompt", "hello", "--json", "--max-tokens", "8", "--temperature", "0", "--seed", "1", "--ctx", "512")
    result = hearth(str(model), *args, home=hearth_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data.keys() >= JSON_KEYS
    assert (data["completion_tokens"], data["finish_reason"]) == (8, "length")
    assert (data["backend"], data["gpu_layers"], data["n_ctx"]) == ("CPU", 0, 512)
    assert data["prompt_tokens"] > 0 and data["load_ms"] > 0 and data["ttft_ms"] > 0
    assert result.stderr == ""


def test_broken_model_is_a_one_line_error(tmp_path: Path, hearth_home: Path) -> None:
    model = write_broken(tmp_path / "model.gguf", BrokenKind.TRUNCATED)
    result = hearth(str(model), "--prompt", "hello", home=hearth_home)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hearth chat: cannot load model.gguf: ")
    assert "truncated" in lines[0]


def test_interactive_session(tmp_path: Path, hearth_home: Path) -> None:
    model = write_tiny_model(tmp_path / "base.gguf")  # no chat template
    result = hearth(
        str(model), "--max-tokens", "4", "--ctx", "512", stdin="hello\n/reset\nagain\n/exit\n", home=hearth_home
    )
    assert result.returncode == 0, result.stderr
    assert "0/3 layers on GPU (CPU)" in result.stdout
    assert result.stdout.count("> ") >= 3
    assert "note: This model has no chat template" in result.stderr
