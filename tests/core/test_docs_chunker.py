"""Chunker: sizes in real tokens, overlap, pages never mixed, exact line ranges, stable ids.

Speed of chunking alone (max_tokens=256, overlap 32), measured on the 2-core dev machine, best of 3:
- synthetic 5.7 MB Markdown file (3,000 sections, 11,916 blocks), default ``approx_token_count``:
  8,250 chunks at ~35,000–54,000 chunks/s; with ``wordllama_token_counter()``: 6,746 chunks at ~1,100–1,500
  chunks/s, >90% of the time inside the HF tokenizer (~2.5 MB of text/s, single-threaded here), a cost the
  embedder pays again anyway.
- real documents (1,169 PostgreSQL HTML pages + 3 PDFs, 17.8 MB): ~28,000–35,000 chunks/s (approx counter),
  ~900–1,300 chunks/s (WordLlama); loading them took ~21 s (bs4 html.parser ~11 ms/page, pypdf ~20 ms/page).
Not a timed test: timings on shared CI machines flake."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import random
from pathlib import Path

import pytest

from hearth.core.docs.chunker import (
    HEADING_SEPARATOR,
    approx_token_count,
    chunk_document,
    wordllama_token_counter,
)
from hearth.core.docs.loaders import load_file
from hearth.core.docs.loaders.markdown import load_markdown
from hearth.core.docs.types import Chunk, LoadedDocument, TextBlock
from hearth.testing.docs_corpus import CorpusManifest, write_mixed_corpus, write_text_pdf

_WORDS = ("private", "local", "model", "answers", "questions", "about", "folders", "pages", "lines", "citations")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusManifest:
    return write_mixed_corpus(tmp_path_factory.mktemp("corpus"), oversize_mb=21)


def _doc(blocks: list[TextBlock], path: str = "/docs/a.md", content: str = "x") -> LoadedDocument:
    digest = hashlib.sha256(content.encode()).hexdigest()
    return LoadedDocument(path, tuple(blocks), digest, 1.0, len(content))


def _prose(rng: random.Random, sentences: int, tag: str) -> str:
    """Hard-wrapped sentences with unique numbered words, so every line is recognisable."""
    words = []
    for s in range(sentences):
        words += [*(rng.choice(_WORDS) for _ in range(rng.randint(4, 18))), f"{tag}w{s}."]
    lines, line = [], []
    for word in words:
        line.append(word)
        if len(line) >= 9:
            lines.append(" ".join(line))
            line = []
    return "\n".join([*lines, " ".join(line)] if line else lines)


def _markdown_source(seed: int = 7) -> str:
    rng = random.Random(seed)
    parts = []
    for s in range(12):
        parts += [f"## Section {s}", ""]
        for p in range(rng.randint(1, 4)):
            parts += [_prose(rng, rng.randint(1, 30), f"s{s}p{p}"), ""]
        if s % 3 == 0:
            parts += ["```python", *(f"value_{s}_{i} = {i} * 2" for i in range(rng.randint(3, 60))), "```", ""]
    return "\n".join(parts)


def _markdown_doc(seed: int = 7) -> tuple[LoadedDocument, list[str]]:
    source = _markdown_source(seed)
    blocks, _ = load_markdown(source)
    return _doc(blocks, content=source), source.split("\n")


def _body(chunk: Chunk) -> str:
    prefix = HEADING_SEPARATOR.join(chunk.heading_path) + "\n\n" if chunk.heading_path else ""
    assert chunk.text.startswith(prefix)
    return chunk.text[len(prefix) :]


@pytest.mark.parametrize("max_tokens", [24, 64, 256])
def test_chunks_fit_the_budget_by_the_real_tokenizer(max_tokens: int) -> None:
    doc, _ = _markdown_doc()
    counter = wordllama_token_counter()
    chunks = chunk_document(doc, max_tokens=max_tokens, overlap_tokens=8, count_tokens=counter)
    assert len(chunks) > 3
    assert max(counter(c.text) for c in chunks) <= max_tokens
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_chunks_fit_the_budget_by_the_default_counter() -> None:
    doc, _ = _markdown_doc(3)
    chunks = chunk_document(doc, max_tokens=40, overlap_tokens=10)
    assert max(approx_token_count(c.text) for c in chunks) <= 40


def test_line_ranges_are_exact() -> None:
    doc, lines = _markdown_doc()
    chunks = chunk_document(doc, max_tokens=48, overlap_tokens=12)
    for chunk in chunks:
        assert chunk.line_start is not None and chunk.line_end is not None
        body_lines = _body(chunk).split("\n")
        assert body_lines[0].strip() in lines[chunk.line_start - 1], chunk
        assert body_lines[-1].strip() in lines[chunk.line_end - 1], chunk
        span = "\n".join(lines[chunk.line_start - 1 : chunk.line_end])
        for paragraph in _body(chunk).split("\n\n"):
            assert paragraph.strip() in span, chunk


def test_a_sentence_split_inside_one_block_has_its_own_lines() -> None:
    rng = random.Random(1)
    text = _prose(rng, 40, "only")
    doc = _doc([TextBlock(text, line_start=10, line_end=10 + text.count("\n"))])
    chunks = chunk_document(doc, max_tokens=32, overlap_tokens=0)
    lines = text.split("\n")
    assert len(chunks) > 5
    for chunk in chunks:
        assert chunk.line_start is not None and chunk.line_end is not None
        first, last = chunk.text.split("\n")[0], chunk.text.split("\n")[-1]
        assert first in lines[chunk.line_start - 10] and last in lines[chunk.line_end - 10]
    assert chunks[0].line_start == 10
    assert chunks[-1].line_end == 10 + text.count("\n")


def test_consecutive_chunks_overlap_within_a_section() -> None:
    rng = random.Random(2)
    text = _prose(rng, 60, "o")
    doc = _doc([TextBlock(text, line_start=1, line_end=1 + text.count("\n"))])
    chunks = chunk_document(doc, max_tokens=64, overlap_tokens=16)
    assert len(chunks) > 3
    for previous, current in itertools.pairwise(chunks):
        head = " ".join(current.text.split()[:3])
        assert head in " ".join(previous.text.split()), (previous.text, current.text)
    no_overlap = chunk_document(doc, max_tokens=64, overlap_tokens=0)
    assert len(no_overlap) < len(chunks)
    assert " ".join(" ".join(c.text.split()) for c in no_overlap) == " ".join(text.split())


def test_headings_prefix_the_text_and_sections_never_mix(corpus: CorpusManifest) -> None:
    doc = load_file(corpus.folder / "guide.md")
    assert isinstance(doc, LoadedDocument)
    chunks = chunk_document(doc, max_tokens=256)
    linux = next(c for c in chunks if "glibc 2.31" in c.text)
    assert linux.text.startswith("Hearth Guide › Installation › On Linux\n\nThe Linux build needs glibc 2.31")
    assert linux.heading_path == ("Hearth Guide", "Installation", "On Linux")
    assert (linux.line_start, linux.line_end) == (11, 19)  # the paragraph and the whole code fence
    assert "```bash\nchmod +x Hearth.AppImage\n\n# not a heading" in linux.text
    windows = next(c for c in chunks if "MSI" in c.text)
    assert "glibc" not in windows.text and (windows.line_start, windows.line_end) == (23, 23)


def test_pdf_chunks_never_cross_pages(tmp_path: Path) -> None:
    rng = random.Random(5)
    pages = [
        [f"Page {p} line {i} " + " ".join(rng.choice(_WORDS) for _ in range(9)) + "." for i in range(30)]
        for p in range(1, 4)
    ]
    path = tmp_path / "long.pdf"
    write_text_pdf(path, pages)
    doc = load_file(path)
    assert isinstance(doc, LoadedDocument)
    chunks = chunk_document(doc, max_tokens=64, overlap_tokens=16)
    assert {c.page for c in chunks} == {1, 2, 3}
    for chunk in chunks:
        page_text = " ".join(" ".join(pages[chunk.page - 1]).split()) if chunk.page else ""
        assert " ".join(chunk.text.split()) in page_text
        assert chunk.line_start is None


def test_pdf_facts_are_cited_with_their_page(corpus: CorpusManifest) -> None:
    doc = load_file(corpus.facts["pdf_revenue"].path)
    assert isinstance(doc, LoadedDocument)
    chunks = chunk_document(doc)
    for key in ("pdf_revenue", "pdf_outlook"):
        fact = corpus.facts[key]
        (chunk,) = [c for c in chunks if fact.text in c.text]
        assert chunk.page == fact.page


def test_text_facts_are_cited_with_their_line(corpus: CorpusManifest) -> None:
    for key in ("md_linux", "rst_restore", "csv_row", "json_key", "py_docstring", "utf16"):
        fact = corpus.facts[key]
        doc = load_file(fact.path)
        assert isinstance(doc, LoadedDocument)
        chunks = [c for c in chunk_document(doc, max_tokens=32, overlap_tokens=0) if fact.text in c.text]
        assert chunks, key
        for chunk in chunks:
            assert chunk.line_start is not None and chunk.line_end is not None
            assert chunk.line_start <= (fact.line or 0) <= chunk.line_end, key
            assert chunk.heading_path == fact.heading_path


def test_ids_are_stable_and_change_with_content() -> None:
    doc, _ = _markdown_doc()
    first = chunk_document(doc, max_tokens=64)
    again = chunk_document(doc, max_tokens=64)
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == len(first)
    assert all(len(c.id) == 32 and int(c.id, 16) >= 0 for c in first)
    assert first[3].id == hashlib.sha256(f"{doc.path}\0{doc.content_hash}\0{3}".encode()).hexdigest()[:32]
    changed = dataclasses.replace(doc, content_hash=hashlib.sha256(b"other").hexdigest())
    assert not {c.id for c in chunk_document(changed, max_tokens=64)} & {c.id for c in first}


def test_a_word_longer_than_the_budget_is_cut() -> None:
    blob = "A" * 3000
    doc = _doc([TextBlock(f"start {blob} end", line_start=1, line_end=1)])
    chunks = chunk_document(doc, max_tokens=50, overlap_tokens=10, count_tokens=wordllama_token_counter())
    assert max(wordllama_token_counter()(c.text) for c in chunks) <= 50
    assert "".join(c.text for c in chunks).count("A") >= 3000
    assert {(c.line_start, c.line_end) for c in chunks} == {(1, 1)}


def test_empty_and_heading_only_documents_give_no_chunks() -> None:
    assert chunk_document(_doc([])) == []
    assert chunk_document(_doc([TextBlock("Title", heading_path=("Title",), kind="heading")])) == []


def test_tiny_budgets_are_refused() -> None:
    with pytest.raises(ValueError, match="max_tokens"):
        chunk_document(_doc([TextBlock("x")]), max_tokens=4)


def test_wordllama_counter_counts_without_special_tokens_or_padding() -> None:
    counter = wordllama_token_counter()
    assert counter is wordllama_token_counter()
    assert counter("Hello world") == 2
    assert counter.count_many(["Hello world", "Hello world, this is a longer text."]) == [2, 9]
