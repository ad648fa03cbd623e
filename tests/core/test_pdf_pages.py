"""Long PDFs read by worker processes during an index run (hearth.core.docs.loaders.pdf_pages)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from hearth.core.docs.loaders import pdf_pages
from hearth.core.docs.loaders.pdf import load_pdf
from hearth.testing.docs_corpus import write_text_pdf

needs_two_cores = pytest.mark.skipif(pdf_pages.default_workers() < 2, reason="workers are only used with 2+ cores")


def _long_pdf(tmp_path: Path, pages: int = 60) -> bytes:
    path = tmp_path / "long.pdf"
    write_text_pdf(
        path, [[f"Page {n} of the manual.", f"Setting number {n * 7} is described here."] for n in range(1, pages + 1)]
    )
    return path.read_bytes()


@needs_two_cores
def test_a_long_pdf_is_read_by_workers_with_the_same_pages(tmp_path: Path) -> None:
    raw = _long_pdf(tmp_path)
    inline, title = load_pdf(raw)  # outside an index run: in this process
    before = pdf_pages.pages_from_workers
    with pdf_pages.page_workers():
        parallel, parallel_title = load_pdf(raw)
    assert pdf_pages.pages_from_workers - before == 60
    assert parallel == inline and parallel_title == title
    assert [block.page for block in parallel] == list(range(1, 61))
    assert "Setting number 420" in parallel[59].text


@needs_two_cores
def test_short_pdfs_stay_in_the_reader_thread(tmp_path: Path) -> None:
    raw = _long_pdf(tmp_path, pages=pdf_pages.MIN_PAGES - 1)
    before = pdf_pages.pages_from_workers
    with pdf_pages.page_workers():
        blocks, _ = load_pdf(raw)
    assert len(blocks) == pdf_pages.MIN_PAGES - 1
    assert pdf_pages.pages_from_workers == before


@needs_two_cores
def test_runs_share_one_pool_that_ends_with_the_last_run(tmp_path: Path) -> None:
    raw = _long_pdf(tmp_path)
    with pdf_pages.page_workers():
        load_pdf(raw)
        first = pdf_pages._pool
        with pdf_pages.page_workers():  # a second collection indexing at the same time
            load_pdf(raw)
            assert pdf_pages._pool is first
        assert pdf_pages._pool is first  # still in use by the first run
    assert pdf_pages._pool is None  # and the no_leaks fixture checks that its processes are gone


@needs_two_cores
def test_a_killed_worker_costs_speed_not_the_file(tmp_path: Path) -> None:
    raw = _long_pdf(tmp_path)
    expected, _ = load_pdf(raw)
    with pdf_pages.page_workers():
        load_pdf(raw)  # the pool is up
        pool = pdf_pages._pool
        assert pool is not None
        victim = next(iter(pool._processes.values()))  # one dead worker breaks the whole pool
        os.kill(victim.pid, signal.SIGKILL)
        victim.join(timeout=10)
        blocks, _ = load_pdf(raw)  # the broken pool is dropped and this file is read in-process
        assert blocks == expected
        before = pdf_pages.pages_from_workers
        again, _ = load_pdf(raw)  # the next file gets a fresh pool
        assert again == expected and pdf_pages.pages_from_workers - before == 60
        assert pdf_pages._pool is not pool


def test_without_an_index_run_no_process_is_started(tmp_path: Path) -> None:
    before = pdf_pages.pages_from_workers
    blocks, _ = load_pdf(_long_pdf(tmp_path))
    assert len(blocks) == 60 and pdf_pages.pages_from_workers == before and pdf_pages._pool is None
