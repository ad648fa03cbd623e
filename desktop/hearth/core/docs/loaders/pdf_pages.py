"""PDF text extraction spread over worker processes, for the length of an index run.

Why processes: pypdf is pure Python, so reader threads share one core (the GIL) and a 300-page manual is read at
~13 ms a page on one core while the others idle. Why a shared pool with a reference count: every reader thread
of every collection being indexed sends its PDFs to the same few workers, which start once per run (a spawned
worker costs ~0.2 s) and are gone when the last run ends, so nothing outlives indexing. Why "spawn": the app
process runs Qt and native threads, which ``fork`` would copy in an undefined state.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager

log = logging.getLogger(__name__)

MIN_PAGES = 48
"""Shorter PDFs are extracted in the reader thread. Each worker parses the file again before it reads its pages
(~0.2 s for a 300-page manual, against ~13 ms a page of text), so a file is cut into one contiguous range per
worker, and splitting pays only from a few dozen pages on."""

_lock = threading.Lock()
_users = 0
_pool: ProcessPoolExecutor | None = None
_workers = 1
pages_from_workers = 0
"""Pages extracted by worker processes since start-up: how the self-test knows the workers really ran."""


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


@contextmanager
def page_workers(workers: int | None = None) -> Iterator[None]:
    """While any caller is inside this block, :func:`extract_pages` may use worker processes."""
    global _users
    with _lock:
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            pool = _pool if _users == 0 else None
            if pool is not None:
                _forget_pool()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def extract_pages(raw: bytes, page_count: int) -> list[str] | None:
    """The text of every page (``""`` for a page without text), or None when it is better done in this thread:
    a short PDF, no active :func:`page_workers` block, a single core, or a worker pool that broke (then the caller
    extracts in-process and the next file gets a fresh pool). pypdf's own errors are raised as in-process."""
    global pages_from_workers
    if page_count < MIN_PAGES:
        return None
    pool = _shared_pool()
    if pool is None:
        return None
    step = -(-page_count // _workers)  # ceil: one range per worker
    try:
        futures: list[Future[list[str]]] = [
            pool.submit(_extract_range, raw, start, min(start + step, page_count))
            for start in range(0, page_count, step)
        ]
        pages: list[str] = []
        for future in futures:
            pages += future.result()
    except BrokenProcessPool:
        log.warning("a PDF worker process died; extracting in-process instead", exc_info=True)
        with _lock:
            if _pool is pool:
                _forget_pool()
        pool.shutdown(wait=False, cancel_futures=True)
        return None
    with _lock:
        pages_from_workers += len(pages)
    return pages


def _shared_pool() -> ProcessPoolExecutor | None:
    global _pool, _workers
    with _lock:
        if _users == 0:
            return None
        if _pool is None:
            _workers = default_workers()
            if _workers < 2:
                return None
            _pool = ProcessPoolExecutor(max_workers=_workers, mp_context=multiprocessing.get_context("spawn"))
        return _pool


def _forget_pool() -> None:
    global _pool
    _pool = None


def _extract_range(raw: bytes, start: int, stop: int) -> list[str]:
    """In a worker: pages ``start`` to ``stop - 1`` of the PDF in ``raw`` (opened as load_pdf opens it)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(raw))
    if reader.is_encrypted:
        reader.decrypt("")  # load_pdf checked already that the empty password opens it
    return [reader.pages[i].extract_text() or "" for i in range(start, stop)]
