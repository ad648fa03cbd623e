"""Resume after the app was killed: a download in a child process is SIGKILLed, a new queue here finishes it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from download_fixtures import QueueFactory, finished, offline_client, payload, running_hub, wait_until

from hearth.core.downloads import JobStatus, part_path
from hearth.core.downloads.store import load_jobs
from hearth.testing.fake_hub import FakeHub

REPO = "org/Big-GGUF"
FILE = "big.Q4_K_M.gguf"
DATA = payload(16 * 1024 * 1024)

_CHILD = textwrap.dedent(
    """
    import sys, threading
    from pathlib import Path
    from hearth.core.downloads import DownloadQueue, TransferOptions
    models, state, endpoint = sys.argv[1:4]
    queue = DownloadQueue(Path(models), Path(state), endpoint=endpoint, token=lambda: False,
                          options=TransferOptions(fsync=False))
    queue.enqueue("org/Big-GGUF", "big.Q4_K_M.gguf")
    print("started", flush=True)
    threading.Event().wait()  # until killed
    """
)


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with offline_client(monkeypatch):
        yield


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    with running_hub() as fake:
        fake.add_repo(REPO, files={FILE: DATA})
        yield fake


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_download_killed_mid_way_resumes_in_a_new_process(hub: FakeHub, tmp_path: Path) -> None:
    factory = QueueFactory(hub, tmp_path / "home")
    hub.throttle(f"*/{FILE}", bytes_per_second=4_000_000, chunk_size=8192)
    destination = factory.models_dir / "org" / "Big-GGUF" / FILE
    part = part_path(destination)
    args = [str(factory.models_dir), str(factory.state_file), hub.url]
    child = subprocess.Popen([sys.executable, "-c", _CHILD, *args], env=dict(os.environ), stdout=subprocess.PIPE)
    try:
        wait_until(lambda: part.exists() and part.stat().st_size > 10 * 1024 * 1024, what="10 MiB in the part")
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(10)
        assert child.stdout is not None
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    hub.wait_idle()
    kept = part.stat().st_size
    hub.clear_faults()

    [saved] = load_jobs(factory.state_file)
    assert saved.status is JobStatus.QUEUED  # it was running when the process died: it resumes by itself
    try:
        queue = factory()
        [job] = queue.jobs()
        done = finished(queue, job, timeout=30)
    finally:
        factory.close()

    assert done.status is JobStatus.DONE, done.error
    assert destination.read_bytes() == DATA and not part.exists()
    first, second = hub.requests_to(f"*/{FILE}", "GET")
    assert first.header("range") is None
    assert second.header("range") == f"bytes={kept}-"
    refetched = first.bytes_sent + second.bytes_sent - len(DATA)
    assert 0 <= refetched < 0.01 * kept, (refetched, kept)
    assert done.resumed_from_bytes == kept
