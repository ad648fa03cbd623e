"""Helpers shared by the download tests: an offline client, a fake Hub, fast retry settings, queue factories.

Not a conftest: these stay explicit in the tests that use them.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import tqdm.std
from huggingface_hub import constants
from huggingface_hub.utils import close_session

from hearth.core.downloads import DownloadJob, DownloadQueue, JobStatus, RetryPolicy, TransferOptions
from hearth.testing.fake_hub import FakeHub, only_local_connections

TOKEN = "hf_fake_valid_token"
REPO = "org/Tiny-GGUF"
FAST_RETRY = RetryPolicy(max_attempts=4, base_delay_s=0.01, max_delay_s=0.02, jitter=0.0)
FAST_OPTIONS = TransferOptions(connect_timeout_s=5.0, read_timeout_s=5.0, fsync=False)
_PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy")


def payload(size: int, seed: int = 0) -> bytes:
    """Bytes where every offset is distinguishable, so a resume from the wrong byte fails the hash."""
    return random.Random(seed).randbytes(size)


@contextlib.contextmanager
def offline_client(monkeypatch: object) -> Iterator[None]:
    """The client as the fake Hub tests use it: no telemetry, no implicit token, no proxy, loopback only."""
    mp = monkeypatch  # pytest.MonkeyPatch
    mp.setattr(constants, "HF_HUB_OFFLINE", False)  # type: ignore[attr-defined]
    mp.setattr(constants, "HF_HUB_DISABLE_TELEMETRY", True)  # type: ignore[attr-defined]
    mp.setattr(constants, "HF_HUB_DISABLE_IMPLICIT_TOKEN", True)  # type: ignore[attr-defined]
    mp.setattr(tqdm.std.tqdm, "monitor_interval", 0)  # type: ignore[attr-defined]
    for name in _PROXY_VARS:
        mp.delenv(name, raising=False)  # type: ignore[attr-defined]
    close_session()
    with only_local_connections():
        yield
    close_session()


@contextlib.contextmanager
def running_hub(**kwargs: object) -> Iterator[FakeHub]:
    with FakeHub(tokens={TOKEN}, **kwargs) as hub:  # type: ignore[arg-type]
        yield hub
        hub.wait_idle()
        assert hub.errors == []


class QueueFactory:
    """Builds queues with fast settings and shuts every one down at the end of the test (no leaked threads)."""

    def __init__(self, hub: FakeHub, home: Path) -> None:
        self.hub = hub
        self.models_dir = home / "models"
        self.state_file = home / "data" / "downloads.json"
        self.sleeps: list[float] = []
        self.queues: list[DownloadQueue] = []

    def __call__(self, **kwargs: object) -> DownloadQueue:
        settings: dict[str, object] = {
            "endpoint": self.hub.url,
            "options": FAST_OPTIONS,
            "policy": FAST_RETRY,
            "sleep": self.sleeps.append,
            "token": lambda: False,
        }
        settings.update(kwargs)
        queue = DownloadQueue(self.models_dir, self.state_file, **settings)  # type: ignore[arg-type]
        self.queues.append(queue)
        return queue

    def close(self) -> None:
        for queue in self.queues:
            queue.shutdown(wait=True)


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, what: str = "condition") -> None:
    """Poll in short steps (never a long sleep): for states only observable from outside, like a file's size."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def finished(queue: DownloadQueue, job: DownloadJob, timeout: float = 20.0) -> DownloadJob:
    result = queue.wait(job.id, timeout)
    assert queue.drain(timeout), "events not delivered"
    assert result.status.finished, f"job still {result.status}"
    return result


__all__ = [
    "FAST_OPTIONS",
    "FAST_RETRY",
    "REPO",
    "TOKEN",
    "JobStatus",
    "QueueFactory",
    "finished",
    "offline_client",
    "payload",
    "running_hub",
    "wait_until",
]
