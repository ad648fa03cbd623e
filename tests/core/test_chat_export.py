"""Markdown and JSON export of conversations, and JSON import back."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hearth.core.chat import ConversationStore, ReplyStats, SamplingSettings
from hearth.core.chat.export import from_json


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ConversationStore]:
    ticks = itertools.count()
    with ConversationStore(tmp_path / "conversations.sqlite3", clock=lambda: 1_717_236_000.0 + next(ticks)) as s:
        yield s


def _small_conversation(store: ConversationStore) -> int:
    c = store.create_conversation(model_path="/models/Qwen2.5-7B-Instruct-Q4_K_M.gguf", system_prompt="Be brief.")
    store.add_message(c.id, "user", "How do I reverse a list in Python?\n")
    reply = store.begin_reply(c.id)
    for delta in ("Use slicing:\n\n", "```python\n", "items = [1, 2, 3]\n", "print(items[::-1])\n", "```\n"):
        store.append_reply(reply.id, delta)
    store.finish_reply(
        reply.id, ReplyStats(ttft_ms=85.0, tokens_per_s=31.5, completion_tokens=20, finish_reason="stop")
    )
    return c.id


def test_markdown_exact_text(store: ConversationStore) -> None:
    conversation_id = _small_conversation(store)
    assert store.export_markdown(conversation_id) == (
        "# How do I reverse a list in Python?\n"
        "\n"
        "*Model: Qwen2.5-7B-Instruct-Q4_K_M.gguf*\n"
        "\n"
        "## System\n"
        "\n"
        "Be brief.\n"
        "\n"
        "## User\n"
        "\n"
        "How do I reverse a list in Python?\n"
        "\n"
        "## Assistant\n"
        "\n"
        "Use slicing:\n"
        "\n"
        "```python\n"
        "items = [1, 2, 3]\n"
        "print(items[::-1])\n"
        "```\n"
    )


def test_markdown_shows_the_visible_branch_and_how_replies_ended(store: ConversationStore) -> None:
    c = store.create_conversation("Branches")
    old = store.add_message(c.id, "user", "old question")
    store.edit_user_message(old.id, "new question")
    cut = store.begin_reply(c.id)
    store.append_reply(cut.id, "Here:\n```js\nconsole.log(1)")  # cut off inside a code block
    store.finish_reply(cut.id, status="interrupted")
    failed = store.begin_reply(c.id)
    store.finish_reply(failed.id, status="error", error="out of memory")
    assert store.export_markdown(c.id) == (
        "# Branches\n\n## User\n\nnew question\n\n"
        "## Assistant\n\nHere:\n```js\nconsole.log(1)\n```\n\n*(reply interrupted)*\n\n"
        "## Assistant\n\n*(error: out of memory)*\n"
    )


def _without_ids(export: dict[str, Any]) -> dict[str, Any]:
    """Replace ids by their position, so two exports of the same tree compare equal."""
    position = {m["id"]: i for i, m in enumerate(export["messages"])}
    messages = [{**m, "id": position[m["id"]], "parent_id": position.get(m["parent_id"])} for m in export["messages"]]
    return {**export, "messages": messages, "active_leaf_id": position.get(export["active_leaf_id"])}


def test_json_round_trip_keeps_everything(store: ConversationStore) -> None:
    conversation_id = _small_conversation(store)
    first = store.messages(conversation_id)[0]
    store.edit_user_message(first.id, "How do I sort a list?")  # a second branch, now the visible one
    sampling = SamplingSettings(temperature=0.3, seed=42, stop=("###",), max_tokens=256)
    store.update_conversation(conversation_id, sampling=sampling)

    exported = store.export_json(conversation_id)
    assert exported["format"] == "hearth.conversation" and exported["version"] == 1
    assert exported["messages"][1]["stats"] == {
        "ttft_ms": 85.0,
        "tokens_per_s": 31.5,
        "completion_tokens": 20,
        "finish_reason": "stop",
    }
    assert exported["created_at"] == "2024-06-01T10:00:00+00:00"
    text = json.dumps(exported)  # plain JSON: what a file on disk would hold

    imported = store.import_json(json.loads(text))
    assert imported.id != conversation_id
    assert imported.sampling == sampling and imported.system_prompt == "Be brief."
    again = store.export_json(imported.id)
    assert _without_ids(again) == _without_ids(exported)
    assert [m.content for m in store.messages(imported.id)] == ["How do I sort a list?"]
    assert len(store.all_messages(imported.id)) == 3


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"title": "x"}, "not a Hearth conversation"),
        ({"format": "hearth.conversation", "version": 99}, "newer version"),
        ({"format": "hearth.conversation", "version": 1, "title": "x"}, "damaged"),
        (
            {
                "format": "hearth.conversation",
                "version": 1,
                "title": "x",
                "created_at": "2024-01-01T00:00:00+00:00",
                "updated_at": "2024-01-01T00:00:00+00:00",
                "messages": [{"id": 1, "role": "wizard", "content": "", "created_at": "2024-01-01T00:00:00"}],
            },
            "damaged",
        ),
    ],
)
def test_import_rejects_what_is_not_an_export(data: dict[str, Any], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        from_json(data)
