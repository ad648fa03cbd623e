"""Hybrid retrieval: vector top-k (Chroma) and keyword top-k (FTS5 bm25), fused by reciprocal rank, diversified.

Why both: static embeddings find paraphrases but blur rare names and numbers; bm25 finds exact terms but misses
paraphrases. Reciprocal rank fusion (k=60) needs no score calibration between the two. Floors on each side make an
unrelated question retrieve nothing, so the chat says "not in your documents" instead of citing noise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hearth.core.docs.collections import CollectionSpec, CollectionStore, chroma_collection
from hearth.core.docs.embedders import Embedder, make_embedder
from hearth.core.docs.fts import ChunkRow, IndexDb, query_terms

RRF_K = 60
DEFAULT_MAX_DISTANCE = 0.65
"""Cosine distance above which a vector hit is noise. WordLlama-256 on the test corpus: paraphrases of a chunk
0.48–0.58, unrelated questions 0.77–1.0."""
DEFAULT_MIN_BM25 = 1.0
"""bm25 strength a keyword-only hit needs; it must also contain at least half of the question's meaningful words
(``MIN_COVERAGE``), so one common word shared with a long unrelated question is not enough."""
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with where it came from; ranks are 1-based, None when that side did not find it."""

    path: str
    relative_path: str
    page: int | None
    line_start: int | None
    line_end: int | None
    heading: str
    text: str
    score: float
    vector_rank: int | None
    keyword_rank: int | None

    def location(self) -> str:
        """``guide.md, lines 3–9`` or ``report.pdf, page 4``: what a citation shows."""
        where = self.relative_path
        if self.page is not None:
            where += f", page {self.page}"
        if self.line_start is not None:
            end = self.line_end if self.line_end is not None else self.line_start
            where += f", line {self.line_start}" if end == self.line_start else f", lines {self.line_start}–{end}"
        return where


def keyword_only_hit_is_enough(terms: Sequence[str], text: str) -> bool:
    """A passage found by keywords alone is kept only when it holds most of the question's words, and at least two
    of them for a question of two or more: one shared word ("capital" in "capital of Mongolia") is how unrelated
    questions used to pull in passages."""
    if not terms:
        return False
    matched = round(term_coverage(terms, text) * len(terms))
    return matched / len(terms) >= MIN_COVERAGE and matched >= min(len(terms), 2)


def term_coverage(terms: Sequence[str], text: str) -> float:
    """Share of the question's words found in ``text``, matching on a 5-letter prefix (a cheap stand-in for the
    porter stemming FTS5 does: "puppy" finds "puppies")."""
    if not terms:
        return 0.0
    words = {w[:5] for w in re.findall(r"\w+", text.lower())}
    return sum(1 for t in terms if t[:5] in words) / len(terms)


class Retriever:
    """Queries one collection; keep one per collection and ``close`` it (it holds the SQLite connection)."""

    def __init__(
        self,
        store: CollectionStore,
        spec: CollectionSpec,
        client: Any,
        *,
        embedder: Embedder | None = None,
        max_distance: float = DEFAULT_MAX_DISTANCE,
        min_bm25: float = DEFAULT_MIN_BM25,
        per_file: int = 2,
        candidates: int = 20,
    ) -> None:
        self.spec = spec
        self.embedder = embedder or make_embedder(spec.embedder_id)
        self.max_distance, self.min_bm25 = max_distance, min_bm25
        self.per_file, self.candidates = per_file, candidates
        self._collection = chroma_collection(client, spec)
        self._db = IndexDb(store.sqlite_path(spec))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Retriever:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def search(self, query: str, k: int = 5) -> list[Passage]:
        """Best first; empty when nothing clears the floors."""
        if not query.strip() or k <= 0:
            return []
        found: dict[str, dict[str, Any]] = {}
        terms = query_terms(query)
        for rank, (chunk_id, fields) in enumerate(self._vector_hits(query), start=1):
            found[chunk_id] = {**fields, "vector_rank": rank, "keyword_rank": None}
        for rank, (row, strength) in enumerate(self._db.keyword_search(query, self.candidates), start=1):
            if row.id in found:
                found[row.id]["keyword_rank"] = rank
            elif strength >= self.min_bm25 and keyword_only_hit_is_enough(terms, row.text + " " + row.heading):
                found[row.id] = {**_fields(row), "vector_rank": None, "keyword_rank": rank}
        for fields in found.values():
            fields["score"] = sum(1.0 / (RRF_K + r) for r in (fields["vector_rank"], fields["keyword_rank"]) if r)
        ranked = sorted(found.values(), key=lambda f: -f["score"])
        per_path: dict[str, int] = {}
        passages: list[Passage] = []
        for f in ranked:
            if per_path.get(f["path"], 0) >= self.per_file:
                continue
            per_path[f["path"]] = per_path.get(f["path"], 0) + 1
            passages.append(Passage(relative_path=self.spec.relative(f["path"]), **f))
            if len(passages) >= k:
                break
        return passages

    def _vector_hits(self, query: str) -> list[tuple[str, dict[str, Any]]]:
        count = self._collection.count()
        if count == 0:
            return []
        vector = self.embedder.embed([query])[0]
        result = self._collection.query(
            query_embeddings=[vector], n_results=min(self.candidates, count), include=["distances"]
        )
        close = [(cid, d) for cid, d in zip(result["ids"][0], result["distances"][0], strict=True)]
        close = [(cid, d) for cid, d in close if d <= self.max_distance]
        rows = self._db.rows_by_ids([cid for cid, _ in close]) if close else {}
        # an id without a row is an old version whose vectors are being deleted this instant: skip it
        return [(cid, _fields(rows[cid])) for cid, _ in close if cid in rows]


def _fields(row: ChunkRow) -> dict[str, Any]:
    return {
        "path": row.path,
        "page": row.page,
        "line_start": row.line_start,
        "line_end": row.line_end,
        "heading": row.heading,
        "text": row.text,
    }


CONTEXT_INSTRUCTION = (
    "Answer the question using only the numbered excerpts from the user's documents below. "
    "Cite the excerpts you use like [1] or [2]. If they do not contain the answer, say so."
)


def build_prompt_context(
    passages: Sequence[Passage], budget_tokens: int, count_tokens: Callable[[str], int]
) -> tuple[str, list[Passage]]:
    """Number passages [1], [2]… best first until ``budget_tokens`` is spent; ('', []) when none fit."""
    parts = [CONTEXT_INSTRUCTION]
    used: list[Passage] = []
    spent = count_tokens(CONTEXT_INSTRUCTION)
    for passage in passages:
        heading = f" — {passage.heading}" if passage.heading else ""
        block = f"[{len(used) + 1}] {passage.location()}{heading}\n{passage.text.strip()}"
        cost = count_tokens(block)
        if spent + cost > budget_tokens:
            break
        parts.append(block)
        used.append(passage)
        spent += cost
    return ("\n\n".join(parts), used) if used else ("", [])
