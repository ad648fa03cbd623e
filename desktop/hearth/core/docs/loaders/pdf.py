"""PDF: the text of every page, with 1-based page numbers for citations.

Why one block per page: PDF text has no reliable paragraphs (lines are placed, not flowed), but the page is
exact and is what a reader looks up; the chunker splits a page by sentences and never joins two pages.
"""

from __future__ import annotations

import io

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

from hearth.core.docs.loaders.pdf_pages import extract_pages
from hearth.core.docs.types import TextBlock


class PdfSkip(Exception):
    """The PDF cannot be read; the message is the reason shown to the user."""


def load_pdf(raw: bytes) -> tuple[list[TextBlock], str | None]:
    """Page blocks and the document-info title; raises :class:`PdfSkip` for encrypted or broken files."""
    try:
        reader = PdfReader(io.BytesIO(raw))
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise PdfSkip(f"broken PDF: {exc}") from exc
    if reader.is_encrypted:
        # Many PDFs are "encrypted" with an empty user password only to restrict printing; those open fine.
        try:
            opened = reader.decrypt("")
        except (DependencyError, NotImplementedError) as exc:
            raise PdfSkip(f"encrypted PDF (unsupported encryption: {exc})") from exc
        if not opened:
            raise PdfSkip("encrypted PDF (it needs a password)")
    try:
        pages = reader.pages
        texts = extract_pages(raw, len(pages))  # in worker processes during an index run, for long PDFs
        if texts is None:
            texts = [page.extract_text() or "" for page in pages]
        blocks = []
        for number, text in enumerate(texts, start=1):
            text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
            if text:
                blocks.append(TextBlock(text, page=number))
    except FileNotDecryptedError as exc:
        raise PdfSkip("encrypted PDF (it needs a password)") from exc
    except PdfReadError as exc:
        raise PdfSkip(f"broken PDF: {exc}") from exc
    return blocks, _title(reader)


def _title(reader: PdfReader) -> str | None:
    try:
        meta = reader.metadata
        title = meta.title if meta is not None else None
    except (PdfReadError, ValueError, KeyError, TypeError):
        return None
    if not title:
        return None
    return str(title).strip() or None
