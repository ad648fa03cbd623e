"""``hearth docs``: the JSON contracts, through a real subprocess with its own HEARTH_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

CORPUS = {
    "guide/setup.md": "# Setup\n\n## On Linux\n\nInstall the Quillfeather package with your package manager.\n",
    "notes/dogs.txt": "Walk your dog twice a day.\n\nGive puppies small meals four times daily.\n",
}

pytestmark = pytest.mark.slow


def hearth(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "hearth", "docs", *args], capture_output=True, text=True, timeout=120, env=env
    )


def ok_json(home: Path, *args: str) -> Any:
    result = hearth(home, *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_add_index_search_list_remove(hearth_home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "my docs"
    for rel, text in CORPUS.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    (folder / "broken.pdf").write_bytes(b"not a pdf at all")

    assert hearth(hearth_home, "add", "Work", str(folder)).returncode == 0
    summary = ok_json(hearth_home, "index", "Work")
    assert summary["files_indexed"] == 2 and summary["chunks"] >= 2 and summary["seconds"] >= 0
    assert [s["path"] for s in summary["files_skipped"]] == ["broken.pdf"]
    assert summary["files_skipped"][0]["reason"]
    assert ok_json(hearth_home, "index", "Work")["files_indexed"] == 0

    hits = ok_json(hearth_home, "search", "Work", "Quillfeather", "-k", "3")
    assert hits and hits[0]["path"] == "guide/setup.md"
    assert set(hits[0]) == {"path", "page", "line_start", "line_end", "heading", "text", "score"}
    assert hits[0]["page"] is None and hits[0]["line_start"] >= 1 and "On Linux" in hits[0]["heading"]
    assert [h["path"] for h in ok_json(hearth_home, "search", "Work", "when should a young puppy eat", "-k", "1")] == [
        "notes/dogs.txt"
    ]
    assert ok_json(hearth_home, "search", "Work", "capital of Mongolia") == []

    listed = ok_json(hearth_home, "list")
    assert [(c["name"], c["files"], c["skipped"]) for c in listed] == [("Work", 2, 1)]
    assert listed[0]["folders"] == [str(folder.resolve())]

    assert hearth(hearth_home, "remove", "Work").returncode == 0
    assert ok_json(hearth_home, "list") == []
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == sorted(
        [*CORPUS, "broken.pdf"]
    )  # the user's files are untouched
    assert not list((hearth_home / "data" / "docs").glob("*.sqlite"))


def test_errors_are_plain(hearth_home: Path, tmp_path: Path) -> None:
    result = hearth(hearth_home, "index", "Nope")
    assert result.returncode == 1 and "no collection named 'Nope'" in result.stderr
    result = hearth(hearth_home, "add", "X", str(tmp_path / "missing"))
    assert result.returncode == 1 and "not a folder" in result.stderr
