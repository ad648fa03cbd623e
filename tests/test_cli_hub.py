"""``hearth search``, ``hearth files`` and ``hearth list`` as scripts use them: real processes, a fake Hub through
``HF_ENDPOINT``, a private ``HEARTH_HOME`` and other apps' folders under ``HEARTH_SCAN_HOME``; the JSON contracts."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gguf import GGMLQuantizationType

from hearth.testing.fake_hub import FakeHub, make_model_card
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import TinyModelSpec, write_sharded, write_tiny_model

SEARCH_KEYS = {"repo_id", "downloads", "likes", "architecture", "parameters", "last_modified"}
FILES_KEYS = {"name", "shards", "quant", "size_bytes", "sha256", "verdict", "recommended"}
LIST_KEYS = {"path", "origin", "architecture", "size_bytes", "valid", "error"}


def hearth(*args: str, home: Path, endpoint: str | None = None, scan_home: Path | None = None) -> Any:
    env = {**os.environ, "HEARTH_HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    env.pop("HF_ENDPOINT", None)
    if endpoint:
        env["HF_ENDPOINT"] = endpoint  # read at import time by huggingface_hub in the child process
    if scan_home:
        env["HEARTH_SCAN_HOME"] = str(scan_home)
    return subprocess.run(
        [sys.executable, "-m", "hearth", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as running:
        yield running
        assert running.errors == []


def test_search_json_contract_and_offline_fallback(hub: FakeHub, hearth_home: Path) -> None:
    for i, downloads in enumerate([10, 500, 70]):
        hub.add_repo(
            f"org/Llama-{i}-GGUF", tags=["gguf"], downloads=downloads, likes=i,
            gguf={"architecture": "llama", "total": 1_000_000 * (i + 1)},
        )  # fmt: skip

    result = hearth("search", "llama", "--limit", "2", "--json", home=hearth_home, endpoint=hub.url)
    by_likes = hearth("search", "llama", "--sort", "likes", "--json", home=hearth_home, endpoint=hub.url)
    text = hearth("search", "llama", home=hearth_home, endpoint=hub.url)

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["repo_id"] for r in rows] == ["org/Llama-1-GGUF", "org/Llama-2-GGUF"]
    assert all(set(r) >= SEARCH_KEYS for r in rows)
    assert rows[0]["downloads"] == 500 and rows[0]["parameters"] == 2_000_000 and rows[0]["architecture"] == "llama"
    assert rows[0]["last_modified"].startswith("2024-01-01")
    assert next(r["repo_id"] for r in json.loads(by_likes.stdout)) == "org/Llama-2-GGUF"
    assert text.returncode == 0 and "org/Llama-1-GGUF" in text.stdout

    url = hub.url
    hub.stop()  # connections are now refused
    offline = hearth("search", "llama", "--limit", "2", "--json", home=hearth_home, endpoint=url)
    never = hearth("search", "qwen", "--json", home=hearth_home, endpoint=url)
    assert offline.returncode == 0 and json.loads(offline.stdout) == rows
    assert "Hub unreachable" in offline.stderr and "cached results are shown" in offline.stderr
    assert never.returncode == 1 and "Hub unreachable" in never.stderr and never.stdout == ""


def test_files_json_contract(hub: FakeHub, hearth_home: Path, tmp_path: Path) -> None:
    spec = TinyModelSpec(n_embd=64, n_ff=128)
    files: dict[str, Any] = {}
    for quant, tensor_type in (("F32", GGMLQuantizationType.F32), ("F16", GGMLQuantizationType.F16)):
        files[f"Tiny-{quant}.gguf"] = write_tiny_model(
            tmp_path / f"t-{quant}.gguf", dataclasses.replace(spec, tensor_type=tensor_type)
        )
    q8 = dataclasses.replace(spec, tensor_type=GGMLQuantizationType.Q8_0)
    files |= {p.name: p for p in write_sharded(tmp_path / "split", 2, q8, stem="Tiny-Q8_0")}
    files["mmproj-Tiny-f16.gguf"] = b"not even a gguf"
    files["README.md"] = make_model_card({"license": "mit"}, "# Tiny")
    hub.add_repo("org/Tiny-GGUF", files=files, tags=["gguf"], gguf={"total": 100_000, "architecture": "llama"})

    result = hearth("files", "org/Tiny-GGUF", "--ctx", "512", "--json", home=hearth_home, endpoint=hub.url)
    text = hearth("files", "org/Tiny-GGUF", "--ctx", "512", home=hearth_home, endpoint=hub.url)
    missing = hearth("files", "org/Missing-GGUF", home=hearth_home, endpoint=hub.url)

    assert result.returncode == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert all(set(r) >= FILES_KEYS for r in rows.values())
    assert set(rows) == {"Tiny-F32.gguf", "Tiny-F16.gguf", "Tiny-Q8_0-00001-of-00002.gguf", "mmproj-Tiny-f16.gguf"}
    split = rows["Tiny-Q8_0-00001-of-00002.gguf"]
    assert split["shards"] == ["Tiny-Q8_0-00001-of-00002.gguf", "Tiny-Q8_0-00002-of-00002.gguf"]
    assert split["quant"] == "Q8_0" and len(split["sha256"]) == 64
    assert split["size_bytes"] == sum(p.stat().st_size for p in (tmp_path / "split").iterdir())
    for name in ("Tiny-F32.gguf", "Tiny-F16.gguf", "Tiny-Q8_0-00001-of-00002.gguf"):
        assert rows[name]["verdict"] in {"full_gpu", "partial_gpu", "cpu_only"}
    assert rows["mmproj-Tiny-f16.gguf"]["verdict"] is None and rows["mmproj-Tiny-f16.gguf"]["is_projector"]
    assert [n for n, r in rows.items() if r["recommended"]] == ["Tiny-F16.gguf"]
    # header bytes only: no request ever asked for a whole model file
    gets = [r for r in hub.requests_to("*/resolve/*", "GET")]
    assert gets and all(r.headers.get("range") or r.headers.get("Range") for r in gets)
    assert text.returncode == 0 and "Recommended for this computer: Tiny-F16.gguf" in text.stdout
    assert missing.returncode == 1 and "No model org/Missing-GGUF" in missing.stderr


def test_list_json_contract(hearth_home: Path, tmp_path: Path) -> None:
    models = hearth_home / "data" / "models" / "org" / "Tiny-GGUF"
    models.mkdir(parents=True)
    write_tiny_model(models / "Tiny-F32.gguf")
    write_broken(models / "Broken-Q4_K_M.gguf", BrokenKind.TRUNCATED)
    scan_home = tmp_path / "home"
    lms = scan_home / ".lmstudio" / "models" / "pub" / "Other-GGUF"
    lms.mkdir(parents=True)
    write_tiny_model(lms / "Other-Q8_0.gguf")
    extra = tmp_path / "extra"
    extra.mkdir()
    write_tiny_model(extra / "mine.gguf")
    (hearth_home / "config").mkdir(parents=True)
    settings = {"extra_model_folders": [str(extra)]}
    (hearth_home / "config" / "settings.json").write_text(json.dumps(settings))

    result = hearth("list", "--json", home=hearth_home, scan_home=scan_home)
    text = hearth("list", home=hearth_home, scan_home=scan_home)

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert all(set(r) >= LIST_KEYS for r in rows)
    by_path = {Path(r["path"]).name: r for r in rows}
    assert set(by_path) == {"Tiny-F32.gguf", "Broken-Q4_K_M.gguf", "Other-Q8_0.gguf", "mine.gguf"}
    assert by_path["Tiny-F32.gguf"]["origin"] == "hearth" and by_path["Tiny-F32.gguf"]["valid"]
    assert by_path["Tiny-F32.gguf"]["architecture"] == "llama"
    assert by_path["Other-Q8_0.gguf"]["origin"] == "lm-studio"
    assert by_path["mine.gguf"]["origin"] == "folder"
    broken = by_path["Broken-Q4_K_M.gguf"]
    assert broken["valid"] is False and broken["error"] and broken["size_bytes"] > 0
    assert text.returncode == 0 and "INVALID" in text.stdout
