"""Helpers shared by the packaging tests: a fake PyInstaller bundle, running scripts, comparing folder trees.

Not a conftest: tests import what they use; the fixtures built on these are in this folder's conftest.py.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGING = REPO / "packaging"
FAKE_VERSION = "9.8.7"

# Stands in for dist/hearth/hearth: answers --version like the real one and otherwise echoes its arguments one per
# line, so a test sees exactly how they were passed.
FAKE_EXECUTABLE = """#!/bin/sh
if [ "$1" = --version ]; then echo "hearth {version}"; exit 0; fi
echo "fake hearth {marker}"
for arg in "$@"; do echo "arg=$arg"; done
"""

RunScript = Callable[..., subprocess.CompletedProcess[str]]


def make_fake_bundle(dist: Path, *, marker: str = "v1", version: str = FAKE_VERSION) -> Path:
    """Write a one-folder bundle at dist/hearth: the executable, a library and a relative symlink to it."""
    bundle = dist / "hearth"
    (bundle / "_internal").mkdir(parents=True, exist_ok=True)
    exe = bundle / "hearth"
    exe.write_text(FAKE_EXECUTABLE.format(version=version, marker=marker))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    (bundle / "_internal" / "libfake.so.1").write_text(f"library {marker}\n")
    link = bundle / "_internal" / "libfake.so"
    if not link.is_symlink():
        link.symlink_to("libfake.so.1")
    return bundle


def check(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    """Fail with the script's output when it did not exit 0."""
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    return result


def tree(root: Path) -> dict[str, str]:
    """Every path under root (relative), mapped to its kind and, for files and links, content or target."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = f"link -> {os.readlink(path)}"
        elif path.is_dir():
            found[rel] = "dir"
        else:
            found[rel] = f"file {path.read_bytes()!r}"
    return found


def parse_desktop_entry(text: str) -> dict[str, dict[str, str]]:
    """Groups of a desktop entry file, each a dict of its keys (raw values); fails on lines the spec does not allow."""
    groups: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = groups.setdefault(line[1:-1], {})
            continue
        assert current is not None, f"key outside a group: {line!r}"
        key, sep, value = line.partition("=")
        assert sep, f"not a key=value line: {line!r}"
        assert key.strip() not in current, f"duplicate key {key!r}"
        current[key.strip()] = value.strip()
    return groups


def split_exec(value: str) -> list[str]:
    """The arguments of an Exec value, undoing the Desktop Entry spec's string escapes and then its quoting."""
    unescaped, i = [], 0
    escapes = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\", ";": ";"}
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value) and value[i + 1] in escapes:
            unescaped.append(escapes[value[i + 1]])
            i += 2
        else:
            unescaped.append(value[i])
            i += 1
    text = "".join(unescaped)
    reserved = set(" \t\n\"'\\><~|&;$*?#()`")
    args: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == " ":
            i += 1
            continue
        arg = []
        if text[i] == '"':
            i += 1
            while text[i] != '"':
                if text[i] == "\\":
                    assert text[i + 1] in '"`$\\', f"backslash before {text[i + 1]!r} in a quoted argument"
                    i += 1
                arg.append(text[i])
                i += 1
            i += 1
        else:
            while i < len(text) and text[i] != " ":
                assert text[i] not in reserved, f"reserved character {text[i]!r} outside quotes in {value!r}"
                arg.append(text[i])
                i += 1
        args.append("".join(arg).replace("%%", "%"))
    return args
