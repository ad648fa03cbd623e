"""The download queue on disk: one small JSON file in the data folder, replaced atomically.

Why atomic and forgiving: the app can be killed at any moment, including mid-save, and a queue file that
cannot be read must never stop Hearth from starting. A write goes to a temporary file that is fsynced and
then ``os.replace``d over the old one; an unreadable file is moved aside (``.corrupt-<time>``) and the
queue starts empty (the ``.part`` files are still on disk and resume if the same model is queued again).
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

from hearth.core.downloads.job import DownloadJob, job_from_json, job_to_json

__all__ = ["load_jobs", "save_jobs"]

log = logging.getLogger(__name__)
_VERSION = 1


def save_jobs(path: Path, jobs: Iterable[DownloadJob]) -> None:
    payload = {"version": _VERSION, "jobs": [job_to_json(job) for job in jobs]}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    tmp.replace(path)


def load_jobs(path: Path) -> list[DownloadJob]:
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    try:
        payload = json.loads(raw)
        return [job_from_json(item) for item in payload["jobs"]]
    except (ValueError, KeyError, TypeError) as error:
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        log.warning("download queue %s is unreadable (%s); moved to %s", path, error, aside)
        path.replace(aside)
        return []
