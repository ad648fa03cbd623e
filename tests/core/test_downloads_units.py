"""The pure parts of the downloader: names, retry timing, progress arithmetic, the state file."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import pytest

from hearth.core.downloads import (
    DownloadError,
    DownloadJob,
    JobStatus,
    ProgressMeter,
    RetryPolicy,
    UnsafePathError,
    parse_retry_after,
    safe_destination,
    safety_margin,
)
from hearth.core.downloads.retry import as_download_error
from hearth.core.downloads.store import load_jobs, save_jobs

GIB = 1024**3


def test_safe_destination_keeps_repo_sub_folders(tmp_path: Path) -> None:
    assert safe_destination(tmp_path, "Org-1/My.Model_GGUF", "Q4_K_M/m-00001-of-00002.gguf") == (
        tmp_path / "Org-1" / "My.Model_GGUF" / "Q4_K_M" / "m-00001-of-00002.gguf"
    )
    assert safe_destination(tmp_path, "o/r", "modèle 😀.gguf").name == "modèle 😀.gguf"


@pytest.mark.parametrize("name", ["a" * 256, "a\tb", "a\nb", "x|y", "COM1.txt", "lpt9", "dir /x", "a/b:stream"])
def test_names_windows_would_mangle_are_refused_everywhere(tmp_path: Path, name: str) -> None:
    with pytest.raises(UnsafePathError):
        safe_destination(tmp_path, "o/r", name)


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2025, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after({"Retry-After": "7"}, now) == 7.0
    assert parse_retry_after({"retry-after": "Wed, 01 Jan 2025 12:00:30 GMT"}, now) == 30.0
    assert parse_retry_after({"Retry-After": "Wed, 01 Jan 2025 11:00:00 GMT"}, now) == 0.0
    assert parse_retry_after({"Retry-After": "soon"}, now) is None
    assert parse_retry_after({}, now) is None


def test_backoff_doubles_with_jitter_and_retry_after_is_a_floor() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay_s=1, max_delay_s=8, jitter=0.5)
    network = DownloadError("net", retriable=True)
    assert [policy.delay(n, network, rand=lambda: 0.0) for n in range(1, 6)] == [1, 2, 4, 8, None]
    assert policy.delay(3, network, rand=lambda: 1.0) == 2.0  # up to half off
    limited = DownloadError("429", retriable=True, retry_after=30)
    assert policy.delay(1, limited, rand=lambda: 1.0) == 30
    assert RetryPolicy(max_retry_after_s=60).delay(1, DownloadError("x", retriable=True, retry_after=1e6)) == 60
    assert policy.delay(1, DownloadError("gated")) is None


def test_network_errors_are_retriable_and_bugs_are_not() -> None:
    assert as_download_error(httpx2.ReadError("reset"), "o/r", "f").retriable
    assert as_download_error(httpx2.RemoteProtocolError("cut"), "o/r", "f").retriable
    assert as_download_error(TimeoutError(), "o/r", "f").retriable
    assert not as_download_error(httpx2.UnsupportedProtocol("ftp"), "o/r", "f").retriable
    bug = as_download_error(KeyError("x"), "o/r", "f")
    assert not bug.retriable and str(bug).startswith("Unexpected error downloading f: KeyError")


def test_progress_meter_coalesces_and_averages() -> None:
    meter = ProgressMeter(interval_s=0.25, window_s=2.0)
    meter.restart(0.0, 0)
    emitted = [meter.update(t / 100, t * 10_000, 10_000_000) for t in range(1, 301)]  # 1 MB/s for 3 s
    samples = [s for s in emitted if s is not None]
    assert len(samples) == 12  # 3 s at 4 per second, not 300
    assert samples[-1].speed_bps == pytest.approx(1_000_000, rel=0.01)
    assert samples[-1].eta_s == pytest.approx((10_000_000 - samples[-1].bytes_done) / 1_000_000, rel=0.02)
    assert ProgressMeter().sample(0, 0).eta_s is None


def test_safety_margin_is_one_gib_or_two_percent() -> None:
    assert safety_margin(10 * GIB) == GIB
    assert safety_margin(1000 * GIB) == 20 * GIB


def test_state_file_round_trip_and_corruption(tmp_path: Path) -> None:
    state = tmp_path / "downloads.json"
    job = DownloadJob("abc", "o/r", ("a.gguf",), (tmp_path / "a.gguf",), status=JobStatus.RUNNING, bytes_total=5)
    save_jobs(state, [job])
    [loaded] = load_jobs(state)
    assert loaded.status is JobStatus.QUEUED  # a job running at exit resumes next time
    assert loaded.replace(status=JobStatus.RUNNING) == job
    assert json.loads(state.read_text())["version"] == 1

    state.write_text("{not json")
    assert load_jobs(state) == []
    assert [p.name.startswith("downloads.json.corrupt-") for p in tmp_path.iterdir()] == [True]
