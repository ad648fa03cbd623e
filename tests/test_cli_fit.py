"""``hearth fit`` as scripts use it: a real process, local files and a fake Hub, the JSON contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hearth.testing.fake_hub import FakeHub
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import TinyModelSpec, write_sharded, write_tiny_model

FIT_KEYS = {
    "file",
    "architecture",
    "n_layers",
    "context",
    "kv_type",
    "flash_attn",
    "swa_full",
    "n_batch",
    "n_ubatch",
    "weights_bytes",
    "kv_cache_bytes",
    "compute_bytes",
    "overhead_bytes",
    "total_bytes",
    "resident_bytes",
    "gpu_layers",
    "gpu_bytes",
    "cpu_bytes",
    "verdict",
    "max_context_full_gpu",
    "header_bytes_read",
}


def hearth(*args: str, home: Path, endpoint: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HEARTH_HOME": str(home)}
    if endpoint:
        env["HF_ENDPOINT"] = endpoint  # read at import time by huggingface_hub in the child process
    return subprocess.run(
        [sys.executable, "-m", "hearth", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub() as running:
        yield running


def test_local_file_json_contract(tmp_path: Path, hearth_home: Path) -> None:
    model = write_tiny_model(tmp_path / "tiny.gguf", TinyModelSpec(n_layers=3, context_length=4096))
    result = hearth("fit", str(model), "--ctx", "2048", "--kv-type", "q8_0", "--json", home=hearth_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data.keys() >= FIT_KEYS
    assert (data["architecture"], data["n_layers"], data["context"]) == ("llama", 3, 2048)
    assert (data["kv_type"], data["flash_attn"], data["swa_full"]) == ("q8_0", True, False)
    assert data["verdict"] in {"full_gpu", "partial_gpu", "cpu_only", "wont_fit"}
    assert data["total_bytes"] >= data["weights_bytes"] + data["kv_cache_bytes"] > 0
    assert data["header_bytes_read"] is None


def test_text_output_says_the_verdict(tmp_path: Path, hearth_home: Path) -> None:
    model = write_tiny_model(tmp_path / "tiny.gguf")
    result = hearth("fit", str(model), home=hearth_home)
    assert result.returncode == 0, result.stderr
    assert "KV cache" in result.stdout
    assert "Verdict: " in result.stdout


def test_split_model_counts_every_shard(tmp_path: Path, hearth_home: Path) -> None:
    whole = write_tiny_model(tmp_path / "whole.gguf", TinyModelSpec(n_layers=4))
    shards = write_sharded(tmp_path / "split", 3, TinyModelSpec(n_layers=4))
    one = json.loads(hearth("fit", str(whole), "--json", home=hearth_home).stdout)
    split = json.loads(hearth("fit", str(shards[1]), "--json", home=hearth_home).stdout)
    assert split["weights_bytes"] == one["weights_bytes"]


@pytest.mark.parametrize("kind", list(BrokenKind))
def test_broken_file_is_a_clear_error(tmp_path: Path, hearth_home: Path, kind: BrokenKind) -> None:
    path = write_broken(tmp_path / f"{kind.name.lower()}.gguf", kind)
    result = hearth("fit", str(path), home=hearth_home)
    assert result.returncode == 1
    assert result.stderr.startswith("hearth fit: ")
    assert "Traceback" not in result.stderr


def test_missing_file_and_bad_name(hearth_home: Path, tmp_path: Path) -> None:
    missing = hearth("fit", str(tmp_path / "nope.gguf"), home=hearth_home)
    assert missing.returncode == 1 and "does not exist" in missing.stderr
    bad = hearth("fit", "not a repo", home=hearth_home)
    assert bad.returncode == 1 and "owner/name" in bad.stderr


def test_remote_file_reads_only_the_header(tmp_path: Path, hearth_home: Path, hub: FakeHub) -> None:
    model = write_tiny_model(tmp_path / "m.gguf", TinyModelSpec(n_layers=2))
    padded = tmp_path / "big.gguf"
    padded.write_bytes(model.read_bytes() + b"\0" * (48 * 1024 * 1024))  # a file far larger than its header
    hub.add_repo("org/tiny-GGUF", files={"tiny-Q8_0.gguf": padded})
    result = hearth("fit", "org/tiny-GGUF", "--json", home=hearth_home, endpoint=hub.url)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["architecture"] == "llama"
    assert 0 < data["header_bytes_read"] < padded.stat().st_size // 8


def test_repo_with_several_models_asks_for_file(tmp_path: Path, hearth_home: Path, hub: FakeHub) -> None:
    a = write_tiny_model(tmp_path / "a.gguf")
    hub.add_repo("org/multi", files={"m-Q4_0.gguf": a, "m-Q8_0.gguf": a, "README.md": "# card"})
    result = hearth("fit", "org/multi", home=hearth_home, endpoint=hub.url)
    assert result.returncode == 1
    assert "--file" in result.stderr and "m-Q4_0.gguf" in result.stderr and "m-Q8_0.gguf" in result.stderr
    chosen = hearth("fit", "org/multi", "--file", "m-Q8_0.gguf", "--json", home=hearth_home, endpoint=hub.url)
    assert chosen.returncode == 0, chosen.stderr


def test_unknown_repo_is_reported(hearth_home: Path, hub: FakeHub) -> None:
    result = hearth("fit", "org/missing", "--file", "x.gguf", home=hearth_home, endpoint=hub.url)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
