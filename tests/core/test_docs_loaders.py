"""Loaders: every format gives text with exact positions, and every bad file becomes a readable skip reason."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest

from hearth.core.docs import loaders
from hearth.core.docs.loaders import SUPPORTED_EXTENSIONS, is_supported, load_file
from hearth.core.docs.loaders.encoding import NotText, decode_text
from hearth.core.docs.types import LoadedDocument, SkippedFile, TextBlock
from hearth.testing.docs_corpus import CorpusManifest, write_mixed_corpus


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusManifest:
    return write_mixed_corpus(tmp_path_factory.mktemp("corpus"))


def _load(path: Path) -> LoadedDocument:
    result = load_file(path)
    assert isinstance(result, LoadedDocument), result
    return result


def _block_with(doc: LoadedDocument, text: str) -> TextBlock:
    found = [block for block in doc.blocks if text in block.text and block.kind != "heading"]
    assert len(found) == 1, (text, doc.blocks)
    return found[0]


def test_every_loadable_file_loads_with_hash_and_size(corpus: CorpusManifest) -> None:
    for path in corpus.loadable:
        doc = _load(path)
        raw = path.read_bytes()
        assert doc.path == str(path.absolute())
        assert doc.content_hash == hashlib.sha256(raw).hexdigest()
        assert doc.size_bytes == len(raw)
        assert doc.blocks


def test_skipped_files_say_why(corpus: CorpusManifest) -> None:
    for path, reason in corpus.skipped.items():
        result = load_file(path)
        assert isinstance(result, SkippedFile), path
        assert reason in result.reason, (path, result.reason)


def test_encrypted_pdf_with_a_password_is_skipped_as_encrypted(corpus: CorpusManifest) -> None:
    result = load_file(corpus.folder / "secret.pdf")
    assert isinstance(result, SkippedFile)
    assert result.reason.startswith("encrypted PDF")


def test_pdf_encrypted_with_an_empty_password_opens(corpus: CorpusManifest) -> None:
    doc = _load(corpus.folder / "restricted.pdf")
    assert [block.page for block in doc.blocks] == [1, 2, 3]


def test_facts_sit_at_their_known_page_line_and_heading(corpus: CorpusManifest) -> None:
    for key, fact in corpus.facts.items():
        block = _block_with(_load(fact.path), fact.text)
        assert block.page == fact.page, key
        assert block.heading_path == fact.heading_path, key
        if fact.line is None:
            assert block.line_start is None and block.line_end is None, key
        else:
            assert block.line_start is not None and block.line_end is not None, key
            assert block.line_start <= fact.line <= block.line_end, key
            lines = block.text.split("\n")
            assert fact.text in lines[fact.line - block.line_start], key


def test_pdf_text_per_page(corpus: CorpusManifest) -> None:
    path = corpus.folder / "report.pdf"
    doc = _load(path)
    assert [(block.page, block.text) for block in doc.blocks] == [
        (number, "\n".join(lines)) for number, lines in enumerate(corpus.pdf_pages[path], start=1)
    ]


def test_markdown_outline_and_code_fence(corpus: CorpusManifest) -> None:
    doc = _load(corpus.folder / "guide.md")
    assert doc.title == "Hearth Guide"
    headings = [(b.heading_path[-1], b.line_start, b.line_end) for b in doc.blocks if b.kind == "heading"]
    assert headings == [
        ("Hearth Guide", 1, 1),
        ("Installation", 5, 5),
        ("On Linux", 9, 9),
        ("On Windows", 21, 21),
        ("Usage", 25, 26),
    ]
    code = _block_with(doc, "chmod +x")
    assert code.kind == "code"
    assert (code.line_start, code.line_end) == (14, 19)
    assert code.text.startswith("```bash\n") and code.text.endswith("\n```")
    assert "# not a heading" in code.text


def test_rest_levels_follow_adornment_order_and_literal_blocks_are_code(corpus: CorpusManifest) -> None:
    doc = _load(corpus.folder / "manual.rst")
    assert doc.title == "Admin Manual"
    literal = _block_with(doc, "hearth restore --from latest")
    assert literal.kind == "code"
    assert (literal.line_start, literal.line_end) == (15, 16)


def test_html_drops_navigation_and_keeps_the_outline(corpus: CorpusManifest) -> None:
    doc = _load(corpus.folder / "notes.html")
    everything = "\n".join(block.text for block in doc.blocks)
    for noise in corpus.noise:
        assert noise not in everything
    assert doc.title == "Release Notes"
    assert [b.heading_path for b in doc.blocks if b.kind == "heading"] == [
        ("Release Notes",),
        ("Release Notes", "Fixes"),
        ("Release Notes", "Fixes", "Known issues"),
    ]
    assert _block_with(doc, "--safe-mode").kind == "code"
    assert _block_with(doc, "Faster model loading from disk.").text == "- Faster model loading from disk."


def test_html_article_header_keeps_its_title(tmp_path: Path) -> None:
    page = tmp_path / "post.html"
    page.write_text(
        "<header>Site NAVNOISE</header><article><header><h1>Post title</h1></header><p>Body text.</p></article>"
    )
    doc = _load(page)
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "Post title"), ("text", "Body text.")]
    page.write_text("<main><header><h1>In main</h1></header><p>Text.</p></main><footer>FOOTERNOISE</footer>")
    doc = _load(page)
    assert [(b.kind, b.text) for b in doc.blocks] == [("heading", "In main"), ("text", "Text.")]


def test_html_docbook_navigation_classes_are_dropped(tmp_path: Path) -> None:
    page = tmp_path / "ref.html"
    page.write_text(
        '<div class="navheader"><table><tr><td>Prev</td><td>Next</td></tr></table></div>'
        '<div class="toc"><dl><dt>1. Intro</dt></dl></div><h1>Reference</h1><p>Real text.</p>'
        '<div id="sidebar">Links</div>'
    )
    doc = _load(page)
    assert [b.text for b in doc.blocks] == ["Reference", "Real text."]


def test_docx_headings_tables_and_title(corpus: CorpusManifest) -> None:
    doc = _load(corpus.folder / "memo.docx")
    assert doc.title == "Team Memo"
    table = _block_with(doc, "Laptop")
    assert table.kind == "table"
    assert table.text == "Item | Cost\nLaptop | 1450 EUR"


def test_utf16_text_is_read(corpus: CorpusManifest) -> None:
    doc = _load(corpus.folder / "notes_utf16.txt")
    assert "Meeting at Café Zürich on Tuesday at noon." in doc.blocks[-1].text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (codecs.BOM_UTF8 + b"caf\xc3\xa9", "café"),
        ("line one\nline two".encode("utf-16-le"), "line one\nline two"),  # UTF-16 without a BOM
        ("naïve".encode("utf-32"), "naïve"),
        (b"a\r\nb\rc\n", "a\nb\nc\n"),
        ("Le café coûte très cher à Zürich, déjà trop.\n".encode("cp1252") * 20, None),
    ],
)
def test_decode_text(raw: bytes, text: str | None) -> None:
    decoded = decode_text(raw)
    if text is None:
        assert decoded.startswith("Le café coûte très cher à Zürich")
    else:
        assert decoded == text


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(NotText):
        decode_text(b"\x7fELF\x02\x01\x01\x00\x00\x00garbage" + bytes(range(256)))


def test_crlf_files_keep_editor_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(b"first\r\n\r\nsecond para\r\nstill second\r\n\r\n\r\nthird\r\n")
    doc = _load(path)
    assert [(b.text, b.line_start, b.line_end) for b in doc.blocks] == [
        ("first", 1, 1),
        ("second para\nstill second", 3, 4),
        ("third", 7, 7),
    ]


def test_source_code_blocks_are_code_with_lines(corpus: CorpusManifest) -> None:
    doc = _load(corpus.folder / "tool.py")
    assert {block.kind for block in doc.blocks} == {"code"}
    assert [(b.line_start, b.line_end) for b in doc.blocks] == [(1, 1), (4, 6)]


def test_unreadable_missing_and_unsupported(tmp_path: Path) -> None:
    folder_named_txt = tmp_path / "folder.txt"
    folder_named_txt.mkdir()
    for path, reason in (
        (folder_named_txt, "cannot read the file"),
        (tmp_path / "missing.md", "cannot read the file"),
        (tmp_path / "archive.zip", "unsupported file type .zip"),
    ):
        result = load_file(path)
        assert isinstance(result, SkippedFile)
        assert reason in result.reason


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    path = tmp_path / "small.txt"
    path.write_text("x" * 2048)
    result = load_file(path, max_bytes=1024)
    assert isinstance(result, SkippedFile) and result.reason == "larger than 1 KB"
    assert isinstance(load_file(path, max_bytes=4096), LoadedDocument)


def test_a_crashing_parser_becomes_a_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hearth.core.docs.loaders import markdown

    def explode(text: str) -> object:
        raise RuntimeError("parser bug")

    monkeypatch.setattr(markdown, "load_markdown", explode)
    path = tmp_path / "a.md"
    path.write_text("# Title\n")
    result = load_file(path)
    assert isinstance(result, SkippedFile)
    assert "RuntimeError: parser bug" in result.reason


def test_broken_word_document_is_skipped(corpus: CorpusManifest, tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes((corpus.folder / "memo.docx").read_bytes()[:3000])
    result = load_file(path)
    assert isinstance(result, SkippedFile)
    assert result.reason.startswith("broken Word document")


def test_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_text("\n  \n\t\n")
    assert load_file(path) == SkippedFile(str(path), "empty file")


def test_supported_extensions() -> None:
    for suffix in (".txt", ".md", ".rst", ".html", ".htm", ".pdf", ".docx", ".csv", ".json", ".py", ".ts", ".yml"):
        assert suffix in SUPPORTED_EXTENSIONS
        assert is_supported(f"x{suffix.upper()}")
    assert not is_supported("x.exe")
    assert loaders.MAX_BYTES == 20 * 1024 * 1024
