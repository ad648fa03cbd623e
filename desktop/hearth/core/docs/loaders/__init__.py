"""One entry point, :func:`load_file`: any supported file → :class:`LoadedDocument`, or a :class:`SkippedFile`.

Why it never raises: indexing walks thousands of files from anywhere, and one corrupt PDF or unreadable file
must cost that file, not the whole run. Every failure becomes a ``SkippedFile`` whose reason the user reads.
"""

from __future__ import annotations

import hashlib
import logging
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from hearth.core.docs.loaders.encoding import NotText, decode_text
from hearth.core.docs.types import LoadedDocument, SkippedFile, TextBlock

log = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024

MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdown", ".mkd"})
REST_EXTENSIONS = frozenset({".rst", ".rest"})
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
PLAIN_EXTENSIONS = frozenset({".txt", ".text", ".log", ".csv", ".tsv", ".json", ".jsonl", ".xml", ".tex"})
# fmt: off
CODE_EXTENSIONS = frozenset({
    ".py", ".pyi", ".js", ".jsx", ".mjs", ".ts", ".tsx", ".java", ".kt", ".kts", ".scala", ".c", ".h", ".cc", ".cpp",
    ".cxx", ".hpp", ".hh", ".cs", ".go", ".rs", ".rb", ".php", ".swift", ".m", ".mm", ".lua", ".pl", ".r", ".jl",
    ".dart", ".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".sql", ".toml", ".yaml", ".yml", ".ini", ".cfg",
    ".conf", ".properties", ".gradle", ".cmake", ".proto", ".graphql", ".css", ".scss", ".less", ".vue", ".svelte",
    ".el", ".clj", ".ex", ".exs", ".erl", ".hs", ".ml", ".fs", ".nim", ".zig", ".v", ".sv", ".vhd", ".dockerfile",
    ".mk",
})
# fmt: on
SUPPORTED_EXTENSIONS: frozenset[str] = (
    MARKDOWN_EXTENSIONS
    | REST_EXTENSIONS
    | HTML_EXTENSIONS
    | PLAIN_EXTENSIONS
    | CODE_EXTENSIONS
    | frozenset({".pdf", ".docx"})
)

Parsed = tuple[list[TextBlock], str | None]


class _Skip(Exception):
    """Raised inside a parser with the reason the file is skipped."""


def is_supported(path: str | Path) -> bool:
    """True when :func:`load_file` has a loader for this file's extension."""
    return Path(path).suffix.lower() in SUPPORTED_EXTENSIONS


def load_file(path: str | Path, *, max_bytes: int = MAX_BYTES) -> LoadedDocument | SkippedFile:
    """Reads and parses one file; any problem comes back as a ``SkippedFile`` with a readable reason."""
    path = Path(path).absolute()
    shown = str(path)
    try:
        return _load(path, max_bytes)
    except _Skip as exc:
        return SkippedFile(shown, str(exc))
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return SkippedFile(shown, f"cannot read the file: {reason}")
    except Exception as exc:  # third-party parsers raise anything on hostile files
        log.warning("could not load %s", shown, exc_info=True)
        return SkippedFile(shown, f"could not parse the file: {exc.__class__.__name__}: {exc}")


def _load(path: Path, max_bytes: int) -> LoadedDocument | SkippedFile:
    suffix = path.suffix.lower()
    parser = _parser_for(suffix)
    if parser is None:
        raise _Skip(f"unsupported file type {suffix or '(no extension)'}")
    stat = path.stat()
    if stat.st_size > max_bytes:
        raise _Skip(f"larger than {_size_text(max_bytes)}")
    with path.open("rb") as handle:  # read at most one byte over the limit: the file may grow meanwhile
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise _Skip(f"larger than {_size_text(max_bytes)}")
    if not raw.strip():
        raise _Skip("empty file")
    blocks, title = parser(raw)
    if not any(block.text.strip() for block in blocks):
        raise _Skip("no text found (a scanned PDF needs OCR)" if suffix == ".pdf" else "no text found")
    return LoadedDocument(
        path=str(path),
        blocks=tuple(blocks),
        content_hash=hashlib.sha256(raw).hexdigest(),
        mtime=stat.st_mtime,
        size_bytes=len(raw),
        title=title,
    )


def _size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB" if size >= 1024 else f"{size} bytes"


def _parser_for(suffix: str) -> Callable[[bytes], Parsed] | None:
    if suffix in MARKDOWN_EXTENSIONS:
        return lambda raw: _with_text(raw, "markdown")
    if suffix in REST_EXTENSIONS:
        return lambda raw: _with_text(raw, "rest")
    if suffix in HTML_EXTENSIONS:
        return lambda raw: _with_text(raw, "html")
    if suffix in PLAIN_EXTENSIONS:
        return lambda raw: _with_text(raw, "text")
    if suffix in CODE_EXTENSIONS:
        return lambda raw: _with_text(raw, "code")
    if suffix == ".pdf":
        return _pdf
    if suffix == ".docx":
        return _docx
    return None


def _with_text(raw: bytes, flavour: str) -> Parsed:
    try:
        text = decode_text(raw)
    except NotText as exc:
        raise _Skip(str(exc)) from exc
    if "\x00" in text:
        raise _Skip("binary file")
    if not text.strip():
        raise _Skip("empty file")
    # Imported here: each parser pulls in its own dependency, and most folders need only one or two of them.
    if flavour == "markdown":
        from hearth.core.docs.loaders.markdown import load_markdown

        return load_markdown(text)
    if flavour == "rest":
        from hearth.core.docs.loaders.markdown import load_rest

        return load_rest(text)
    if flavour == "html":
        from hearth.core.docs.loaders.html import load_html

        return load_html(text)
    from hearth.core.docs.loaders.text import load_text

    return load_text(text, kind="code" if flavour == "code" else "text"), None


def _pdf(raw: bytes) -> Parsed:
    from hearth.core.docs.loaders.pdf import PdfSkip, load_pdf

    try:
        return load_pdf(raw)
    except PdfSkip as exc:
        raise _Skip(str(exc)) from exc


def _docx(raw: bytes) -> Parsed:
    from docx.opc.exceptions import PackageNotFoundError

    from hearth.core.docs.loaders.docx import load_docx

    try:
        return load_docx(raw)
    except (zipfile.BadZipFile, zlib.error, PackageNotFoundError, KeyError) as exc:
        raise _Skip(f"broken Word document: {exc}") from exc


__all__ = ["MAX_BYTES", "SUPPORTED_EXTENSIONS", "is_supported", "load_file"]
