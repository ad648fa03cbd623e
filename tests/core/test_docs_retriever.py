"""Hybrid retrieval: keyword-only and paraphrase-only questions find their chunk; unrelated ones find nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from docs_fixtures import close_chroma_clients, make_index, write_corpus

from hearth.core.docs.fts import fts_query
from hearth.core.docs.retriever import Passage, Retriever, build_prompt_context
from hearth.core.paths import AppPaths
from hearth.testing.fake_hub import only_local_connections

__all__ = ["close_chroma_clients"]


@pytest.fixture
def retriever(hearth_paths: AppPaths, tmp_path: Path) -> Retriever:
    folder = tmp_path / "docs"
    write_corpus(folder)
    (folder / "car/more.md").write_text(
        "# Brakes\n\nReplace the brake pads when they are thinner than three millimetres.\n\n"
        "# Wipers\n\nReplace the wiper blades every autumn.\n\n# Lights\n\nCheck the headlights and indicators.\n",
        encoding="utf-8",
    )
    index, client = make_index(hearth_paths, "Notes", [folder])
    index.index()
    return Retriever(index.store, index.spec, client)


def test_keyword_only_question_finds_the_rare_word(retriever: Retriever) -> None:
    with retriever, only_local_connections():
        passages = retriever.search("Zephyrion", k=5)
    assert passages and passages[0].relative_path == "finance/invoices.txt"
    assert passages[0].keyword_rank == 1 and passages[0].vector_rank is None  # the vectors alone miss it
    assert passages[0].line_start is not None and passages[0].page is None


def test_paraphrase_only_question_finds_the_meaning(retriever: Retriever) -> None:
    question = "how often should I swap the motor lubricant in my vehicle"
    assert retriever._db.keyword_search(question, 10) == []  # no shared words: only the vectors can answer
    with retriever, only_local_connections():
        passages = retriever.search(question, k=5)
    assert passages and passages[0].relative_path == "car/maintenance.md"
    assert passages[0].vector_rank == 1


@pytest.mark.parametrize(
    "question", ["what is the capital of Mongolia", "my favourite football team lost yesterday", "the", ""]
)
def test_unrelated_question_retrieves_nothing(retriever: Retriever, question: str) -> None:
    with retriever:
        assert retriever.search(question) == []


def test_at_most_two_chunks_per_file(retriever: Retriever) -> None:
    with retriever:
        passages = retriever.search("replace brake pads wiper blades headlights indicators", k=10)
    paths = [p.path for p in passages]
    assert paths and all(paths.count(p) <= 2 for p in paths)
    assert [p.score for p in passages] == sorted((p.score for p in passages), reverse=True)


def test_fts_query_is_escaped() -> None:
    assert fts_query('NEAR("a" b) OR c* -d ^e') == '"near"'
    assert fts_query("the of and") is None
    assert fts_query('drop "table" x:y') == '"drop" OR "table"'


def _passage(i: int, text: str) -> Passage:
    return Passage(f"/d/f{i}.md", f"f{i}.md", None, i, i + 2, "Intro", text, 1.0 / i, i, None)


def test_prompt_context_numbers_passages_within_budget() -> None:
    def count(text: str) -> int:
        return len(text.split())

    passages = [_passage(1, "alpha " * 10), _passage(2, "beta " * 10), _passage(3, "gamma " * 100)]
    text, used = build_prompt_context(passages, budget_tokens=80, count_tokens=count)
    assert used == passages[:2]
    assert "[1] f1.md, lines 1–3 — Intro" in text and "[2] f2.md" in text and "[3]" not in text
    assert "Cite" in text
    assert build_prompt_context(passages, budget_tokens=5, count_tokens=count) == ("", [])


def test_one_shared_word_is_not_a_keyword_match() -> None:
    """The question "capital of Mongolia" once retrieved a tutorial's ``capitals`` table from the PostgreSQL manual."""
    from hearth.core.docs.retriever import keyword_only_hit_is_enough

    table = "CREATE TABLE capitals (state char(2)) INHERITS (cities);"
    assert not keyword_only_hit_is_enough(["capital", "mongolia"], table)
    assert keyword_only_hit_is_enough(["capital", "table"], table)
    assert keyword_only_hit_is_enough(["capitals"], table)
    assert keyword_only_hit_is_enough(["create", "table", "inherits", "tyre"], table)
    assert not keyword_only_hit_is_enough(["create", "flat", "tyre", "bicycle"], table)
    assert not keyword_only_hit_is_enough([], table)
