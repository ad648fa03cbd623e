"""``hearth pull`` as a user runs it: a real process, a private HEARTH_HOME, the fake Hub via HF_ENDPOINT."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hearth.core.paths import resolve_paths
from hearth.testing.fake_hub import FakeHub

REPO = "org/Tiny-GGUF"
FILE = "tiny.Q4_K_M.gguf"
DATA = random.Random(1).randbytes(4 * 1024 * 1024)
PULL_KEYS = {"path", "size_bytes", "sha256", "verified", "resumed_from_bytes", "files"}


def _env(home: Path, endpoint: str) -> dict[str, str]:
    env = {**os.environ, "HEARTH_HOME": str(home), "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    env["HF_ENDPOINT"] = endpoint  # read at import time by huggingface_hub in the child process
    env.pop("HF_TOKEN", None)
    return env


def hearth(*args: str, home: Path, endpoint: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hearth", *args],
        capture_output=True,
        text=True,
        env=_env(home, endpoint),
        timeout=120,
        check=False,
    )


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with FakeHub(tokens={"hf_good"}) as fake:
        fake.add_repo(REPO, files={FILE: DATA, "README.md": "# Tiny\n"})
        yield fake
        fake.wait_idle()
        assert fake.errors == []


def _models(home: Path) -> Path:
    return resolve_paths(home).default_models_dir


def test_pull_json_reports_a_verified_file_in_the_models_folder(hub: FakeHub, hearth_home: Path) -> None:
    result = hearth("pull", REPO, "--file", FILE, "--json", home=hearth_home, endpoint=hub.url)

    assert result.returncode == 0, result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    assert report.keys() == PULL_KEYS
    path = Path(report["path"])
    assert path == _models(hearth_home) / "org" / "Tiny-GGUF" / FILE
    assert path.read_bytes() == DATA
    assert report["size_bytes"] == len(DATA)
    assert report["sha256"] == hashlib.sha256(DATA).hexdigest()
    assert report["verified"] is True and report["resumed_from_bytes"] == 0


def test_pull_resumes_after_an_interrupted_run(hub: FakeHub, hearth_home: Path) -> None:
    hub.throttle(f"*/{FILE}", bytes_per_second=2_000_000, chunk_size=16_384)
    part = _models(hearth_home) / "org" / "Tiny-GGUF" / f"{FILE}.part"
    child = subprocess.Popen(
        [sys.executable, "-m", "hearth", "pull", REPO, "--file", FILE],
        env=_env(hearth_home, hub.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not (part.exists() and part.stat().st_size > 1024 * 1024) and time.monotonic() < deadline:
            time.sleep(0.02)
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=30)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 130, stderr
    assert "run the same command again to resume" in stderr
    kept = part.stat().st_size
    hub.clear_faults()

    result = hearth("pull", REPO, "--file", FILE, "--json", home=hearth_home, endpoint=hub.url)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["resumed_from_bytes"] == kept > 1024 * 1024
    assert report["verified"] and Path(report["path"]).read_bytes() == DATA
    assert hub.requests_to(f"*/{FILE}", "GET")[-1].header("range") == f"bytes={kept}-"


def test_pull_text_output_and_shards(hub: FakeHub, hearth_home: Path) -> None:
    result = hearth("pull", REPO, "-f", FILE, "-f", "README.md", home=hearth_home, endpoint=hub.url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 2 and all(line.endswith("sha256 verified") for line in lines)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["org/gated", "--file", FILE], "org/gated is gated: accept the licence on"),
        ([REPO, "--file", "../../escape.gguf"], "refusing file name '../../escape.gguf'"),
        ([REPO, "--file", "absent.gguf"], f"File absent.gguf not found in {REPO}"),
    ],
)
def test_pull_errors_are_one_line_and_exit_1(hub: FakeHub, hearth_home: Path, args: list[str], message: str) -> None:
    hub.add_repo("org/gated", files={FILE: DATA}, gated="manual")
    result = hearth("pull", *args, home=hearth_home, endpoint=hub.url)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"hearth pull: {message}")
    assert result.stderr.count("\n") == 1
