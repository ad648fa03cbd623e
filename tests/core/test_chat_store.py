"""The conversation store: CRUD, branches, streaming and crash recovery, search, migrations, damaged files.

Every store is closed by its test (the leak check fails tests that leave the database open). Timings are
measured by ``python tests/core/test_chat_store.py`` rather than asserted, because CI machines vary.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from hearth.core.chat import (
    MARK_END,
    MARK_START,
    ChatStoreError,
    ConversationStore,
    DatabaseTooNew,
    NotFound,
    ReplyStats,
    SamplingSettings,
    StorageFull,
    auto_title,
)
from hearth.core.chat.schema import SCHEMA_VERSION, migrate
from hearth.core.paths import AppPaths
from hearth.core.settings import SettingsStore


class FakeClock:
    """Distinct, increasing timestamps: ordering tests must not depend on the machine's clock resolution."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._ticks = itertools.count()
        self._start = start

    def __call__(self) -> float:
        return self._start + next(self._ticks)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "conversations.sqlite3"


@pytest.fixture
def store(db_path: Path) -> Iterator[ConversationStore]:
    with ConversationStore(db_path, clock=FakeClock()) as opened:
        yield opened


def thread_text(store: ConversationStore, conversation_id: int) -> list[str]:
    return [m.content for m in store.messages(conversation_id)]


# -- conversations ---------------------------------------------------------------------------------------------


def test_in_data_dir_uses_the_settings_data_folder(hearth_paths: AppPaths) -> None:
    data_dir = SettingsStore(hearth_paths).folders().data_dir
    with ConversationStore.in_data_dir(data_dir) as s:
        assert s.path == data_dir / "conversations.sqlite3"
        with closing(sqlite3.connect(s.path)) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_create_list_rename_delete(store: ConversationStore) -> None:
    a = store.create_conversation("First")
    b = store.create_conversation(model_path="/models/qwen.gguf", system_prompt="Be brief.")
    assert b.title == "New chat" and b.model_path == "/models/qwen.gguf" and b.system_prompt == "Be brief."
    assert [c.id for c in store.list_conversations()] == [b.id, a.id]

    store.add_message(a.id, "user", "hello")  # activity moves a conversation to the top
    assert [c.id for c in store.list_conversations()] == [a.id, b.id]

    assert store.rename_conversation(b.id, "  Renamed\n chat ").title == "Renamed chat"
    with pytest.raises(ValueError):
        store.rename_conversation(b.id, "   ")

    store.delete_conversation(a.id)
    assert [c.id for c in store.list_conversations()] == [b.id]
    with pytest.raises(NotFound):
        store.conversation(a.id)
    with pytest.raises(NotFound):
        store.delete_conversation(a.id)
    with pytest.raises(NotFound):
        store.add_message(a.id, "user", "too late")


def test_conversation_settings_and_sampling(store: ConversationStore) -> None:
    c = store.create_conversation("Tuned")
    assert c.sampling == SamplingSettings()
    tuned = SamplingSettings(temperature=0.2, top_k=20, max_tokens=512, seed=7, stop=("</s>", "User:"))
    updated = store.update_conversation(c.id, sampling=tuned, system_prompt="Think first.")
    assert updated.sampling == tuned and updated.system_prompt == "Think first." and updated.model_path == ""
    assert store.update_conversation(c.id, model_path="/m.gguf").sampling == tuned  # KEEP leaves the rest

    reset = SamplingSettings.model_defaults({"temperature": 0.6, "top_p": 1, "min_p": "bad", "unknown": 3})
    assert reset == SamplingSettings(temperature=0.6, top_p=1.0)
    assert store.update_conversation(c.id, sampling=SamplingSettings.model_defaults()).sampling == SamplingSettings()


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("  How do   I bake bread?  \nSecond line", "How do I bake bread?"),
        ("\n\n```python\nprint('hi')\n```", "print('hi')"),
        (
            "Explain the difference between processes and threads in Python and when to use which",
            "Explain the difference between processes and threads in…",
        ),
        ("x" * 100, "x" * 59 + "…"),
        ("   \n  ", "New chat"),
    ],
)
def test_auto_title_rules(text: str, title: str) -> None:
    assert auto_title(text) == title
    assert len(auto_title(text)) <= 60


def test_first_user_message_names_the_conversation_once(store: ConversationStore) -> None:
    c = store.create_conversation()
    store.add_message(c.id, "system", "You are terse.")
    store.add_message(c.id, "user", "Why is the sky blue?")
    store.add_message(c.id, "user", "And sunsets red?")
    assert store.conversation(c.id).title == "Why is the sky blue?"

    named = store.create_conversation("My title")
    store.add_message(named.id, "user", "something else")
    assert store.conversation(named.id).title == "My title"


def test_duplicate_copies_every_branch(store: ConversationStore) -> None:
    c = store.create_conversation()
    u = store.add_message(c.id, "user", "one")
    store.add_message(c.id, "assistant", "reply one")
    edited = store.edit_user_message(u.id, "one, edited")
    store.add_message(c.id, "assistant", "reply edited")

    copy = store.duplicate_conversation(c.id)
    assert copy.id != c.id and copy.title == "one (copy)"
    assert store.list_conversations()[0].id == copy.id
    assert thread_text(store, copy.id) == ["one, edited", "reply edited"]
    assert len(store.all_messages(copy.id)) == 4
    first = store.messages(copy.id)[0]
    assert [m.content for m in store.branches(first.id)] == ["one", "one, edited"]
    assert edited.id not in {m.id for m in store.all_messages(copy.id)}


# -- branches --------------------------------------------------------------------------------------------------


def test_edit_keeps_old_branch_and_switch_back(store: ConversationStore) -> None:
    c = store.create_conversation()
    u1 = store.add_message(c.id, "user", "Name a fruit")
    store.add_message(c.id, "assistant", "Apple")
    u2 = store.add_message(c.id, "user", "Another")
    store.add_message(c.id, "assistant", "Pear")

    edited = store.edit_user_message(u2.id, "A red one")
    assert edited.parent_id == u2.parent_id and edited.id != u2.id
    assert thread_text(store, c.id) == ["Name a fruit", "Apple", "A red one"]
    reply = store.begin_reply(c.id)
    store.append_reply(reply.id, "Cherry")
    store.finish_reply(reply.id)
    assert thread_text(store, c.id) == ["Name a fruit", "Apple", "A red one", "Cherry"]

    assert [m.id for m in store.branches(u2.id)] == [u2.id, edited.id]
    assert thread_text(store, c.id)[:1] == ["Name a fruit"]
    assert [m.content for m in store.switch_branch(u2.id)] == ["Name a fruit", "Apple", "Another", "Pear"]
    assert thread_text(store, c.id) == ["Name a fruit", "Apple", "Another", "Pear"]
    assert [m.content for m in store.switch_branch(u1.id)] == ["Name a fruit", "Apple", "Another", "Pear"]  # on screen
    store.switch_branch(edited.id)
    assert thread_text(store, c.id) == ["Name a fruit", "Apple", "A red one", "Cherry"]

    first_edit = store.edit_user_message(u1.id, "Name a vegetable")  # editing the root: a second root
    assert first_edit.parent_id is None
    assert thread_text(store, c.id) == ["Name a vegetable"]
    assert len(store.branches(u1.id)) == 2

    apple = store.switch_branch(u1.id)[1]
    with pytest.raises(ValueError, match="only the user's"):
        store.edit_user_message(apple.id, "Banana")


def test_regenerating_a_reply_is_a_sibling(store: ConversationStore) -> None:
    c = store.create_conversation()
    u = store.add_message(c.id, "user", "Joke please")
    first = store.begin_reply(c.id)
    store.finish_reply(first.id)
    second = store.begin_reply(c.id, parent_id=u.id)
    store.append_reply(second.id, "Another joke")
    store.finish_reply(second.id)
    assert [m.id for m in store.branches(first.id)] == [first.id, second.id]
    assert thread_text(store, c.id) == ["Joke please", "Another joke"]


def test_parent_must_belong_to_the_conversation(store: ConversationStore) -> None:
    a = store.create_conversation()
    b = store.create_conversation()
    foreign = store.add_message(a.id, "user", "mine")
    with pytest.raises(ValueError, match="not part of"):
        store.add_message(b.id, "user", "theirs", parent_id=foreign.id)
    with pytest.raises(ValueError, match="role"):
        store.add_message(b.id, "robot", "beep")  # type: ignore[arg-type]


# -- streaming and crashes -------------------------------------------------------------------------------------


def test_append_buffers_then_writes_on_time_and_finish(db_path: Path) -> None:
    with ConversationStore(db_path, flush_interval_s=3600) as s:
        c = s.create_conversation()
        s.add_message(c.id, "user", "Count")
        reply = s.begin_reply(c.id)
        assert reply.status == "streaming" and reply.content == ""
        for word in ("one ", "two ", "three"):
            s.append_reply(reply.id, word)
        assert s.message(reply.id).content == "one two three"  # readers see buffered text
        with closing(sqlite3.connect(db_path)) as other:  # but it is not written yet
            assert other.execute("SELECT content FROM messages WHERE id = ?", (reply.id,)).fetchone()[0] == ""
        stats = ReplyStats(ttft_ms=120.5, tokens_per_s=42.0, completion_tokens=3, prompt_tokens=9, finish_reason="stop")
        done = s.finish_reply(reply.id, stats)
        assert (done.content, done.status, done.stats) == ("one two three", "complete", stats)
        failed = s.begin_reply(c.id)
        s.finish_reply(failed.id, status="error", error="engine crashed")
    with ConversationStore(db_path) as s:
        assert s.recovered == []
        assert s.message(reply.id).stats == stats
        assert (s.message(failed.id).status, s.message(failed.id).error) == ("error", "engine crashed")


def test_close_writes_buffered_text_and_reopen_marks_it_interrupted(db_path: Path) -> None:
    with ConversationStore(db_path, flush_interval_s=3600) as s:
        c = s.create_conversation()
        reply = s.begin_reply(c.id)
        s.append_reply(reply.id, "partial")
    with ConversationStore(db_path) as s:
        assert s.recovered == [reply.id]
        assert (s.message(reply.id).status, s.message(reply.id).content) == ("interrupted", "partial")


_CRASHING_WRITER = """
import os, sys
from hearth.core.chat import ConversationStore
store = ConversationStore(sys.argv[1], flush_interval_s=3600)
conversation = store.create_conversation()
store.add_message(conversation.id, "user", "Tell me about otters")
reply = store.begin_reply(conversation.id)
for delta in ("Otters ", "are ", "semiaquatic ", "mammals."):
    store.append_reply(reply.id, delta)
store.flush()                                  # what the client's coalescing timer does
store.append_reply(reply.id, " NEVER-SAVED")   # still buffered when the process dies
print(reply.id, flush=True)
os._exit(1)
"""


def test_a_crashed_writer_process_leaves_an_interrupted_reply_with_its_text(db_path: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _CRASHING_WRITER, str(db_path)], capture_output=True, text=True, timeout=60
    )
    assert child.returncode == 1, child.stderr
    reply_id = int(child.stdout.strip())
    with ConversationStore(db_path) as s:
        assert s.recovered == [reply_id]
        reply = s.message(reply_id)
        assert reply.status == "interrupted"
        assert reply.content == "Otters are semiaquatic mammals."
        assert [h.message_id for h in s.search("semiaquatic")] == [reply_id]  # indexed once no longer streaming


def test_streaming_text_is_searchable_only_once_finished(store: ConversationStore) -> None:
    c = store.create_conversation("Zebras")
    reply = store.begin_reply(c.id)
    store.append_reply(reply.id, "quagga stripes")
    store.flush()
    assert store.search("quagga") == []
    store.finish_reply(reply.id)
    assert [h.message_id for h in store.search("quagga")] == [reply.id]


def test_disk_full_is_a_clear_error_and_keeps_the_buffer(store: ConversationStore) -> None:
    c = store.create_conversation()
    reply = store.begin_reply(c.id)
    conn = store._db._conn
    assert conn is not None
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # what a full disk looks like to SQLite
    store.append_reply(reply.id, "x" * 200_000)
    with pytest.raises(StorageFull, match="Free some disk space"):
        store.flush()
    assert store.message(reply.id).content == "x" * 200_000  # still buffered, nothing lost in memory
    with pytest.raises(StorageFull):
        store.add_message(c.id, "user", "y" * 200_000)
    conn.execute("PRAGMA max_page_count = 1073741823")
    store.flush()
    assert len(store.finish_reply(reply.id).content) == 200_000


def test_a_closed_store_says_so(db_path: Path) -> None:
    s = ConversationStore(db_path)
    s.close()
    s.close()  # idempotent
    with pytest.raises(ChatStoreError, match="closed"):
        s.list_conversations()


def test_reads_from_another_thread_during_writes(store: ConversationStore) -> None:
    """The UI's contract: one writer thread, quick reads from the main thread, no errors and no torn reads."""
    c = store.create_conversation()

    def writer() -> None:
        for i in range(200):
            reply = store.begin_reply(c.id)
            store.append_reply(reply.id, f"reply {i}")
            store.finish_reply(reply.id)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="chat-writer") as worker:  # like the UI's executor
        done = worker.submit(writer)
        while not done.done():
            assert all(m.status in ("streaming", "complete") for m in store.messages(c.id))
            store.search("reply")
        done.result()  # re-raises anything the writer hit
    assert len(store.messages(c.id)) == 200


# -- search ----------------------------------------------------------------------------------------------------


def test_search_finds_titles_and_old_messages_with_prefixes(store: ConversationStore) -> None:
    bread = store.create_conversation("Sourdough starter")
    store.add_message(bread.id, "user", "My levain smells like acetone, is that normal?")
    store.add_message(bread.id, "assistant", "Yes: feed it more often.")
    other = store.create_conversation("Tax questions")
    store.add_message(other.id, "user", "Nothing about baking here")

    title_hit = store.search("sourdo")  # prefix, as typed
    assert [(h.conversation_id, h.message_id) for h in title_hit] == [(bread.id, None)]
    assert title_hit[0].snippet == f"{MARK_START}Sourdough{MARK_END} starter"

    hits = store.search("ACETONE levain")  # case-insensitive, all words
    assert len(hits) == 1 and hits[0].conversation_id == bread.id and hits[0].title == "Sourdough starter"
    assert f"{MARK_START}acetone{MARK_END}" in hits[0].snippet

    store.rename_conversation(bread.id, "Bread")
    assert store.search("sourdough") == []
    assert store.search("bread")[0].message_id is None


@pytest.mark.parametrize(
    "query",
    [
        'c++ "unbalanced',
        "AND OR NOT",
        "*",
        "NEAR(a b)",
        "title:foo",
        "(((",
        "-x",
        "^start",
        '""',
        "",
        "   ",
        "a' OR 1=1",
    ],
)
def test_hostile_queries_do_not_raise(store: ConversationStore, query: str) -> None:
    c = store.create_conversation("C++ and NOT operators")
    store.add_message(c.id, "user", 'What does "unbalanced" mean in c++ templates? AND OR NOT')
    assert isinstance(store.search(query), list)


def test_operators_are_searched_as_words(store: ConversationStore) -> None:
    c = store.create_conversation()
    store.add_message(c.id, "user", "Should I use AND or NOT here?")
    assert [h.conversation_id for h in store.search("AND OR NOT") if h.message_id] == [c.id]


def test_deleted_conversations_vanish_from_search(store: ConversationStore) -> None:
    c = store.create_conversation("Ephemeral llamas")
    store.add_message(c.id, "user", "llamas everywhere")
    assert len(store.search("llamas")) == 2
    store.delete_conversation(c.id)
    assert store.search("llamas") == []
    with closing(sqlite3.connect(store.path)) as conn:  # the index itself agrees
        conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')")
        conn.execute("INSERT INTO conversations_fts(conversations_fts) VALUES ('integrity-check')")


# -- presets ---------------------------------------------------------------------------------------------------


def test_presets_are_seeded_and_editable(store: ConversationStore) -> None:
    builtins = store.presets.all()
    assert [p.name for p in builtins] == ["Helpful assistant", "Concise", "Coding"]
    assert all(p.builtin and p.system_prompt for p in builtins)

    mine = store.presets.create("  Pirate ", "Talk like a pirate.", SamplingSettings(temperature=1.2))
    assert mine.name == "Pirate" and not mine.builtin and mine.sampling.temperature == 1.2
    concise = store.presets.update(builtins[1].id, system_prompt="One sentence.")
    assert concise.system_prompt == "One sentence." and concise.name == "Concise"
    assert [p.name for p in store.presets.all()] == ["Helpful assistant", "Concise", "Coding", "Pirate"]

    c = store.create_conversation(system_prompt=mine.system_prompt, sampling=mine.sampling, preset_id=mine.id)
    store.presets.delete(mine.id)
    kept = store.conversation(c.id)
    assert kept.preset_id is None and kept.system_prompt == "Talk like a pirate."
    with pytest.raises(NotFound):
        store.presets.get(mine.id)
    with pytest.raises(ValueError):
        store.presets.create(" ", "x")


# -- migrations and damaged files ------------------------------------------------------------------------------


def test_a_v1_database_is_upgraded(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path, isolation_level=None)) as conn:
        assert migrate(conn, target=1) == 1
        conn.execute(
            "INSERT INTO conversations(id, title, auto_title, created_at, updated_at) VALUES (1, 'Old chat', 0, 1, 2)"
        )
        conn.executemany(
            "INSERT INTO messages(conversation_id, role, content, created_at) VALUES (1, ?, ?, ?)",
            [("user", "What is a capybara?", 1), ("assistant", "A large rodent.", 2), ("user", "Thanks", 3)],
        )
    with ConversationStore(db_path) as s:
        with closing(sqlite3.connect(db_path)) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        thread = s.messages(1)
        assert [m.content for m in thread] == ["What is a capybara?", "A large rodent.", "Thanks"]
        assert [m.parent_id for m in thread] == [None, thread[0].id, thread[1].id]
        assert s.conversation(1).preset_id is None
        assert len(s.presets.all()) == 3
        assert [h.message_id for h in s.search("capybara") if h.message_id] == [thread[0].id]
        s.add_message(1, "assistant", "You're welcome")
        assert thread_text(s, 1)[-1] == "You're welcome"


def test_a_database_from_a_newer_hearth_is_refused_untouched(db_path: Path) -> None:
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("CREATE TABLE future(x)")
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
        conn.commit()
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    with pytest.raises(DatabaseTooNew, match="newer version of Hearth") as caught:
        ConversationStore(db_path)
    assert caught.value.found == SCHEMA_VERSION + 5
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_a_file_that_is_not_a_database_is_moved_aside(db_path: Path) -> None:
    garbage = b"this is not SQLite at all\n" * 200
    db_path.write_bytes(garbage)
    with ConversationStore(db_path) as s:
        assert s.moved_aside is not None
        assert s.moved_aside.name.startswith("conversations.sqlite3.corrupt-")
        assert s.moved_aside.read_bytes() == garbage  # nothing silently deleted
        c = s.create_conversation("Fresh start")
        assert [x.title for x in s.list_conversations()] == [c.title]
    with ConversationStore(db_path) as s:  # the fresh file is fine next time
        assert s.moved_aside is None


if __name__ == "__main__":  # performance numbers quoted in hearth.core.chat.store
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for interval in (0.0, 0.25):
            with ConversationStore(Path(folder) / f"perf-{interval}.sqlite3", flush_interval_s=interval) as s:
                c = s.create_conversation()
                reply = s.begin_reply(c.id)
                start = time.perf_counter()
                for _ in range(2000):
                    s.append_reply(reply.id, "token ")
                s.finish_reply(reply.id)
                print(f"2,000 deltas, flush every {interval}s: {(time.perf_counter() - start) * 1000:.1f} ms")
        with ConversationStore(Path(folder) / "search.sqlite3") as s:
            words = (
                "the",
                "quick",
                "brown",
                "fox",
                "jumps",
                "over",
                "lazy",
                "dogs",
                "llamas",
                "graze",
                "near",
                "rivers",
            )
            start = time.perf_counter()
            with s._db.write():
                for n in range(100):
                    c = s.create_conversation(f"Conversation {n}")
                    for i in range(100):
                        text = " ".join(words[(i * 7 + j + n) % len(words)] for j in range(40)) + f" item{n}x{i}"
                        s.add_message(c.id, "user" if i % 2 == 0 else "assistant", text)
            print(f"insert 10,000 messages (one transaction): {(time.perf_counter() - start):.2f} s")
            print(f"file size: {os.path.getsize(s.path) / 1e6:.1f} MB")
            for query in ("llamas", "item42x7", "qu", "lazy rivers", "zzz"):
                start = time.perf_counter()
                for _ in range(20):
                    hits = s.search(query)
                print(f"search {query!r}: {len(hits)} hits, {(time.perf_counter() - start) / 20 * 1000:.2f} ms")
