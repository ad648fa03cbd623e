"""A small mixed-format folder of documents whose facts sit at known files, pages, lines and headings.

Why generated: tests must assert exact citations ("page 2", "line 14", "Installation › On Linux"), which needs
files whose layout we wrote ourselves; and the awkward cases (UTF-16, a binary named .txt, an encrypted or
broken PDF, an empty and an oversized file) are the ones real folders contain and nobody checks in.
PDFs are written by hand (one Helvetica text object per page) so no PDF-writing dependency is needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import docx
from pypdf import PdfReader, PdfWriter


@dataclass(frozen=True)
class Fact:
    """A sentence (``text``, unique in the corpus) and where a loader and chunker must say it is."""

    text: str
    path: Path
    page: int | None = None
    line: int | None = None
    heading_path: tuple[str, ...] = ()


@dataclass
class CorpusManifest:
    """What :func:`write_mixed_corpus` wrote: facts by key, files that must load, files that must be skipped."""

    folder: Path
    facts: dict[str, Fact] = field(default_factory=dict)
    loadable: list[Path] = field(default_factory=list)
    skipped: dict[Path, str] = field(default_factory=dict)  # path -> a substring of the expected reason
    noise: tuple[str, ...] = ("NAVNOISE", "FOOTERNOISE", "SCRIPTNOISE", "ASIDENOISE", "STYLENOISE")
    pdf_pages: dict[Path, list[list[str]]] = field(default_factory=dict)  # the lines written on each page

    def _text_file(self, name: str, lines: list[str], facts: dict[str, tuple[str, tuple[str, ...]]]) -> Path:
        """Writes ``lines`` as UTF-8 and records each fact (key -> (unique text, heading path)) by line."""
        path = self.folder / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self._record_lines(path, lines, facts)
        self.loadable.append(path)
        return path

    def _record_lines(self, path: Path, lines: list[str], facts: dict[str, tuple[str, tuple[str, ...]]]) -> None:
        for key, (text, heading_path) in facts.items():
            line = next(i for i, candidate in enumerate(lines, start=1) if text in candidate)
            self.facts[key] = Fact(text, path, None, line, heading_path)


def write_mixed_corpus(folder: Path, *, oversize_mb: int = 50) -> CorpusManifest:
    """Writes the corpus into ``folder`` (created if needed) and returns its manifest."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = CorpusManifest(folder)
    _markdown(manifest)
    _rest(manifest)
    _html(manifest)
    _data_and_code(manifest)
    _utf16(manifest)
    _pdfs(manifest)
    _docx(manifest)
    _bad_files(manifest, oversize_mb)
    return manifest


def _markdown(m: CorpusManifest) -> None:
    lines = [
        "# Hearth Guide",
        "",
        "Hearth runs language models on your own computer.",
        "",
        "## Installation",
        "",
        "Download the installer for your system.",
        "",
        "### On Linux",
        "",
        "The Linux build needs glibc 2.31 or newer.",
        "It also needs a desktop with Wayland or X11.",
        "",
        "```bash",
        "chmod +x Hearth.AppImage",
        "",
        "# not a heading: inside a code fence",
        "./Hearth.AppImage",
        "```",
        "",
        "### On Windows",
        "",
        "Windows users run the signed MSI package from the releases page.",
        "",
        "Usage",
        "-----",
        "",
        "Press Ctrl+K to open the model picker anywhere.",
    ]
    m._text_file(
        "guide.md",
        lines,
        {
            "md_linux": ("glibc 2.31 or newer", ("Hearth Guide", "Installation", "On Linux")),
            "md_code": ("chmod +x Hearth.AppImage", ("Hearth Guide", "Installation", "On Linux")),
            "md_windows": ("signed MSI package", ("Hearth Guide", "Installation", "On Windows")),
            "md_setext": ("Ctrl+K to open the model picker", ("Hearth Guide", "Usage")),
        },
    )


def _rest(m: CorpusManifest) -> None:
    lines = [
        "=============",
        "Admin Manual",
        "=============",
        "",
        "Backups",
        "=======",
        "",
        "Hearth keeps nightly backups for fourteen days.",
        "",
        "Restoring",
        "---------",
        "",
        "Run the restore command like this::",
        "",
        "    hearth restore --from latest",
        "    hearth verify",
        "",
        "The restore takes about three minutes per gigabyte.",
    ]
    m._text_file(
        "manual.rst",
        lines,
        {
            "rst_backups": ("fourteen days", ("Admin Manual", "Backups")),
            "rst_literal": ("hearth restore --from latest", ("Admin Manual", "Backups", "Restoring")),
            "rst_restore": ("three minutes per gigabyte", ("Admin Manual", "Backups", "Restoring")),
        },
    )


_HTML = """<!DOCTYPE html>
<html><head><title>Release Notes</title><style>.x { content: "STYLENOISE"; }</style>
<script>var s = "SCRIPTNOISE";</script></head>
<body>
<header><a href="/">Home</a> NAVNOISE banner</header>
<nav><ul><li><a href="/a">NAVNOISE one</a></li><li>NAVNOISE two</li></ul></nav>
<div role="navigation">NAVNOISE breadcrumbs</div>
<main>
<h1>Release Notes</h1>
<p>Version 2.4 adds private document search.</p>
<h2>Fixes</h2>
<p>The download manager now resumes interrupted transfers.</p>
<ul><li>Fewer crashes on startup.</li><li>Faster model <b>loading</b> from disk.</li></ul>
<h3>Known issues</h3>
<pre>hearth --safe-mode
hearth --reset-settings</pre>
<p>Contact the team
by mail.<br>Replies within a day.</p>
<aside>ASIDENOISE related posts</aside>
<div class="navfooter"><table><tr><td>NAVNOISE Prev</td><td>Next</td></tr></table></div>
</main>
<footer>FOOTERNOISE copyright</footer>
</body></html>
"""


def _html(m: CorpusManifest) -> None:
    path = m.folder / "notes.html"
    path.write_text(_HTML, encoding="utf-8")
    m.loadable.append(path)
    for key, text, heading in (
        ("html_intro", "Version 2.4 adds private document search.", ("Release Notes",)),
        ("html_fix", "resumes interrupted transfers", ("Release Notes", "Fixes")),
        ("html_list", "Faster model loading from disk.", ("Release Notes", "Fixes")),
        ("html_pre", "hearth --reset-settings", ("Release Notes", "Fixes", "Known issues")),
        ("html_br", "Contact the team by mail.\nReplies within a day.", ("Release Notes", "Fixes", "Known issues")),
    ):
        m.facts[key] = Fact(text, path, None, None, heading)


def _data_and_code(m: CorpusManifest) -> None:
    rows = ["city,country,population"] + [f"City{i},Country{i % 7},{1000 + i}" for i in range(40)]
    rows[23] = "Reykjavik,Iceland,139875"
    m._text_file("cities.csv", rows, {"csv_row": ("Reykjavik,Iceland,139875", ())})
    data = {"service": "hearth", "port": 8765, "limits": {"max_upload_mb": 321, "workers": 2}}
    json_lines = json.dumps(data, indent=2).split("\n")
    m._text_file("config.json", json_lines, {"json_key": ('"max_upload_mb": 321', ())})
    code = [
        '"""Utilities for the Hearth demo."""',
        "",
        "",
        "def warm_cache(size: int) -> int:",
        '    """Warm the cache: the magic warm-up constant is 7919."""',
        "    return size * 7919",
    ]
    m._text_file("tool.py", code, {"py_docstring": ("magic warm-up constant is 7919", ())})


def _utf16(m: CorpusManifest) -> None:
    lines = ["Notes in UTF-16", "", "Meeting at Café Zürich on Tuesday at noon.", "Bring the signed contract."]
    path = m.folder / "notes_utf16.txt"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-16"))  # "utf-16" writes a byte-order mark
    m._record_lines(path, lines, {"utf16": ("Café Zürich on Tuesday", ())})
    m.loadable.append(path)


def write_text_pdf(path: Path, pages: list[list[str]]) -> None:
    """A minimal valid PDF: one page per entry, each line of ASCII text drawn in Helvetica 12 pt."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # the page tree is filled in below
    font = len(objects) + 1
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    kids = []
    for lines in pages:
        ops = ["BT /F1 12 Tf 14 TL 72 720 Td"]
        for i, line in enumerate(lines):
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj" if i == 0 else f"T* ({escaped}) Tj")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content, font)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))


def _pdfs(m: CorpusManifest) -> None:
    pages = [
        ["Annual Report 2025", "Prepared by the finance team."],
        ["Revenue", "The quarterly revenue was 42 million euros.", "Costs rose by (roughly) 3 percent."],
        ["Outlook", "Hiring resumes in the autumn."],
    ]
    path = m.folder / "report.pdf"
    write_text_pdf(path, pages)
    m.pdf_pages[path] = pages
    m.loadable.append(path)
    m.facts["pdf_revenue"] = Fact("quarterly revenue was 42 million euros", path, page=2)
    m.facts["pdf_outlook"] = Fact("Hiring resumes in the autumn", path, page=3)
    for name, user_password in (("secret.pdf", "hearth-secret"), ("restricted.pdf", "")):
        writer = PdfWriter(clone_from=PdfReader(path))
        writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
        with (m.folder / name).open("wb") as handle:
            writer.write(handle)
    m.skipped[m.folder / "secret.pdf"] = "encrypted PDF"
    m.loadable.append(m.folder / "restricted.pdf")  # an empty user password only restricts printing
    broken = m.folder / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nthis is not a PDF anymore\n")
    m.skipped[broken] = "PDF"


def _docx(m: CorpusManifest) -> None:
    document = docx.Document()
    document.add_heading("Team Memo", 0)
    document.add_heading("Budget", 1)
    document.add_paragraph("The budget for next year is fixed.")
    document.add_heading("Travel", 2)
    document.add_paragraph("Travel is limited to two conferences per person.")
    table = document.add_table(rows=2, cols=2)
    for row, cells in zip(table.rows, (("Item", "Cost"), ("Laptop", "1450 EUR")), strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    document.add_heading("Hiring", 1)
    document.add_paragraph("We will hire three engineers.")
    path = m.folder / "memo.docx"
    document.save(str(path))
    m.loadable.append(path)
    m.facts["docx_travel"] = Fact("two conferences per person", path, heading_path=("Budget", "Travel"))
    m.facts["docx_table"] = Fact("Laptop | 1450 EUR", path, heading_path=("Budget", "Travel"))
    m.facts["docx_hiring"] = Fact("hire three engineers", path, heading_path=("Hiring",))


def _bad_files(m: CorpusManifest, oversize_mb: int) -> None:
    binary = m.folder / "photo.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    m.skipped[binary] = "binary file"
    empty = m.folder / "empty.txt"
    empty.write_bytes(b"")
    m.skipped[empty] = "empty file"
    huge = m.folder / "huge.txt"
    line = b"This line repeats to make a file over the size limit.\n"
    block = line * (1024 * 1024 // len(line) + 1)
    with huge.open("wb") as handle:
        while handle.tell() < oversize_mb * 1024 * 1024:
            handle.write(block)
    m.skipped[huge] = "larger than 20 MB"
