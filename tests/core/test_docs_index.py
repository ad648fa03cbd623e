"""The documents index: incremental, resumable after a kill, Chroma and FTS5 always in step, offline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from docs_fixtures import chroma_counts, chunk_fn, close_chroma_clients, make_index, write_corpus, write_filler

from hearth.core.docs.collections import CollectionStore, chroma_collection
from hearth.core.docs.embedders import GgufEmbedder, WordLlamaEmbedder
from hearth.core.docs.fts import IndexDb
from hearth.core.docs.index import DocumentIndex, IndexProgress
from hearth.core.docs.loaders import load_file
from hearth.core.docs.types import LoadedDocument
from hearth.core.docs.watcher import watch_index
from hearth.core.paths import AppPaths
from hearth.testing.fake_hub import only_local_connections
from hearth.testing.gguf_factory import write_embedding_model

__all__ = ["close_chroma_clients"]  # the fixture, used by every test here


def expected_counts(index: DocumentIndex) -> dict[str, int]:
    """What a clean index holds: the chunker's output for every file on disk (empty chunks dropped)."""
    chunk = chunk_fn()
    counts = {}
    for path in index.spec.iter_files():
        doc = load_file(path)
        if isinstance(doc, LoadedDocument):
            n = sum(1 for c in chunk(doc, max_tokens=256, overlap_tokens=32, count_tokens=index.embedder.count_tokens)
                    if c.text.strip())  # fmt: skip
            if n:
                counts[path] = n
    return counts


def assert_consistent(index: DocumentIndex, client: object) -> dict[str, int]:
    """Chroma, FTS5 and the file table agree with each other and with a from-scratch chunking."""
    with IndexDb(index.store.sqlite_path(index.spec)) as db:
        fts = db.chunk_counts()
        files = {p: r.n_chunks for p, r in db.files().items() if r.n_chunks}
        assert all(r.state in ("done", "skipped") for r in db.files().values())
    vectors = chroma_counts(client, index.spec)
    expected = expected_counts(index)
    assert vectors == expected
    assert fts == expected
    assert files == expected
    return expected


def test_indexes_a_corpus_then_skips_unchanged_files(hearth_paths: AppPaths, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_corpus(folder)
    (folder / "photo.bin").write_bytes(bytes(range(256)) * 10)
    index, client = make_index(hearth_paths, "Notes", [folder])
    with only_local_connections():
        first = index.index()
    assert first.files_indexed == 6 and first.chunks >= 6
    assert [s.path for s in first.skipped] == [str(folder / "photo.bin")]
    assert first.skipped[0].reason
    assert_consistent(index, client)

    second = index.index()
    assert (second.files_indexed, second.chunks, second.files_unchanged) == (0, 0, 0)
    assert len(second.skipped) == 1  # persisted for the UI, not re-read

    os.utime(folder / "kitchen/bread.md", (time.time() + 5, time.time() + 5))  # same bytes, new mtime
    third = index.index()
    assert (third.files_indexed, third.files_unchanged) == (0, 1)
    assert index.index().files_unchanged == 0  # the new mtime was remembered


def test_reindex_after_edit_delete_and_rename(hearth_paths: AppPaths, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_corpus(folder)
    index, client = make_index(hearth_paths, "Notes", [folder])
    index.index()
    (folder / "kitchen/bread.md").write_text("# Bread\n\nSourdough needs a starter fed daily.\n", encoding="utf-8")
    (folder / "sky/stars.txt").unlink()
    (folder / "pets/dogs.md").rename(folder / "pets/canines.md")
    result = index.index()
    assert result.files_indexed == 2 and result.files_removed == 2
    expected = assert_consistent(index, client)
    assert str(folder / "sky/stars.txt") not in expected and str(folder / "pets/canines.md") in expected
    ids = chroma_collection(client, index.spec).get(where={"path": str(folder / "kitchen/bread.md")})["ids"]
    with IndexDb(index.store.sqlite_path(index.spec)) as db:
        rows = db.rows_by_ids(ids)
    assert len(rows) == len(ids) and all("Sourdough" in r.text for r in rows.values())


def test_crash_after_vectors_written_is_repaired(
    hearth_paths: AppPaths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "docs"
    write_corpus(folder)
    index, client = make_index(hearth_paths, "Notes", [folder])
    index.index()
    (folder / "car/maintenance.md").write_text("# Car\n\nReplace the brake pads.\n\nBleed the brakes.\n", "utf-8")

    def crash(self: IndexDb, by_path: object) -> None:
        raise OSError("disk vanished")

    with monkeypatch.context() as m:
        m.setattr(IndexDb, "commit_chunks", crash)
        with pytest.raises(RuntimeError, match="disk vanished"):
            index.index()
    with IndexDb(index.store.sqlite_path(index.spec)) as db:
        assert db.files()[str(folder / "car/maintenance.md")].state == "indexing"
    index.index()
    assert_consistent(index, client)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {fixtures!r})
    from pathlib import Path
    from docs_fixtures import make_index
    from hearth.core.paths import resolve_paths
    index, _ = make_index(resolve_paths().ensure(), "Big", [Path({folder!r})], batch_size=8, readers=2)
    index.index(progress=lambda p: print("done", p.files_done, flush=True))
    print("finished", flush=True)
    """
)


@pytest.mark.slow
def test_killed_mid_index_resumes_without_duplicates_or_orphans(hearth_paths: AppPaths, tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    write_filler(folder, 300)
    script = KILL_SCRIPT.format(fixtures=str(Path(__file__).parent), folder=str(folder))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=dict(os.environ))
    assert proc.stdout is not None
    killed_at = None
    for line in proc.stdout:
        if line.startswith("done") and int(line.split()[1]) >= 60:
            proc.send_signal(signal.SIGKILL)
            killed_at = int(line.split()[1])
            break
    proc.stdout.close()
    proc.wait(30)
    assert killed_at is not None and proc.returncode == -signal.SIGKILL

    index, client = make_index(hearth_paths, "Big", [folder])
    with IndexDb(index.store.sqlite_path(index.spec)) as db:
        assert 0 < len(db.files()) < 300  # it really stopped part-way
    result = index.index()
    assert result.files_indexed + result.files_unchanged < 300  # finished files were not redone
    expected = assert_consistent(index, client)
    assert len(expected) == 300


def test_cancel_and_pause(hearth_paths: AppPaths, tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    write_filler(folder, 80)
    index, client = make_index(hearth_paths, "Big", [folder], batch_size=4)
    cancel, pause = threading.Event(), threading.Event()
    seen: list[IndexProgress] = []

    def progress(p: IndexProgress) -> None:
        seen.append(p)
        if p.files_done == 10:
            cancel.set()

    result = index.index(progress=progress, pause=pause, cancel=cancel)
    assert result.cancelled and result.files_indexed < 80
    assert seen[-1].files_total == 80 and seen[-1].chunks_per_s > 0

    pause.set()
    threading.Timer(0.3, pause.clear).start()
    started = time.monotonic()
    result = index.index(pause=pause)
    assert time.monotonic() - started >= 0.25 and not result.cancelled
    assert_consistent(index, client)


def test_changing_the_embedder_rebuilds_the_index(hearth_paths: AppPaths, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_corpus(folder)
    index, client = make_index(hearth_paths, "Notes", [folder])
    index.index()
    old_name = index.spec.chroma_name
    model = write_embedding_model(tmp_path / "embed.gguf")
    store = CollectionStore(hearth_paths)
    spec = store.save(index.spec.__class__(**{**index.spec.__dict__, "embedder_id": f"gguf:{model}"}))
    embedder = GgufEmbedder(model)
    try:
        rebuilt = DocumentIndex(store, spec, client, embedder=embedder, chunk=chunk_fn())
        result = rebuilt.index()
        assert result.files_indexed == 6
        assert old_name not in [c.name for c in client.list_collections()]
        vectors = chroma_collection(client, spec).get(include=["embeddings"])["embeddings"]
        assert len(vectors[0]) == embedder.dim == 64
        assert_consistent(rebuilt, client)
    finally:
        embedder.close()


def test_embedders_give_unit_vectors_offline(tmp_path: Path) -> None:
    model = write_embedding_model(tmp_path / "embed.gguf")
    gguf = GgufEmbedder(model)
    try:
        with only_local_connections():
            for embedder in (WordLlamaEmbedder(), gguf):
                vectors = embedder.embed(["hello world", "a second, longer sentence"])
                assert len(vectors) == 2 and len(vectors[0]) == embedder.dim
                assert all(abs(sum(x * x for x in v) - 1.0) < 1e-4 for v in vectors)
                assert embedder.count_tokens("hello world") >= 1
    finally:
        gguf.close()


def test_watcher_indexes_a_new_file(hearth_paths: AppPaths, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    write_corpus(folder)
    index, _client = make_index(hearth_paths, "Notes", [folder])
    index.index()
    new = folder / "garden/roses.md"
    watcher = watch_index(index, debounce_s=0.2)
    try:
        new.write_text("# Roses\n\nPrune roses in late winter above an outward bud.\n", encoding="utf-8")
        deadline = time.monotonic() + 15
        with IndexDb(index.store.sqlite_path(index.spec)) as db:
            while str(new) not in db.chunk_counts():
                assert time.monotonic() < deadline, "the watcher never indexed the new file"
                time.sleep(0.05)
    finally:
        watcher.stop()


@pytest.mark.slow
def test_mixed_corpus_facts_are_found_with_their_positions(hearth_paths: AppPaths, tmp_path: Path) -> None:
    from hearth.core.docs.retriever import Retriever
    from hearth.testing.docs_corpus import write_mixed_corpus

    manifest = write_mixed_corpus(tmp_path / "mixed", oversize_mb=21)
    index, client = make_index(hearth_paths, "Mixed", [manifest.folder])
    with only_local_connections():
        result = index.index()
    reasons = {s.path: s.reason for s in result.skipped}
    for path, expected in manifest.skipped.items():
        assert expected in reasons.get(str(path), ""), (path, reasons.get(str(path)))
    indexed = assert_consistent(index, client)
    assert {str(p) for p in manifest.loadable} <= set(indexed)
    with Retriever(index.store, index.spec, client) as retriever, only_local_connections():
        for key, fact in manifest.facts.items():
            wanted = " ".join(fact.text.split())
            hits = [p for p in retriever.search(fact.text, k=5) if wanted in " ".join(p.text.split())]
            assert hits, f"fact {key} not retrieved"
            assert hits[0].path == str(fact.path) and hits[0].page == fact.page, key
            if fact.line is not None and hits[0].line_start is not None and hits[0].line_end is not None:
                assert hits[0].line_start <= fact.line <= hits[0].line_end, key
