"""Fixtures for the packaging scripts: a fake PyInstaller bundle and a way to run the scripts with bash."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest
from packaging_fixtures import PACKAGING, RunScript, make_fake_bundle


@pytest.fixture
def fake_dist(tmp_path: Path) -> Path:
    """A dist/ folder holding a fake bundle, as PyInstaller would leave it."""
    dist = tmp_path / "dist"
    make_fake_bundle(dist)
    return dist


@pytest.fixture
def run_script(tmp_path: Path) -> RunScript:
    """Run a script under packaging/ with bash, a minimal environment plus ``env``, and wait for it."""

    def run(
        script: str | Path, *args: str | Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        full_env = {"PATH": os.environ["PATH"], "LC_ALL": "C", "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path)}
        full_env.update(env or {})
        path = Path(script) if Path(script).is_absolute() else PACKAGING / script
        return subprocess.run(
            ["bash", str(path), *map(str, args)],
            env=full_env,
            cwd=cwd or tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return run
