"""Retrieval for a chat turn: search the conversation's collections, fit the best passages into the context.

Why on a worker: the search embeds the question and reads Chroma and SQLite, and fitting counts tokens through the
engine process; none may block the main thread. The passages go into the last user message (numbered, with the
core's "cite like [1]" instruction) within what the context leaves after the conversation and the reply's reserve;
the store keeps the user's own words. Picks are per conversation, for this session (the store has no column).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from hearth.core.docs.retriever import Passage, build_prompt_context
from hearth.core.engine import EngineClient
from hearth.core.engine import protocol as p
from hearth.ui.chat.citations import ReplySources, SourcesLog, no_match_note
from hearth.ui.documents.services import DocsServices
from hearth.ui.workers import TaskHandle, run_in_thread

PER_COLLECTION = 5
MIN_BUDGET = 64  # tokens; below this no passage is worth its instruction


def with_context(messages: list[p.Message], context: str) -> list[p.Message]:
    """``messages`` with the excerpts put before the last user message's question."""
    if not context or not messages or messages[-1]["role"] != "user":
        return messages
    question = messages[-1]["content"]
    return [*messages[:-1], {"role": "user", "content": f"{context}\n\nQuestion: {question}"}]


def retrieve(
    docs: DocsServices,
    engine: EngineClient,
    collections: tuple[str, ...],
    messages: list[p.Message],
    n_ctx: int,
    reserve: int,
) -> tuple[list[p.Message], ReplySources]:
    """Blocking: search every picked collection, merge best first, number what fits."""
    question = messages[-1]["content"] if messages else ""
    found: list[Passage] = []
    for name in collections:
        found += docs.search(name, question, k=PER_COLLECTION)
    found.sort(key=lambda passage: -passage.score)
    if not found:
        return messages, ReplySources(collections, (), no_match_note(collections))
    budget = n_ctx - reserve - engine.count_tokens(messages) - 16
    if budget < MIN_BUDGET:
        note = "The conversation leaves no room for document passages; answering without documents."
        return messages, ReplySources(collections, (), note)
    context, used = build_prompt_context(found, budget, engine.count_tokens)
    if not used:
        return messages, ReplySources(collections, (), no_match_note(collections))
    return with_context(messages, context), ReplySources(collections, tuple(used))


class DocumentContext(QObject):
    """Per-conversation picks, the retrieval step before a reply, and the log of what each reply cited.

    Signals:
        failed(str): retrieval failed (the reply is then not sent); the sentence to show.
    """

    failed = Signal(str)

    def __init__(self, docs: DocsServices | None, engine: EngineClient, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.docs, self.engine = docs, engine
        self.log = SourcesLog()
        self._picks: dict[int | None, tuple[str, ...]] = {}
        self._task: TaskHandle[Any] | None = None

    def picks(self, cid: int | None) -> tuple[str, ...]:
        return self._picks.get(cid, ())

    def set_picks(self, cid: int | None, names: tuple[str, ...]) -> None:
        self._picks[cid] = names

    def adopt_draft(self, cid: int) -> None:
        """A new conversation inherits what was picked before it existed."""
        if cid not in self._picks and None in self._picks:
            self._picks[cid] = self._picks.pop(None)

    def prepare(
        self,
        cid: int,
        messages: list[p.Message],
        reserve: int,
        then: Callable[[list[p.Message]], None],
    ) -> None:
        """Call ``then(messages)`` — with passages added when the conversation has collections picked."""
        self.log.pending = None
        picked, loaded = self.picks(cid), self.engine.loaded
        if self.docs is None or not picked or loaded is None:
            then(messages)
            return
        docs, engine, n_ctx = self.docs, self.engine, loaded.n_ctx

        def done(result: tuple[list[p.Message], ReplySources]) -> None:
            augmented, sources = result
            self.log.pending = sources
            then(augmented)

        self._task = run_in_thread(
            lambda: retrieve(docs, engine, picked, messages, n_ctx, reserve),
            done,
            lambda exc: self.failed.emit(f"Could not search {', '.join(picked)}: {exc}"),
            context=self,
            name="hearth-chat-retrieve",
        )

    def wait(self, timeout: float = 10.0) -> None:
        if self._task is not None:
            self._task.wait(timeout)
