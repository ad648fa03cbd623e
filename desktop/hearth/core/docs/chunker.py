"""Loaded documents → retrieval chunks, sized in the embedder's own tokens, with exact positions.

Why structure-aware: a chunk that is a whole section or paragraph answers a question better than one cut at
an arbitrary character, so the splitter tries the coarsest boundary first (a section never mixes with the
next, a page never with the next page), then paragraphs, sentences (lines, for code), words and, for a
pathological run without spaces, characters. Each piece is a slice of one block, so its line range is exact.

Why count real tokens: the embedder truncates silently past its window; a chunk measured in characters can
lose its end without anyone noticing. :func:`wordllama_token_counter` (in ``token_count``, re-exported here)
counts with the default embedder's tokenizer.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hearth.core.docs.token_count import (
    TokenCounter,
    WordLlamaTokenCounter,
    approx_token_count,
    count_all,
    wordllama_token_counter,
)
from hearth.core.docs.types import Chunk, LoadedDocument, TextBlock

__all__ = [
    "HEADING_SEPARATOR",
    "TokenCounter",
    "WordLlamaTokenCounter",
    "approx_token_count",
    "chunk_document",
    "count_all",
    "wordllama_token_counter",
]

HEADING_SEPARATOR = " › "

_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_SENTENCE_END = re.compile(r"[.!?。！？…]+[\"'”’)\]]*(?=\s)")
_WORD = re.compile(r"\S+")
_SPACE = re.compile(r"\s")
_NEWLINE = re.compile("\n")
_TEXT_LEVELS = ("paragraph", "sentence", "line", "word", "char")
_CODE_LEVELS = ("paragraph", "line", "word", "char")


@dataclass(slots=True)
class _Unit:
    """A slice ``[start, end)`` of one block's text, already measured."""

    block: int
    start: int
    end: int
    tokens: int


@dataclass
class _Section:
    """Consecutive body blocks sharing a page and heading path: the largest unit a chunk may hold."""

    page: int | None
    heading_path: tuple[str, ...]
    blocks: list[int] = field(default_factory=list)


def chunk_document(
    doc: LoadedDocument,
    *,
    max_tokens: int = 256,
    overlap_tokens: int = 32,
    count_tokens: TokenCounter = approx_token_count,
) -> list[Chunk]:
    """Splits ``doc`` into chunks of at most ``max_tokens`` (by ``count_tokens``), heading path included.

    Consecutive chunks of one section share up to ``overlap_tokens`` of text, so a fact cut at a chunk edge is
    still whole in one of them. Chunk ids depend only on path, content hash and position: re-chunking the
    same bytes gives the same ids, and changed bytes give new ones.
    """
    if max_tokens < 8:
        raise ValueError("max_tokens must be at least 8")
    overlap_tokens = max(0, min(overlap_tokens, max_tokens // 2))
    blocks = doc.blocks
    pre_counted = _pre_count(blocks, count_tokens)
    newlines: dict[int, list[int]] = {}  # block index -> offsets of its newlines, for line numbers
    packed: list[tuple[_Section, str, list[_Unit]]] = []
    for section in _sections(blocks):
        prefix = _prefix(section.heading_path, max_tokens, count_tokens)
        budget = max_tokens - (count_tokens(prefix) if prefix else 0)
        packer = _Packer(blocks, budget, overlap_tokens, count_tokens)
        for i in section.blocks:
            start, end = _trimmed(blocks[i].text, 0, len(blocks[i].text))
            packer.add(i, start, end, 0, pre_counted.get(i))
        packed += [(section, prefix, group) for group in packer.finish()]
    # Pieces were counted one by one; the joined text is checked once more, in one batch, and the rare group
    # that a tokenizer's merges push over the limit is split again.
    sizes = count_all(count_tokens, [prefix + _group_text(group, blocks) for _, prefix, group in packed])
    chunks: list[Chunk] = []
    for (section, prefix, group), size in zip(packed, sizes, strict=True):
        fitted = [group] if size <= max_tokens else _enforce(group, prefix, max_tokens, blocks, count_tokens)
        for part in fitted:
            chunks.append(_make_chunk(doc, section, part, prefix, len(chunks), newlines))
    return chunks


def _pre_count(blocks: Sequence[TextBlock], count: TokenCounter) -> dict[int, int]:
    body = [i for i, block in enumerate(blocks) if block.kind != "heading" and block.text.strip()]
    return dict(zip(body, count_all(count, [blocks[i].text.strip() for i in body]), strict=True))


def _sections(blocks: Sequence[TextBlock]) -> Iterable[_Section]:
    """Body blocks grouped by (page, heading path); heading blocks only mark boundaries (the prefix shows them)."""
    current: _Section | None = None
    for i, block in enumerate(blocks):
        if block.kind == "heading" or not block.text.strip():
            continue
        if current is None or (current.page, current.heading_path) != (block.page, block.heading_path):
            if current is not None:
                yield current
            current = _Section(block.page, block.heading_path)
        current.blocks.append(i)
    if current is not None:
        yield current


def _prefix(path: tuple[str, ...], max_tokens: int, count: TokenCounter) -> str:
    """ "A › B\\n\\n", shortened to the last heading (or nothing) if it would eat half the budget."""
    for candidate in (path, path[-1:]):
        if candidate:
            prefix = HEADING_SEPARATOR.join(candidate) + "\n\n"
            if count(prefix) <= max_tokens // 2:
                return prefix
    return ""


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class _Packer:
    """Greedy packing of units into groups under ``budget``, splitting a unit only when it fits nowhere whole."""

    def __init__(self, blocks: Sequence[TextBlock], budget: int, overlap: int, count: TokenCounter) -> None:
        self.blocks, self.budget, self.overlap, self.count = blocks, budget, overlap, count
        self.groups: list[list[_Unit]] = []
        self.current: list[_Unit] = []
        self.used = 0

    def add(self, block: int, start: int, end: int, level: int, tokens: int | None = None) -> None:
        text = self.blocks[block].text
        if tokens is None:
            tokens = self.count(text[start:end])
        if self.used + self._gap(block, start) + tokens <= self.budget:
            self._append(_Unit(block, start, end, tokens))
            return
        if tokens <= self.budget:
            self._next_group(room=tokens + 2)
            self._append(_Unit(block, start, end, tokens))
            return
        levels = _CODE_LEVELS if self.blocks[block].kind in ("code", "table") else _TEXT_LEVELS
        while level < len(levels):
            spans = _split(text, start, end, levels[level], self.budget, tokens)
            level += 1
            if len(spans) > 1:
                sizes = count_all(self.count, [text[a:b] for a, b in spans])
                for (sub_start, sub_end), size in zip(spans, sizes, strict=True):
                    self.add(block, sub_start, sub_end, level, size)
                return
        self._append(_Unit(block, start, end, tokens))  # unsplittable (one character): let _enforce decide

    def _gap(self, block: int, start: int) -> int:
        """Tokens the whitespace before a unit costs once joined: a newline is a token of its own in most
        tokenizers, so pieces counted one by one would otherwise under-count the chunk."""
        if not self.current:
            return 0
        last = self.current[-1]
        if last.block != block:
            return 2  # blocks are joined by a blank line
        return self.blocks[block].text.count("\n", last.end, start)

    def _append(self, unit: _Unit) -> None:
        self.used += self._gap(unit.block, unit.start) + unit.tokens
        self.current.append(unit)

    def _next_group(self, room: int) -> None:
        """Closes the group; the next one starts with the previous tail, leaving ``room`` for the next unit."""
        previous = self.current
        self.groups.append(previous)
        self.current, self.used = [], 0
        allowed = min(self.overlap, self.budget - room)
        tail: list[_Unit] = []
        for unit in reversed(previous):
            if self.used + unit.tokens > allowed:
                partial = self._word_tail(unit, allowed - self.used)
                if partial is not None:
                    tail.append(partial)
                    self.used += partial.tokens
                break
            tail.append(unit)
            self.used += unit.tokens + 2
        self.current = tail[::-1]

    def _word_tail(self, unit: _Unit, allowed: int) -> _Unit | None:
        """The last words of ``unit`` within ``allowed`` tokens (estimated from its density, then checked)."""
        if allowed <= 0:
            return None
        text = self.blocks[unit.block].text
        chars = (unit.end - unit.start) * allowed // max(unit.tokens, 1)
        while chars > 0:
            space = _SPACE.search(text, unit.end - chars, unit.end)
            if space is None:
                return None
            start = space.start()
            start, end = _trimmed(text, start, unit.end)
            if start >= end:
                return None
            tokens = self.count(text[start:end])
            if tokens <= allowed:
                return _Unit(unit.block, start, end, tokens)
            chars = chars * 2 // 3
        return None

    def finish(self) -> list[list[_Unit]]:
        # A group never ends on overlap alone: _next_group is always followed by the unit it made room for.
        if self.current:
            self.groups.append(self.current)
        return [group for group in self.groups if group]


def _split(text: str, start: int, end: int, level: str, budget: int, tokens: int) -> list[tuple[int, int]]:
    """Non-empty, whitespace-trimmed spans covering ``text[start:end]`` at one level of the hierarchy."""
    if level == "char":
        size = max(1, (end - start) * budget // max(tokens, 1) * 9 // 10)
        return [(i, min(i + size, end)) for i in range(start, end, size)]
    if level == "word":
        return [(m.start(), m.end()) for m in _WORD.finditer(text, start, end)]
    if level == "paragraph":
        cuts = [m.start() for m in _PARAGRAPH.finditer(text, start, end)]
    elif level == "sentence":
        cuts = [m.end() for m in _SENTENCE_END.finditer(text, start, end)]
    else:
        cuts = [m.start() for m in _NEWLINE.finditer(text, start, end)]
    spans = []
    for a, b in zip([start, *cuts], [*cuts, end], strict=True):
        a, b = _trimmed(text, a, b)
        if a < b:
            spans.append((a, b))
    return spans


def _group_text(group: list[_Unit], blocks: Sequence[TextBlock]) -> str:
    """Units of one block become one slice of it (original spacing kept); blocks are separated by a blank line."""
    parts: list[str] = []
    run_start = 0
    for i, unit in enumerate(group):
        if i == 0 or unit.block != group[i - 1].block or unit.start < group[i - 1].end:
            run_start = unit.start
        if i + 1 == len(group) or group[i + 1].block != unit.block or group[i + 1].start < unit.end:
            parts.append(blocks[unit.block].text[run_start : unit.end])
    return "\n\n".join(parts)


def _enforce(
    group: list[_Unit], prefix: str, max_tokens: int, blocks: Sequence[TextBlock], count: TokenCounter
) -> list[list[_Unit]]:
    """Splits a group whose assembled text is over ``max_tokens`` (tokenizers are not exactly additive)."""
    if count(prefix + _group_text(group, blocks)) <= max_tokens:
        return [group]
    if len(group) > 1:
        mid = len(group) // 2
        return _enforce(group[:mid], prefix, max_tokens, blocks, count) + _enforce(
            group[mid:], prefix, max_tokens, blocks, count
        )
    unit = group[0]
    if unit.end - unit.start <= 1:
        return [group]  # one character over budget: nothing smaller exists
    text = blocks[unit.block].text
    mid = (unit.start + unit.end) // 2
    space = text.rfind(" ", unit.start + 1, mid + 1)
    cut = space if space > unit.start else mid
    halves = [_trimmed(text, unit.start, cut), _trimmed(text, cut, unit.end)]
    return [
        part
        for a, b in halves
        if a < b
        for part in _enforce([_Unit(unit.block, a, b, 0)], prefix, max_tokens, blocks, count)
    ]


def _make_chunk(
    doc: LoadedDocument,
    section: _Section,
    group: list[_Unit],
    prefix: str,
    index: int,
    newlines: dict[int, list[int]],
) -> Chunk:
    lines = [span for unit in group if (span := _line_span(doc.blocks, unit, newlines)) is not None]
    digest = hashlib.sha256(f"{doc.path}\0{doc.content_hash}\0{index}".encode()).hexdigest()[:32]
    return Chunk(
        id=digest,
        path=doc.path,
        text=prefix + _group_text(group, doc.blocks),
        index=index,
        content_hash=doc.content_hash,
        mtime=doc.mtime,
        page=section.page,
        line_start=min(a for a, _ in lines) if lines else None,
        line_end=max(b for _, b in lines) if lines else None,
        heading_path=section.heading_path,
    )


def _line_span(blocks: Sequence[TextBlock], unit: _Unit, newlines: dict[int, list[int]]) -> tuple[int, int] | None:
    """Exact source lines of a unit: the block's first line plus the newlines before each end (binary search)."""
    block = blocks[unit.block]
    if block.line_start is None:
        return None
    offsets = newlines.get(unit.block)
    if offsets is None:
        offsets = newlines[unit.block] = [m.start() for m in _NEWLINE.finditer(block.text)]
    return (
        block.line_start + bisect.bisect_left(offsets, unit.start),
        block.line_start + bisect.bisect_left(offsets, unit.end),
    )
