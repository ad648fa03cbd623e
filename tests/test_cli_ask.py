"""``hearth ask``: retrieval + the engine process + citations, through a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hearth.testing.gguf_factory import CHATML_TEMPLATE, TinyModelSpec, write_tiny_model

pytestmark = pytest.mark.slow


def hearth(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "hearth", *args], capture_output=True, text=True, timeout=180, env=env, check=False
    )


@pytest.fixture
def indexed(hearth_home: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "setup.md").write_text("# Setup\n\nInstall the Quillfeather package with apt.\n", encoding="utf-8")
    (folder / "dogs.txt").write_text("Give puppies small meals four times daily.\n", encoding="utf-8")
    assert hearth(hearth_home, "docs", "add", "Notes", str(folder)).returncode == 0
    assert hearth(hearth_home, "docs", "index", "Notes").returncode == 0
    return write_tiny_model(tmp_path / "tiny.gguf", TinyModelSpec(chat_template=CHATML_TEMPLATE))


def test_answer_cites_the_matching_passage(hearth_home: Path, indexed: Path) -> None:
    result = hearth(
        hearth_home,
        "ask",
        "Notes",
        "How do I install Quillfeather?",
        "--model",
        str(indexed),
        "--json",
        "--max-tokens",
        "8",
        "--seed",
        "1",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["note"] is None
    assert out["sources"][0]["path"] == "setup.md"
    assert out["sources"][0]["n"] == 1 and "Quillfeather" in out["sources"][0]["text"]
    assert isinstance(out["answer"], str)


def test_no_match_says_so_instead_of_inventing_sources(hearth_home: Path, indexed: Path) -> None:
    result = hearth(
        hearth_home,
        "ask",
        "Notes",
        "What is the capital of Mongolia?",
        "--model",
        str(indexed),
        "--json",
        "--max-tokens",
        "4",
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["sources"] == []
    assert "No passages in Notes matched" in out["note"]


def test_unknown_collection_and_broken_model(hearth_home: Path, indexed: Path, tmp_path: Path) -> None:
    missing = hearth(hearth_home, "ask", "Nope", "q", "--model", str(indexed))
    assert missing.returncode == 1 and "Nope" in missing.stderr
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"not a model")
    broken = hearth(hearth_home, "ask", "Notes", "install Quillfeather", "--model", str(bad))
    assert broken.returncode == 1 and broken.stderr.startswith("hearth ask: ")
