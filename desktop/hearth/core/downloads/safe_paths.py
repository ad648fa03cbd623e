"""Turn untrusted names from the Hub into paths that stay inside the models folder.

Why so strict: a repo id and the file names in its tree come from whoever uploaded the repo. Joined naively,
``../../.bashrc``, ``/etc/passwd``, ``C:\\Windows\\x`` or ``CON`` would write outside the models folder or
hit a Windows device. Every component is checked on its own, with the rules of the strictest platform (a
name that is fine on Linux but not on Windows is refused everywhere, so a library folder stays portable),
and the joined path is checked once more against the resolved models folder (symlinks included).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["PART_SUFFIX", "UnsafePathError", "part_path", "repo_folder", "safe_destination"]

PART_SUFFIX = ".part"
_REPO_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,95}")
_WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{name}{digit}" for name in ("COM", "LPT") for digit in "123456789¹²³"}
)
_FORBIDDEN_CHARS = frozenset('<>:"|?*\\')
_MAX_COMPONENT_BYTES = 255


class UnsafePathError(ValueError):
    """A repo id or file name that would not stay inside the models folder (or is not a valid file name)."""


def _check_component(component: str, whole: str) -> None:
    if component in ("", ".", ".."):
        raise UnsafePathError(f"refusing file name {whole!r}: empty, '.' or '..' path component")
    if any(ord(c) < 32 or c in _FORBIDDEN_CHARS for c in component):
        raise UnsafePathError(f"refusing file name {whole!r}: control character, drive letter or reserved character")
    if component[-1] in ". ":
        raise UnsafePathError(f"refusing file name {whole!r}: a component ends with a dot or a space")
    if component.split(".", 1)[0].upper().rstrip(" ") in _WINDOWS_RESERVED:
        raise UnsafePathError(f"refusing file name {whole!r}: {component!r} is a reserved device name on Windows")
    if len(component.encode("utf-8", "surrogatepass")) > _MAX_COMPONENT_BYTES:
        raise UnsafePathError(f"refusing file name {whole!r}: a component is longer than 255 bytes")


def repo_folder(models_dir: Path, repo_id: str) -> Path:
    """``models_dir/<owner>/<repo>``; a repo id is ``owner/name`` with the Hub's characters only."""
    parts = repo_id.split("/")
    if len(parts) != 2 or not all(_REPO_PART.fullmatch(p) and ".." not in p for p in parts):
        raise UnsafePathError(f"refusing repo id {repo_id!r}: expected owner/name with letters, digits, '-', '_', '.'")
    for part in parts:
        _check_component(part, repo_id)
    return models_dir / parts[0] / parts[1]


def safe_destination(models_dir: Path, repo_id: str, filename: str) -> Path:
    """Where ``filename`` of ``repo_id`` goes: ``models_dir/<owner>/<repo>/<filename>``, or :class:`UnsafePathError`.

    Sub-folders of the repo are kept (shards of one quant often live in one), so ``filename`` may contain
    ``/``. Names ending in ``.part`` are refused: they would collide with Hearth's own partial files.
    """
    if not filename or "\x00" in filename:
        raise UnsafePathError(f"refusing file name {filename!r}: empty or contains NUL")
    if filename.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", filename):
        raise UnsafePathError(f"refusing file name {filename!r}: absolute path")
    components = filename.split("/")
    for component in components:
        _check_component(component, filename)
    if filename.lower().endswith(PART_SUFFIX):
        raise UnsafePathError(f"refusing file name {filename!r}: '.part' is reserved for partial downloads")
    folder = repo_folder(models_dir, repo_id)
    destination = folder.joinpath(*components)
    root = models_dir.resolve()
    resolved = destination.resolve()
    if resolved == root or not resolved.is_relative_to(root):
        raise UnsafePathError(f"refusing file name {filename!r}: it resolves outside the models folder")
    return destination


def part_path(destination: Path) -> Path:
    """``<file>.part``: the partial download next to its destination (same folder, so ``os.replace`` is atomic)."""
    return destination.with_name(destination.name + PART_SUFFIX)
