"""Shared helpers for the documents index tests: a small topical corpus, a chunker stand-in, Chroma counts.

The corpus is written so that one question shares only rare words with its answer (keyword side) and another
shares only meaning (vector side), and so that an unrelated question matches neither.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hearth.core.docs.collections import CollectionSpec, CollectionStore, chroma_collection, open_chroma
from hearth.core.docs.index import DocumentIndex
from hearth.core.docs.types import Chunk, LoadedDocument
from hearth.core.paths import AppPaths

TOPICS = {
    "garden/tomatoes.md": (
        "# Growing tomatoes\n\nTomato plants need six hours of direct sunlight every day.\n"
        "Water the soil deeply twice a week and stake the stems so the fruit stays off the ground.\n\n"
        "## Pests\n\nAphids and hornworms eat the leaves; pick them off by hand in the morning.\n"
    ),
    "kitchen/bread.md": (
        "# Baking bread\n\nKnead the dough for ten minutes until it is smooth and elastic.\n"
        "Let it rise in a warm place until it doubles, then bake it in a hot oven for forty minutes.\n"
    ),
    "car/maintenance.md": (
        "# Car maintenance\n\nChange the engine oil every eight thousand kilometres and replace the oil filter.\n"
        "Check the tyre pressure monthly and rotate the tyres at each oil change.\n"
    ),
    "finance/invoices.txt": (
        "Supplier notes\n\nThe quarterly statement from Zephyrion Logistics lists pallets shipped to Rotterdam.\n"
        "Payment terms are thirty days after receipt of the statement.\n"
    ),
    "pets/dogs.md": (
        "# Caring for a dog\n\nWalk your dog at least twice a day and give puppies small meals four times daily.\n"
        "Brush the coat weekly and trim the nails when they click on the floor.\n"
    ),
    "sky/stars.txt": (
        "Stargazing\n\nOn a clear night away from city lights you can see the Milky Way and thousands of stars.\n"
        "A small telescope shows the rings of Saturn and the moons of Jupiter.\n"
    ),
}


def write_corpus(folder: Path, topics: dict[str, str] | None = None) -> dict[str, str]:
    """Write the topical files (and return them by relative path)."""
    topics = TOPICS if topics is None else topics
    for rel, text in topics.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return topics


def write_filler(folder: Path, n: int, paragraphs: int = 3) -> None:
    """Many small plain files for throughput and kill/resume tests."""
    for i in range(n):
        body = "\n\n".join(
            f"Note {i} paragraph {p}: the committee reviewed item {i * 7 + p} and filed report {i}-{p}."
            for p in range(paragraphs)
        )
        (folder / f"note-{i:04d}.txt").write_text(body + "\n", encoding="utf-8")


def standin_chunk(
    doc: LoadedDocument, max_tokens: int = 256, overlap_tokens: int = 0, count_tokens: Any = None
) -> list[Chunk]:
    """One chunk per non-heading block: the contract of ``chunk_document`` without its packing rules."""
    chunks = []
    for block in doc.blocks:
        if block.kind == "heading" or not block.text.strip():
            continue
        chunks.append(
            Chunk(
                id=f"{doc.path}:{doc.content_hash}:{len(chunks)}",
                path=doc.path,
                text=block.text,
                index=len(chunks),
                content_hash=doc.content_hash,
                mtime=doc.mtime,
                page=block.page,
                line_start=block.line_start,
                line_end=block.line_end,
                heading_path=block.heading_path,
            )
        )
    return chunks


def chunk_fn() -> Any:
    """The real chunker once it exists, else the stand-in."""
    try:
        from hearth.core.docs.chunker import chunk_document
    except ImportError:
        return standin_chunk
    return chunk_document


_open_clients: list[Any] = []


@pytest.fixture(autouse=True)
def close_chroma_clients() -> Iterator[None]:
    """Chroma keeps its files open until the client is closed and its collections are collected."""
    yield
    while _open_clients:
        _open_clients.pop().close()
    gc.collect()


def make_index(paths: AppPaths, name: str, folders: list[Path], **kwargs: Any) -> tuple[DocumentIndex, Any]:
    store = CollectionStore(paths)
    spec = store.save(CollectionSpec(name=name, folders=tuple(str(f) for f in folders)))
    client = open_chroma(store)
    _open_clients.append(client)
    kwargs.setdefault("chunk", chunk_fn())
    return DocumentIndex(store, spec, client, **kwargs), client


def chroma_counts(client: Any, spec: CollectionSpec) -> dict[str, int]:
    """Chunks per path in Chroma, read back from its metadata."""
    got = chroma_collection(client, spec).get(include=["metadatas"])
    return dict(Counter(str(m["path"]) for m in got["metadatas"]))
