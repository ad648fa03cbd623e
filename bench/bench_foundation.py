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
