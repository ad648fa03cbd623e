"""The downloads bridge coalesces a flood of queue events; the model and its words, without a network."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from hearth.core.downloads import DownloadJob, DownloadQueue, JobStatus
from hearth.ui.downloads.bridge import DownloadsBridge
from hearth.ui.downloads.formatting import duration_text, file_label, status_text, summary_text
from hearth.ui.downloads.model import DownloadRole, DownloadsModel


def job(job_id: str = "a", **changes: object) -> DownloadJob:
    base = DownloadJob(job_id, "org/Repo", ("m-Q4_K_M.gguf",), (Path("/x/m-Q4_K_M.gguf"),), created_at=1.0)
    return base.replace(**changes)


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[DownloadQueue]:
    queue = DownloadQueue(tmp_path / "models", tmp_path / "state.json", token=lambda: False)
    yield queue
    queue.shutdown(wait=True)


def test_a_flood_of_events_becomes_a_few_batches(qtbot: QtBot, queue: DownloadQueue) -> None:
    bridge = DownloadsBridge(queue, interval_ms=250)
    batches: list[list[DownloadJob]] = []
    bridge.jobsChanged.connect(batches.append)
    total = 10_000

    def flood() -> None:  # what the dispatcher thread would do with a very fast link
        for done in range(1, total + 1):
            bridge._on_job(job(bytes_done=done, bytes_total=total, status=JobStatus.RUNNING))

    thread = threading.Thread(target=flood)
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: bool(batches) and batches[-1][-1].bytes_done == total, timeout=5000)
    assert len(batches) <= 3  # one per 250 ms at most, however many events
    assert all(len(batch) == 1 for batch in batches)  # only the newest snapshot of the job
    with qtbot.waitSignal(bridge.jobFinished, timeout=5000) as blocker:
        bridge._on_job(job(status=JobStatus.DONE, bytes_done=total, bytes_total=total))
    assert blocker.args[0].status is JobStatus.DONE
    bridge.close()


def test_model_rows_and_summary(qtmodeltester) -> None:
    model = DownloadsModel([job("a", status=JobStatus.RUNNING, bytes_done=50, bytes_total=100)])
    model.apply([job("b", status=JobStatus.QUEUED, bytes_total=100, created_at=2.0)])
    assert model.rowCount() == 2
    assert model.summary() == (2, 0.25, 0, 0)
    model.apply([job("a", status=JobStatus.FAILED, error="HTTP 500")])
    assert model.index(0).data(DownloadRole.StatusText) == "Failed: HTTP 500"
    assert model.summary() == (1, 0.0, 0, 1)
    qtmodeltester.check(model)
    model.remove("a")
    assert [model.job(r).id for r in range(model.rowCount())] == ["b"]


def test_words() -> None:
    assert duration_text(12.2) == "12 s" and duration_text(185) == "3 min" and duration_text(4800) == "1 h 20 min"
    assert summary_text(2, 0.451, 0, 0) == "Downloading 2 files · 45%"
    assert summary_text(1, None, 0, 0) == "Downloading 1 file"
    assert summary_text(0, None, 2, 0) == "2 downloads paused"
    assert summary_text(0, None, 0, 0) == ""
    running = job(status=JobStatus.RUNNING, bytes_done=1 << 20, bytes_total=4 << 20, speed_bps=2 << 20, eta_s=1.5)
    assert status_text(running) == "2.0 MiB/s · 2 s left"
    shards = job(files=("m-Q8_0-00001-of-00003.gguf", "m-Q8_0-00002-of-00003.gguf", "m-Q8_0-00003-of-00003.gguf"))
    assert file_label(shards) == "m-Q8_0.gguf (3 parts)"
