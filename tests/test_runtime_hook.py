"""The frozen app's runtime hook (packaging/rthooks/child_environment.py), run as PyInstaller runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HOOK = Path(__file__).resolve().parent.parent / "packaging" / "rthooks" / "child_environment.py"
RUN_FROZEN = (
    "import os, runpy, sys; sys.frozen = True; runpy.run_path(sys.argv[1]); "
    "print(os.environ.get('LD_LIBRARY_PATH', '<unset>'), os.environ.get('LD_LIBRARY_PATH_ORIG', '<unset>'))"
)


def _library_path_after_hook(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("LD_LIBRARY_PATH")}
    done = subprocess.run(
        [sys.executable, "-c", RUN_FROZEN, str(HOOK)],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LD_LIBRARY_PATH is how Linux finds libraries")
def test_the_users_library_path_comes_back_for_child_processes() -> None:
    after = _library_path_after_hook(LD_LIBRARY_PATH="/opt/hearth/_internal", LD_LIBRARY_PATH_ORIG="/usr/local/lib")
    assert after == "/usr/local/lib <unset>"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LD_LIBRARY_PATH is how Linux finds libraries")
def test_a_library_path_the_user_never_had_is_removed() -> None:
    assert _library_path_after_hook(LD_LIBRARY_PATH="/opt/hearth/_internal") == "<unset> <unset>"
