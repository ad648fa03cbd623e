"""Documents Q&A on a real corpus: indexing speed, memory, re-scan, query latency and retrieval quality.

Corpus: the PostgreSQL 15 manual (≈1,200 HTML pages, Debian's ``postgresql-doc``) and the gnuplot manual (one
311-page PDF, ``gnuplot-doc``). Both collections are built from scratch under a temporary ``HEARTH_HOME`` with
the default embedder (WordLlama), exactly as ``hearth docs add`` + ``hearth docs index`` would.

Quality uses ``bench/data/postgres_questions.json``: questions written by reading the pages, each with the page
that answers it, marked ``keyword`` (uses the page's own terms) or ``paraphrase`` (avoids them). A hit is any of
the top-5 passages coming from that page; MRR is over the top 5 (0 when missed). Diagnostic rows repeat the
questions with the vector floor removed (a floor that is too strict shows up as a number), ask unrelated
questions (a floor that is too loose shows up too) and time load / chunk / embed single-threaded, so the
end-to-end rate can be explained. Needs the corpus installed; it prints how to install it when missing.
"""

from __future__ import annotations

import json
import math
import os
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import Result, benchmark

PG_HTML_GLOB_ROOT = "/usr/share/doc"
PG_HTML_GLOB = "postgresql-doc-*/html"
GNUPLOT_PDF = Path("/usr/share/doc/gnuplot/gnuplot.pdf")
QUESTIONS = Path(__file__).parent / "data" / "postgres_questions.json"
INSTALL_HINT = "install with: apt-get install postgresql-doc gnuplot-doc"
K = 5
MIB = 1024**2


@dataclass(frozen=True)
class Question:
    text: str
    file: str
    kind: str
    also: tuple[str, ...] = ()  # other pages checked to answer it too (diagnostic "lenient" recall only)


@dataclass(frozen=True)
class Answer:
    question: Question
    names: list[str]  # basenames of the top-K passages, best first
    seconds: float

    @property
    def rank(self) -> int | None:
        return self.names.index(self.question.file) + 1 if self.question.file in self.names else None

    @property
    def lenient_rank(self) -> int | None:
        good = {self.question.file, *self.question.also}
        return next((i for i, name in enumerate(self.names, start=1) if name in good), None)


def find_corpus() -> tuple[Path | None, Path | None]:
    """The postgres HTML folder (newest version if several) and the gnuplot PDF, None where missing."""
    html = sorted(Path(PG_HTML_GLOB_ROOT).glob(PG_HTML_GLOB))
    html_dir = html[-1] if html and any(html[-1].glob("*.html")) else None
    return html_dir, GNUPLOT_PDF if GNUPLOT_PDF.is_file() else None


def load_questions(path: Path = QUESTIONS) -> tuple[list[Question], list[str]]:
    """The answerable questions and the unrelated ones (which should retrieve nothing)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    questions = [Question(q["q"], q["file"], q["kind"], tuple(q.get("also", ()))) for q in data["questions"]]
    return questions, list(data.get("unrelated", []))


class PeakRss:
    """Samples this process's RSS every 20 ms in a thread; ``peak`` is the highest seen while running."""

    def __init__(self, interval: float = 0.02) -> None:
        import psutil

        self._proc = psutil.Process()
        self._interval = interval
        self._stop = threading.Event()
        self.start_rss = self.peak = self._proc.memory_info().rss
        self._thread = threading.Thread(target=self._sample, name="bench-rss", daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


@contextmanager
def temporary_home() -> Iterator[Path]:
    """A throwaway HEARTH_HOME (set in the environment too, for anything that reads it) removed afterwards."""
    previous = os.environ.get("HEARTH_HOME")
    with tempfile.TemporaryDirectory(prefix="hearth-bench-docs-") as tmp:
        os.environ["HEARTH_HOME"] = tmp
        try:
            yield Path(tmp)
        finally:
            if previous is None:
                os.environ.pop("HEARTH_HOME", None)
            else:
                os.environ["HEARTH_HOME"] = previous


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation: with 46 samples p95 is the 44th smallest)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[index]


def recall_mrr(answers: list[Answer], lenient: bool = False) -> tuple[float, float]:
    if not answers:
        return 0.0, 0.0
    ranks = [a.lenient_rank if lenient else a.rank for a in answers]
    recall = sum(1 for r in ranks if r) / len(answers)
    mrr = sum(1.0 / r for r in ranks if r) / len(answers)
    return recall, mrr


def ask_all(search: Callable[[str], list[Any]], questions: list[Question]) -> list[Answer]:
    answers = []
    for q in questions:
        start = time.perf_counter()
        passages = search(q.text)
        elapsed = time.perf_counter() - start
        answers.append(Answer(q, [Path(p.relative_path).name for p in passages], elapsed))
    return answers


def _load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f}/{five:.1f} on {os.cpu_count()} CPUs"


def _print_answers(title: str, answers: list[Answer]) -> None:
    print(f"\n{title}")
    for a in answers:
        mark = f"#{a.rank}" if a.rank else "MISS"
        print(f"  {mark:<4} {a.question.kind:<10} {a.question.file:<30} {a.question.text}")
        if not a.rank:
            print(f"       got: {', '.join(a.names) or '(nothing above the floors)'}")


def _nearest_distance(exact: ExactVectors, embedder: Any, text: str) -> float:
    """Cosine distance of the single nearest chunk, exact, no floor (diagnostics only)."""
    return float(exact.query([embedder.embed([text])[0]], 1, [])["distances"][0][0])


def stage_times(index: Any, files: list[str]) -> dict[str, float]:
    """Single-threaded seconds per stage over ``files`` — load, chunk (incl. token counting), embed — plus chunk
    size stats, so the end-to-end rate can be explained. Same loader, chunker and settings as ``index``."""
    from hearth.core.docs.chunker import chunk_document
    from hearth.core.docs.loaders import load_file
    from hearth.core.docs.types import LoadedDocument

    load_s = chunk_s = 0.0
    texts: list[str] = []
    for path in files:
        start = time.perf_counter()
        doc = load_file(path)
        load_s += time.perf_counter() - start
        if not isinstance(doc, LoadedDocument):
            continue
        start = time.perf_counter()
        chunks = chunk_document(
            doc, max_tokens=index.max_tokens, overlap_tokens=index.overlap_tokens,
            count_tokens=index.embedder.count_tokens,
        )  # fmt: skip
        chunk_s += time.perf_counter() - start
        texts += [c.text for c in chunks if c.text.strip()]
    start = time.perf_counter()
    for i in range(0, len(texts), index.batch_size):
        index.embedder.embed(texts[i : i + index.batch_size])
    embed_s = time.perf_counter() - start
    tokens = sorted(index.embedder.count_tokens(t) for t in texts) or [0]
    return {
        "load": load_s, "chunk": chunk_s, "embed": embed_s, "chunks": float(len(texts)),
        "tokens_median": float(tokens[len(tokens) // 2]), "tokens_p10": float(tokens[len(tokens) // 10]),
        "small_share": sum(1 for t in tokens if t < 32) / len(tokens),
    }  # fmt: skip


class ExactVectors:
    """Stands in for a Chroma collection with exact (brute-force) cosine search over the same vectors, to show
    what Chroma's approximate HNSW search costs in recall. Diagnostics only."""

    def __init__(self, collection: Any) -> None:
        import numpy as np

        data = collection.get(include=["embeddings"])
        self._ids = list(data["ids"])
        self._matrix = np.asarray(data["embeddings"], dtype=np.float32)  # unit length: dot product = cosine

    def count(self) -> int:
        return len(self._ids)

    def query(self, query_embeddings: list[list[float]], n_results: int, include: list[str]) -> dict[str, Any]:
        import numpy as np

        sims = self._matrix @ np.asarray(query_embeddings[0], dtype=np.float32)
        top = np.argpartition(-sims, min(n_results, len(sims) - 1))[:n_results]
        top = top[np.argsort(-sims[top])]
        return {"ids": [[self._ids[i] for i in top]], "distances": [[float(1.0 - sims[i]) for i in top]]}


def _hnsw_overlap(approximate: Any, exact: ExactVectors, embedder: Any, questions: list[Question]) -> list[float]:
    """Per question: share of the exact top-20 chunks that Chroma's HNSW top-20 also returns."""
    shares = []
    for q in questions:
        vector = embedder.embed([q.text])[0]
        want = set(exact.query([vector], 20, [])["ids"][0])
        got = set(approximate.query(query_embeddings=[vector], n_results=20, include=["distances"])["ids"][0])
        shares.append(len(want & got) / len(want))
    return shares


def _vector_diagnostics(
    retriever: Any, exact: ExactVectors, questions: list[Question], depth: int = 100
) -> list[tuple[int | None, float]]:
    """For each question: rank (among distinct files) and cosine distance of the expected page's best chunk in
    the exact vector top-``depth``, no floor. Reads the retriever's internals: diagnostics only."""
    rows = []
    for q in questions:
        vector = retriever.embedder.embed([q.text])[0]
        res = exact.query([vector], depth, [])
        ids, dists = res["ids"][0], res["distances"][0]
        found = retriever._db.rows_by_ids(ids)
        seen: list[str] = []
        hit: tuple[int | None, float] = (None, float("nan"))
        for cid, dist in zip(ids, dists, strict=True):
            row = found.get(cid)
            if row is None:
                continue
            name = Path(row.path).name
            if name not in seen:
                seen.append(name)
            if name == q.file:
                hit = (seen.index(name) + 1, dist)
                break
        rows.append(hit)
    return rows


@benchmark("docs", "documents Q&A on the PostgreSQL manual (HTML) + gnuplot manual (PDF): speed, memory, quality")
def docs() -> list[Result]:
    html_dir, pdf = find_corpus()
    if html_dir is None or pdf is None:
        missing = [name for name, p in (("postgresql-doc", html_dir), ("gnuplot-doc", pdf)) if p is None]
        message = f"docs benchmark: corpus missing ({', '.join(missing)}); {INSTALL_HINT}"
        print(message, file=sys.stderr)
        return [Result("docs: corpus missing", 0, "", "", INSTALL_HINT)]

    from hearth.core.docs.collections import CollectionSpec, CollectionStore, open_chroma
    from hearth.core.docs.index import DocumentIndex
    from hearth.core.docs.retriever import DEFAULT_MAX_DISTANCE, Retriever
    from hearth.core.paths import resolve_paths

    questions, unrelated = load_questions()
    load_before = _load_note()
    results: list[Result] = []
    with temporary_home():
        paths = resolve_paths().ensure()
        store = CollectionStore(paths)
        pg = store.save(CollectionSpec(name="postgres manual", folders=(str(html_dir),)))
        gp = store.save(CollectionSpec(name="gnuplot manual", folders=(str(pdf.parent),), include=(pdf.name,)))
        pg_files = list(pg.iter_files())
        pg_bytes = sum(Path(p).stat().st_size for p in pg_files)
        client = open_chroma(store)
        try:
            # --- end-to-end indexing, default embedder (model load included: a first index pays it too) --------
            with PeakRss() as rss:
                start = time.perf_counter()
                pg_result = DocumentIndex(store, pg, client).index()
                pg_seconds = time.perf_counter() - start
                start = time.perf_counter()
                gp_result = DocumentIndex(store, gp, client).index()
                gp_seconds = time.perf_counter() - start
            maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            load_after = _load_note()
            files_in = pg_result.files_indexed + len(pg_result.skipped)
            print(
                f"postgres: {pg_result.files_indexed} files indexed, {len(pg_result.skipped)} skipped, "
                f"{pg_result.chunks} chunks, {pg_bytes / MIB:.1f} MiB in {pg_seconds:.1f} s",
                file=sys.stderr,
            )
            for skipped in pg_result.skipped:
                print(f"  skipped {pg.relative(skipped.path)}: {skipped.reason}", file=sys.stderr)
            print(
                f"gnuplot: {gp_result.files_indexed} file, {gp_result.chunks} chunks, "
                f"{pdf.stat().st_size / MIB:.1f} MiB in {gp_seconds:.1f} s",
                file=sys.stderr,
            )
            results += [
                Result("docs index: files/s (postgres HTML)", files_in / pg_seconds, "files/s", "",
                       f"{files_in} files in {pg_seconds:.1f} s; {load_before} before, {load_after} after"),
                Result("docs index: chunks/s (postgres HTML)", pg_result.chunks / pg_seconds, "chunks/s",
                       ">= 300 chunks/s", f"{pg_result.chunks} chunks, WordLlama, end-to-end incl. model load"),
                Result("docs index: MB/s (postgres HTML)", pg_bytes / MIB / pg_seconds, "MiB/s", "",
                       f"{pg_bytes / MIB:.1f} MiB of HTML on disk"),
                Result("docs index: chunks/s (gnuplot PDF)", gp_result.chunks / gp_seconds, "chunks/s",
                       ">= 300 chunks/s", f"1 PDF, {pdf.stat().st_size / MIB:.1f} MiB, {gp_result.chunks} chunks, "
                       f"{gp_seconds:.1f} s, {len(gp_result.skipped)} skipped"),
                Result("docs index: MB/s (gnuplot PDF)", pdf.stat().st_size / MIB / gp_seconds, "MiB/s", ""),
                Result("docs index: peak RSS", rss.peak / MIB, "MiB", "",
                       f"sampled every 20 ms while indexing both; +{(rss.peak - rss.start_rss) / MIB:.0f} MiB over "
                       f"the {rss.start_rss / MIB:.0f} MiB before; ru_maxrss {maxrss_mib:.0f} MiB"),
            ]  # fmt: skip

            # --- no-change re-scan: stat every file, read none -----------------------------------------------
            rescans = []
            for _ in range(5):
                start = time.perf_counter()
                again = DocumentIndex(store, pg, client).index()
                rescans.append(time.perf_counter() - start)
                assert again.files_indexed == 0 and again.chunks == 0, again
            rescan = statistics.median(rescans)
            results.append(
                Result("docs re-scan, nothing changed", rescan, "s", "< 2 s per 1,000 files",
                       f"{len(pg_files)} files, median of 5 ({rescan / len(pg_files) * 1000:.2f} s per 1,000)")
            )  # fmt: skip

            # --- queries: latency and quality -----------------------------------------------------------------
            with Retriever(store, pg, client) as retriever:
                retriever.search("warm up the embedder and the caches", k=K)
                answers = ask_all(lambda text: retriever.search(text, k=K), questions)
                brute = ExactVectors(retriever._collection)
                vector_diag = _vector_diagnostics(retriever, brute, questions)
                unrelated_found = [(retriever.search(text, k=K), _nearest_distance(brute, retriever.embedder, text))
                                   for text in unrelated]  # fmt: skip
            with Retriever(store, pg, client, max_distance=2.0) as unfloored:
                no_floor = ask_all(lambda text: unfloored.search(text, k=K), questions)
            with Retriever(store, pg, client) as exact:
                approximate, exact._collection = exact._collection, brute
                exact_answers = ask_all(lambda text: exact.search(text, k=K), questions)
                hnsw_overlap = _hnsw_overlap(approximate, exact._collection, exact.embedder, questions)
            with Retriever(store, gp, client) as gp_retriever:
                gp_answers = [
                    gp_retriever.search(text, k=K)
                    for text in ("how do I set the range of the x axis", "plot data from a file using columns 1 and 3")
                ]
            # --- where the indexing time goes (single-threaded, after the timed run) ---------------------------
            pg_index = DocumentIndex(store, pg, client)
            pg_stages = stage_times(pg_index, pg_files)
            gp_stages = stage_times(DocumentIndex(store, gp, client), [str(pdf)])
        finally:
            client.close()

    latencies_ms = [a.seconds * 1000 for a in answers]
    results += [
        Result("docs query p50", percentile(latencies_ms, 50), "ms", "",
               f"{len(answers)} questions, k={K}, hybrid (Chroma + FTS5)"),
        Result("docs query p95", percentile(latencies_ms, 95), "ms", "< 100 ms", f"max {max(latencies_ms):.1f} ms"),
    ]  # fmt: skip
    for label, group in (
        ("all", answers),
        ("keyword", [a for a in answers if a.question.kind == "keyword"]),
        ("paraphrase", [a for a in answers if a.question.kind == "paraphrase"]),
    ):
        recall, mrr = recall_mrr(group)
        hits = sum(1 for a in group if a.rank)
        results += [
            Result(f"docs recall@5 ({label})", recall, "", ">= 0.8", f"{hits}/{len(group)} questions"),
            Result(f"docs MRR@5 ({label})", mrr, "", ""),
        ]
    for label, group in (
        ("all", no_floor),
        ("paraphrase", [a for a in no_floor if a.question.kind == "paraphrase"]),
    ):
        recall, mrr = recall_mrr(group)
        results.append(
            Result(f"docs recall@5, no vector floor ({label})", recall, "", "diagnostic",
                   f"max_distance=2.0 instead of the default; MRR {mrr:.2f}")
        )  # fmt: skip
    recall, mrr = recall_mrr(exact_answers)
    para_recall, _ = recall_mrr([a for a in exact_answers if a.question.kind == "paraphrase"])
    results.append(
        Result("docs recall@5, exact vector search (all)", recall, "", "diagnostic",
               f"brute force instead of HNSW, default floors; MRR {mrr:.2f}, paraphrase recall {para_recall:.2f}; "
               f"HNSW top-20 keeps {statistics.mean(hnsw_overlap):.0%} of the exact top-20 (worst "
               f"{min(hnsw_overlap):.0%})")
    )  # fmt: skip
    recall, mrr = recall_mrr(answers, lenient=True)
    results.append(
        Result("docs recall@5, 'also' pages count (all)", recall, "", "diagnostic",
               f"{sum(1 for a in answers if a.lenient_rank)}/{len(answers)}; MRR {mrr:.2f}")
    )  # fmt: skip
    if unrelated_found:
        noisy = sum(1 for found, _ in unrelated_found if found)
        nearest = min(d for _, d in unrelated_found)
        results.append(
            Result("docs unrelated questions answered", noisy, f"of {len(unrelated_found)}", "0",
                   f"should retrieve nothing; nearest chunk distance {nearest:.3f} (floor {DEFAULT_MAX_DISTANCE})")
        )  # fmt: skip
    for label, st in (("postgres HTML", pg_stages), ("gnuplot PDF", gp_stages)):
        total = st["load"] + st["chunk"] + st["embed"]
        results.append(
            Result(f"docs stages, 1 thread ({label})", total, "s", "diagnostic",
                   f"load {st['load']:.1f} s, chunk {st['chunk']:.1f} s, embed {st['embed']:.1f} s for "
                   f"{st['chunks']:.0f} chunks; tokens/chunk median {st['tokens_median']:.0f}, "
                   f"p10 {st['tokens_p10']:.0f}, {st['small_share']:.0%} under 32")
        )  # fmt: skip
    short = sum(1 for a in answers if len(a.names) < K)
    bookindex = sum(a.names.count("bookindex.html") for a in answers)
    results.append(
        Result("docs answers with < 5 passages", short, "questions", "diagnostic",
               f"floors cut the list; bookindex.html took {bookindex} of {K * len(answers)} top-5 slots")
    )  # fmt: skip

    _print_answers("postgres questions (default retriever)", answers)
    _print_answers("postgres questions (no vector floor)", [a for a in no_floor if not a.rank])
    _print_answers("postgres questions (exact vector search)", [a for a in exact_answers if not a.rank])
    print("\nexpected page in the exact vector top-100 (rank among distinct files, cosine distance), default floor "
          f"{DEFAULT_MAX_DISTANCE}:")  # fmt: skip
    for (rank, dist), a in zip(vector_diag, answers, strict=True):
        where = f"file #{rank}, d={dist:.3f}" if rank else "not in top-100 chunks"
        print(f"  {'hit ' if a.rank else 'MISS'} {a.question.kind:<10} {a.question.file:<30} {where}")
    dists = [d for r, d in vector_diag if r]
    if dists:
        over = sum(1 for d in dists if d > DEFAULT_MAX_DISTANCE)
        print(f"  best-chunk distance of the expected page: median {statistics.median(dists):.3f}, "
              f"{over}/{len(dists)} above {DEFAULT_MAX_DISTANCE}")  # fmt: skip
    print("\nunrelated questions (passages returned, nearest chunk distance):")
    for text, (found, dist) in zip(unrelated, unrelated_found, strict=True):
        print(f"  {len(found)} passages, nearest d={dist:.3f}  {text}")
        for p in found:
            side = "vector" if p.vector_rank else "keyword-only"
            print(f"       {side}: {p.relative_path} — {p.text.strip()[:80]!r}")
    print("\ngnuplot PDF sanity queries:")
    for passages in gp_answers:
        print("  " + ("; ".join(p.location() for p in passages[:3]) or "(nothing)"))
    kinds = Counter(q.kind for q in questions)
    print(f"\n{len(questions)} questions ({kinds['keyword']} keyword, {kinds['paraphrase']} paraphrase)")
    return results
