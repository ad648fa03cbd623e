"""The values that move through the documents pipeline: loaded text with positions, chunks, skipped files.

Positions travel with the text from the loader to the citation, so an answer can point at file + page + lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class TextBlock:
    """A run of text from one place in a document: a paragraph, a heading's body, a code block, a page."""

    text: str
    page: int | None = None  # 1-based page for paged formats (PDF), else None
    line_start: int | None = None  # 1-based, inclusive, in the source file (text-like formats)
    line_end: int | None = None
    heading_path: tuple[str, ...] = ()  # e.g. ("Installation", "On Linux")
    kind: str = "text"  # "text", "heading", "code", "table"


@dataclass(frozen=True)
class LoadedDocument:
    """A whole file as blocks; ``content_hash`` (sha256 of the raw bytes) lets re-indexing skip unchanged files."""

    path: str  # absolute
    blocks: tuple[TextBlock, ...]
    content_hash: str
    mtime: float
    size_bytes: int
    title: str | None = None


@dataclass(frozen=True)
class SkippedFile:
    """A file the loaders would not or could not read, with a reason a user understands."""

    path: str
    reason: str


@dataclass(frozen=True)
class Chunk:
    """One unit of retrieval; ``id`` is stable for (path, content_hash, index) so re-runs never duplicate."""

    id: str
    path: str
    text: str
    index: int
    content_hash: str
    mtime: float
    page: int | None = None
    line_start: int | None = None
    line_end: int | None = None
    heading_path: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict, compare=False)
