"""The frozen app (``make package``): what the download weighs, what weighs most, how fast it opens.

Cold start is process start to the first rendered window (``--screenshot``, offscreen), each run with a fresh
``HEARTH_HOME`` as on a first launch: once with the bundle in the page cache (a second launch), and, when this
process may write ``/proc/sys/vm/drop_caches`` (root on Linux), once more with the cache dropped before every run
(a first launch after boot; on a virtual machine the host may still cache the disk).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench.harness import Result, benchmark

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "dist" / "hearth"
EXECUTABLE = BUNDLE / ("hearth.exe" if sys.platform == "win32" else "hearth")
RUNS = 5
PYTHON_RUNTIME = ("python3", "libpython3", "base_library.zip", "lib-dynload", "python3.dll")


def component_of(relative: Path) -> str:
    """Group a bundled file under the package a user would name: ``numpy.libs`` counts as numpy, the Qt
    libraries are split out of PySide6 (they are most of it), the interpreter is one item."""
    parts = relative.parts
    if parts[0] != "_internal" or len(parts) < 2:
        return "executable"
    top = parts[1]
    if top.startswith(PYTHON_RUNTIME):
        return "Python runtime"
    if top == "PySide6" and len(parts) > 3 and parts[2] == "Qt":
        return f"Qt {parts[3]}"  # Qt lib / plugins / translations
    if top.endswith(".libs"):
        return top.removesuffix(".libs")
    if "." in top and not (BUNDLE / "_internal" / top).is_dir():
        return "other shared libraries"
    return top


def component_sizes(bundle: Path) -> dict[str, int]:
    sizes: dict[str, int] = defaultdict(int)
    for path in bundle.rglob("*"):
        if path.is_file() and not path.is_symlink():
            sizes[component_of(path.relative_to(bundle))] += path.stat().st_size
    return dict(sizes)


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def _drop_page_cache() -> bool:
    try:
        os.sync()
        DROP_CACHES.write_text("3\n")
    except OSError:
        return False
    return True


def _first_window_seconds(home: Path) -> float:
    env = {**os.environ, "HEARTH_HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}
    started = time.perf_counter()
    subprocess.run([str(EXECUTABLE), "--screenshot", str(home / "window.png")], env=env, check=True, timeout=120)
    return time.perf_counter() - started


@benchmark("bundle", "the PyInstaller bundle in dist/hearth: size, largest parts, cold start to first window")
def bundle() -> list[Result]:
    if not EXECUTABLE.exists():
        return [Result("bundle", 0, "", "", f"no {EXECUTABLE.relative_to(ROOT)}: run `make package` first")]
    sizes = component_sizes(BUNDLE)
    total = sum(sizes.values())
    results = [Result("bundle size (dist/hearth)", total / 2**20, "MiB", "< 450 MiB", f"{len(sizes)} components")]
    for name, size in sorted(sizes.items(), key=lambda item: -item[1])[:5]:
        results.append(Result(f"  largest: {name}", size / 2**20, "MiB", "", f"{100 * size / total:.0f}%"))
    results.append(_start_up("frozen app: start to first window", "page cache warm", drop_cache=False))
    if _drop_page_cache():
        results.append(_start_up("frozen app: start to first window, cold", "page cache dropped", drop_cache=True))
    return results


def _start_up(name: str, note: str, *, drop_cache: bool) -> Result:
    times = []
    for _ in range(RUNS):
        if drop_cache:
            _drop_page_cache()
        with tempfile.TemporaryDirectory() as tmp:
            times.append(_first_window_seconds(Path(tmp)))
    spread = f"min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}"
    return Result(name, statistics.median(times) * 1000, "ms", "< 3000 ms", f"median of {RUNS}, {note}; {spread}")
