"""The ``hearth`` command as a user runs it: a real process, a private HEARTH_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hearth import __version__

DOCTOR_KEYS = {
    "version",
    "python",
    "qt",
    "llama_cpp",
    "gpu_offload_supported",
    "data_dir",
    "models_dir",
    "cache_dir",
    "ram_total_bytes",
    "cpu_logical_cores",
}


def hearth(*args: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if home is not None:
        env["HEARTH_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "hearth", *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def test_version() -> None:
    result = hearth("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"hearth {__version__}"


def test_doctor_json_reports_versions_and_private_folders(hearth_home: Path) -> None:
    result = hearth("doctor", "--json", home=hearth_home)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report.keys() >= DOCTOR_KEYS
    assert report["version"] == __version__
    assert report["python"].startswith(f"{sys.version_info.major}.{sys.version_info.minor}")
    assert report["qt"] and report["qt"].startswith("6.")
    assert report["llama_cpp"], report.get("llama_cpp_error")
    assert isinstance(report["gpu_offload_supported"], bool)
    for key in ("data_dir", "models_dir", "cache_dir"):
        assert Path(report[key]).is_relative_to(hearth_home), key
    assert report["ram_total_bytes"] > 0


def test_home_flag_beats_environment(tmp_path: Path, hearth_home: Path) -> None:
    portable = tmp_path / "stick"
    result = hearth("--home", str(portable), "doctor", "--json", home=hearth_home)
    assert json.loads(result.stdout)["data_dir"] == str((portable / "data").resolve())


def test_doctor_text_is_readable(hearth_home: Path) -> None:
    result = hearth("doctor", home=hearth_home)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].split() == ["Hearth", __version__]
    assert "GPU offload" in result.stdout
    assert str(hearth_home) in result.stdout


def test_unknown_command_fails_with_usage() -> None:
    result = hearth("frobnicate")
    assert result.returncode == 2
    assert "usage: hearth" in result.stderr
