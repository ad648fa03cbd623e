"""The architecture's lines: core never imports Qt (statically and at run time)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    """import-linter reads the contracts from pyproject.toml: core ↛ Qt/UI, UI ↛ llama_cpp/chromadb."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = re.search(r"Contracts: (\d+) kept, (\d+) broken", result.stdout)
    assert summary is not None, result.stdout
    assert int(summary[1]) >= 2  # the contracts were really found and checked
    assert summary[2] == "0"


CORE_IMPORTER = """
import importlib, json, pkgutil, sys
import hearth.core
names = [m.name for m in pkgutil.walk_packages(hearth.core.__path__, "hearth.core.")]
for name in names:
    importlib.import_module(name)
qt = sorted(m for m in sys.modules if m.split(".")[0] in {"PySide6", "shiboken6"} or m.startswith("hearth.ui"))
print(json.dumps({"modules": names, "qt": qt}))
"""


def test_core_modules_do_not_load_qt_at_run_time() -> None:
    """Catches what a static check cannot: an import hidden in a function or done through importlib."""
    result = subprocess.run(
        [sys.executable, "-c", CORE_IMPORTER],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert "hearth.core.settings" in report["modules"]
    assert report["qt"] == []


@pytest.mark.parametrize("package", ["hearth.testing"])
def test_test_bench_is_qt_free(package: str) -> None:
    code = f"import importlib, pkgutil, sys; import {package} as p\n"
    code += "for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.'): importlib.import_module(m.name)\n"
    code += "print(sorted(m for m in sys.modules if m.startswith('PySide6')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_engine_worker_flag_is_shared() -> None:
    """A frozen app starts its engine as ``hearth --hearth-engine-worker``; both ends must agree on the flag."""
    from hearth.__main__ import ENGINE_WORKER_FLAG
    from hearth.core.engine.client import WORKER_FLAG

    assert ENGINE_WORKER_FLAG == WORKER_FLAG
