"""Hearth's downloader through the real huggingface_hub client against the fake Hub: resume, verify, refuse."""

from __future__ import annotations

import errno
import hashlib
from collections import namedtuple
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pytest
from download_fixtures import (
    FAST_OPTIONS,
    REPO,
    TOKEN,
    QueueFactory,
    finished,
    offline_client,
    payload,
    running_hub,
    wait_until,
)

from hearth.core.downloads import (
    DownloadJob,
    JobStatus,
    TransferOptions,
    UnsafePathError,
    download_files,
    part_path,
)
from hearth.core.downloads.transfer import open_part
from hearth.testing.fake_hub import FakeFile, FakeHub

DATA = payload(600_000)
FILE = "tiny.Q4_K_M.gguf"
Usage = namedtuple("Usage", "total used free")


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with offline_client(monkeypatch):
        yield


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with running_hub() as fake:
        fake.add_repo(REPO, files={FILE: DATA, "README.md": "# Tiny\n"})
        yield fake


@pytest.fixture
def make_queue(hub: FakeHub, tmp_path: Path) -> Iterator[QueueFactory]:
    factory = QueueFactory(hub, tmp_path / "home")
    yield factory
    factory.close()


def _gets(hub: FakeHub, name: str = FILE) -> list[Any]:
    hub.wait_idle()
    return hub.requests_to(f"*/resolve/*/{name}", "GET")


# --- whole downloads -----------------------------------------------------------------------------------


def test_full_download_is_verified_and_renamed_into_the_models_folder(make_queue: QueueFactory) -> None:
    queue = make_queue()
    job = finished(queue, queue.enqueue(REPO, FILE))

    destination = make_queue.models_dir / "org" / "Tiny-GGUF" / FILE
    assert job.status is JobStatus.DONE, job.error
    assert job.destinations == (destination,)
    assert destination.read_bytes() == DATA
    assert not part_path(destination).exists()
    assert job.sha256s == (hashlib.sha256(DATA).hexdigest(),)
    assert job.verified and job.bytes_done == job.bytes_total == len(DATA)
    assert job.commit == make_queue.hub.repo(REPO).sha


def test_small_git_file_is_verified_by_its_blob_id(make_queue: QueueFactory) -> None:
    queue = make_queue()
    job = finished(queue, queue.enqueue(REPO, "README.md"))
    assert job.status is JobStatus.DONE and job.verified
    assert job.sha256s == (hashlib.sha256(b"# Tiny\n").hexdigest(),)


def test_download_is_pinned_to_the_commit_of_the_branch(make_queue: QueueFactory) -> None:
    queue = make_queue()
    job = finished(queue, queue.enqueue(REPO, FILE))
    sha = make_queue.hub.repo(REPO).sha
    assert all(f"/resolve/{sha}/" in r.path for r in _gets(make_queue.hub))
    assert job.commit == sha


def test_shards_download_as_one_job(make_queue: QueueFactory, hub: FakeHub) -> None:
    shards = {f"q4/model-0000{i}-of-00003.gguf": payload(200_000 + i, seed=i) for i in (1, 2, 3)}
    hub.add_repo("org/Big-GGUF", files=shards)
    queue = make_queue()
    events: list[DownloadJob] = []
    queue.subscribe(events.append)

    job = finished(queue, queue.enqueue("org/Big-GGUF", list(shards)))

    assert job.status is JobStatus.DONE, job.error
    assert job.bytes_total == sum(len(d) for d in shards.values())
    assert [p.read_bytes() for p in job.destinations] == list(shards.values())
    assert len(queue.jobs()) == 1
    assert [e.status for e in events].count(JobStatus.DONE) == 1
    totals = [e.bytes_done for e in events if e.status is JobStatus.RUNNING]
    assert totals == sorted(totals)  # one progress bar over all shards, never going back


# --- resume --------------------------------------------------------------------------------------------


def test_dropped_connection_is_retried_from_the_byte_written(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.drop_connection(f"*/{FILE}", after_bytes=250_000)
    queue = make_queue()

    job = finished(queue, queue.enqueue(REPO, FILE))

    assert job.status is JobStatus.DONE, job.error
    assert job.destinations[0].read_bytes() == DATA
    gets = _gets(hub)
    assert [g.header("range") for g in gets] == [None, "bytes=250000-"]
    assert [g.bytes_sent for g in gets] == [250_000, len(DATA) - 250_000]
    assert make_queue.sleeps == [0.01]


def test_a_corrupt_part_fails_the_checksum_and_is_deleted(make_queue: QueueFactory, hub: FakeHub) -> None:
    destination = make_queue.models_dir / "org" / "Tiny-GGUF" / FILE
    destination.parent.mkdir(parents=True)
    part_path(destination).write_bytes(b"\0" * 1000)  # not the start of the file
    queue = make_queue()

    job = finished(queue, queue.enqueue(REPO, FILE))

    assert job.status is JobStatus.FAILED
    assert "Checksum mismatch" in (job.error or "") and "deleted" in (job.error or "")
    assert not part_path(destination).exists() and not destination.exists()
    assert _gets(hub)[0].header("range") == "bytes=1000-"
    assert finished(queue, queue.retry(job.id)).status is JobStatus.DONE  # a retry starts from zero


def test_hub_serving_other_bytes_than_its_hash_fails_verification(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.add_repo("org/liar", files={FILE: FakeFile(FILE, DATA, sha256="0" * 64)})
    queue = make_queue()

    job = finished(queue, queue.enqueue("org/liar", FILE))

    assert job.status is JobStatus.FAILED and "Checksum mismatch" in (job.error or "")
    assert not part_path(job.destinations[0]).exists() and not job.destinations[0].exists()


def test_pause_keeps_the_part_and_resume_continues_from_it(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.throttle(f"*/{FILE}", bytes_per_second=1_000_000, chunk_size=20_000)
    queue = make_queue()
    job = queue.enqueue(REPO, FILE)
    wait_until(
        lambda: part_path(job.destinations[0]).exists() and part_path(job.destinations[0]).stat().st_size > 100_000
    )

    queue.pause(job.id)
    paused = finished(queue, job)
    kept = part_path(job.destinations[0]).stat().st_size
    hub.clear_faults()
    done = finished(queue, queue.resume(job.id))

    assert paused.status is JobStatus.PAUSED and paused.error is None
    assert done.status is JobStatus.DONE and done.destinations[0].read_bytes() == DATA
    assert done.resumed_from_bytes == kept
    assert _gets(hub)[-1].header("range") == f"bytes={kept}-"


def test_cancel_removes_the_part(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.throttle(f"*/{FILE}", bytes_per_second=1_000_000, chunk_size=20_000)
    queue = make_queue()
    job = queue.enqueue(REPO, FILE)
    part = part_path(job.destinations[0])
    wait_until(lambda: part.exists() and part.stat().st_size > 50_000)

    queue.cancel(job.id)

    assert finished(queue, job).status is JobStatus.CANCELLED
    assert not part.exists() and not job.destinations[0].exists()


def test_queue_survives_a_restart(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.throttle(f"*/{FILE}", bytes_per_second=1_000_000, chunk_size=20_000)
    first = make_queue()
    job = first.enqueue(REPO, FILE)
    paused_job = first.enqueue(REPO, "README.md")
    first.pause(paused_job.id)
    wait_until(lambda: part_path(job.destinations[0]).exists() and first.get(job.id).bytes_done > 50_000)
    first.shutdown()
    kept = part_path(job.destinations[0]).stat().st_size
    hub.clear_faults()

    second = make_queue()
    restored = {j.id: j for j in second.jobs()}

    assert restored[paused_job.id].status is JobStatus.PAUSED  # stays paused: the user asked for it
    assert restored[job.id].files == (FILE,) and restored[job.id].commit == hub.repo(REPO).sha
    done = finished(second, restored[job.id])
    assert done.status is JobStatus.DONE and done.destinations[0].read_bytes() == DATA
    assert done.resumed_from_bytes == kept
    assert _gets(hub)[-1].header("range") == f"bytes={kept}-"


# --- refusals and errors -------------------------------------------------------------------------------


class _FullDisk:
    """A part file whose writes fail with ENOSPC once ``limit`` bytes are in it (while ``full`` is set)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.full = True

    def open(self, path: Path) -> BinaryIO:
        real = open_part(path)
        disk = self

        class Handle:
            def __getattr__(self, name: str) -> Any:
                return getattr(real, name)

            def __enter__(self) -> Any:
                return self

            def __exit__(self, *exc: object) -> None:
                real.close()

            def write(self, data: Any) -> int:
                room = disk.limit - real.seek(0, 2)
                if disk.full and room <= 0:
                    raise OSError(errno.ENOSPC, "No space left on device")
                if disk.full and len(data) > room:
                    return real.write(data[:room])  # a short write, as the OS does at the edge
                return real.write(data)

        return Handle()  # type: ignore[return-value]


def test_disk_full_pauses_with_an_error_and_resumes(make_queue: QueueFactory, hub: FakeHub) -> None:
    disk = _FullDisk(limit=300_000)
    options = TransferOptions(connect_timeout_s=5, read_timeout_s=5, fsync=False, open_part=disk.open)
    queue = make_queue(options=options)

    job = finished(queue, queue.enqueue(REPO, FILE))
    part = part_path(job.destinations[0])

    assert job.status is JobStatus.PAUSED
    assert (job.error or "").startswith("Disk full: free ") and "and resume" in (job.error or "")
    assert part.read_bytes() == DATA[:300_000]  # valid up to the last byte written
    assert not job.destinations[0].exists()
    disk.full = False
    done = finished(queue, queue.resume(job.id))
    assert done.status is JobStatus.DONE and done.destinations[0].read_bytes() == DATA
    assert _gets(hub)[-1].header("range") == "bytes=300000-"


def test_not_enough_free_space_is_refused_up_front(make_queue: QueueFactory, hub: FakeHub) -> None:
    gib = 1024**3
    tight = TransferOptions(fsync=False, disk_usage=lambda path: Usage(100 * gib, 99 * gib, gib + 100_000))
    queue = make_queue(options=tight)

    job = finished(queue, queue.enqueue(REPO, FILE))

    assert job.status is JobStatus.FAILED
    assert (job.error or "").startswith(f"Not enough disk space for {FILE}: it needs 585.9 KiB")
    assert "Hearth keeps 2.0 GiB spare" in (job.error or "")
    assert _gets(hub) == [] and not part_path(job.destinations[0]).exists()


def test_gated_repo_needs_an_accepted_licence_and_a_token(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.add_repo("org/gated", files={FILE: DATA}, gated="manual")
    anonymous = make_queue()
    job = finished(anonymous, anonymous.enqueue("org/gated", FILE))
    anonymous.shutdown()

    assert job.status is JobStatus.FAILED
    assert job.error == f"org/gated is gated: accept the licence on {hub.url}/org/gated and set a token in Settings"
    assert make_queue.sleeps == []  # not retried: waiting does not accept a licence

    authorised = make_queue(token=lambda: TOKEN)
    done = finished(authorised, authorised.retry(job.id))
    assert done.status is JobStatus.DONE and done.destinations[0].read_bytes() == DATA
    assert _gets(hub)[-1].header("authorization") == f"Bearer {TOKEN}"


def test_token_without_access_gets_its_own_message(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.tokens.add("hf_other")
    hub.add_repo("org/gated", files={FILE: DATA}, gated="auto", allowed_tokens={TOKEN})
    queue = make_queue(token=lambda: "hf_other")
    job = finished(queue, queue.enqueue("org/gated", FILE))
    assert job.status is JobStatus.FAILED and "your token has no access" in (job.error or "")


def test_429_retry_after_is_honoured(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.fail(f"*/resolve/*/{FILE}", 429, retry_after=3, times=1, methods=["GET"])
    queue = make_queue()

    job = finished(queue, queue.enqueue(REPO, FILE))

    assert job.status is JobStatus.DONE, job.error
    assert make_queue.sleeps == [3.0]
    assert [g.status for g in _gets(hub)] == [429, 200]


def test_errors_are_retried_until_the_policy_gives_up(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.fail(f"*/resolve/*/{FILE}", 503, methods=["GET"])
    queue = make_queue()
    job = finished(queue, queue.enqueue(REPO, FILE))
    assert job.status is JobStatus.FAILED and "HTTP 503" in (job.error or "")
    assert make_queue.sleeps == [0.01, 0.02, 0.02]  # 4 attempts, doubling up to max_delay_s


def test_missing_file_and_repo_fail_with_clear_messages(make_queue: QueueFactory) -> None:
    queue = make_queue()
    missing_file = finished(queue, queue.enqueue(REPO, "nope.gguf"))
    missing_repo = finished(queue, queue.enqueue("org/nope", FILE))
    assert missing_file.error == f"File nope.gguf not found in {REPO}"
    assert (missing_repo.error or "").startswith("Repository org/nope not found on the Hub")


@pytest.mark.parametrize(
    "name",
    [
        "../evil.gguf",
        "a/../../evil.gguf",
        "/etc/passwd",
        "C:/Windows/evil.gguf",
        "c:evil",
        "x\x00.gguf",
        "..\\evil.gguf",
        "CON",
        "aux.gguf",
        "nul/x.gguf",
        "x.gguf.part",
        "dots.",
        "",
        "a//b",
        "./a",
    ],
)
def test_hostile_file_names_are_refused(make_queue: QueueFactory, name: str) -> None:
    queue = make_queue()
    with pytest.raises(UnsafePathError):
        queue.enqueue(REPO, name)
    assert queue.jobs() == []


@pytest.mark.parametrize("repo_id", ["../x", "org/..", "org", "a/b/c", "/abs", "org/na me", "..org/x"])
def test_hostile_repo_ids_are_refused(make_queue: QueueFactory, repo_id: str) -> None:
    with pytest.raises(UnsafePathError):
        make_queue().enqueue(repo_id, FILE)


def test_symlink_out_of_the_models_folder_is_refused(make_queue: QueueFactory, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (make_queue.models_dir / "org").mkdir(parents=True)
    (make_queue.models_dir / "org" / "Tiny-GGUF").symlink_to(outside)
    with pytest.raises(UnsafePathError, match="outside the models folder"):
        make_queue().enqueue(REPO, FILE)


# --- the queue -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", [1, 2])
def test_max_concurrent_is_respected(make_queue: QueueFactory, hub: FakeHub, limit: int) -> None:
    files = {f"f{i}.gguf": payload(100_000, seed=i) for i in range(4)}
    hub.add_repo("org/many", files=files)
    hub.throttle("*/resolve/*/f*.gguf", bytes_per_second=2_000_000, chunk_size=20_000)
    queue = make_queue(max_concurrent=limit)
    most = [0]
    queue.subscribe(lambda _: most.__setitem__(0, max(most[0], _running(queue))))

    jobs = [queue.enqueue("org/many", name) for name in files]

    assert all(finished(queue, j).status is JobStatus.DONE for j in jobs)
    assert most[0] == limit


def _running(queue: Any) -> int:
    return sum(j.status is JobStatus.RUNNING for j in queue.jobs())


def test_progress_reaches_listeners_coalesced(make_queue: QueueFactory, hub: FakeHub) -> None:
    hub.throttle(f"*/{FILE}", bytes_per_second=1_000_000, chunk_size=10_000)  # ~0.6 s, 60 pieces
    queue = make_queue(progress_interval_s=0.1)
    events: list[DownloadJob] = []
    queue.subscribe(events.append)

    job = finished(queue, queue.enqueue(REPO, FILE))

    progress = [e for e in events if e.status is JobStatus.RUNNING and e.bytes_total]
    assert job.status is JobStatus.DONE
    assert 3 <= len(progress) <= 0.6 / 0.1 + 4  # not one per piece
    assert [e.status for e in events][-1] is JobStatus.DONE
    assert any(e.speed_bps > 100_000 and e.eta_s is not None for e in progress)


def test_enqueue_twice_returns_the_same_job(make_queue: QueueFactory) -> None:
    queue = make_queue()
    first = queue.enqueue(REPO, FILE)
    assert queue.enqueue(REPO, FILE).id == first.id
    finished(queue, first)


def test_download_files_runs_without_a_queue(hub: FakeHub, tmp_path: Path) -> None:
    destination = tmp_path / "m" / FILE
    seen: list[int] = []
    [result] = download_files(
        REPO, [FILE], [destination], endpoint=hub.url, token=False, options=FAST_OPTIONS, on_progress=seen.append
    )
    assert result.verified and result.sha256 == hashlib.sha256(DATA).hexdigest()
    assert result.resumed_from_bytes == 0 and result.fetched_bytes == len(DATA)
    assert seen[-1] == len(DATA)
    again = download_files(REPO, [FILE], [destination], endpoint=hub.url, token=False, options=FAST_OPTIONS)
    assert again[0].fetched_bytes == 0 and len(_gets(hub)) == 1  # already there and verified: no GET


def test_lfs_redirect_to_a_cdn_never_sends_the_token(tmp_path: Path) -> None:
    with running_hub(lfs_redirect=True) as hub:
        hub.add_repo("org/gated", files={FILE: DATA}, gated="auto")
        [result] = download_files(
            "org/gated", [FILE], [tmp_path / FILE], endpoint=hub.url, token=TOKEN, options=FAST_OPTIONS
        )
        hub.wait_idle()
        cdn = [r for r in hub.requests if r.origin == "cdn"]
        assert result.verified
        assert [r.method for r in cdn] == ["GET"] and cdn[0].header("authorization") is None
