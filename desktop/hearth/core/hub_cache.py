"""Hub answers kept on disk (JSON with the time they were fetched), so Discover has something to show offline.

Why not ``huggingface_hub``'s cache: it keeps files, not search results or repo listings. Entries are keyed by
a hash of the request (query, sort, page, repo and revision), never expire on their own (the caller decides
whether an old answer is good enough) and, like the header cache, never make a call fail: an unreadable entry
is a miss, a failed write is logged.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

SCHEMA = 1


@dataclass(frozen=True)
class CachedAnswer:
    """A stored answer and when it was fetched (seconds since the epoch)."""

    data: Any
    fetched_at: float

    @property
    def age_s(self) -> float:
        return max(0.0, time.time() - self.fetched_at)


def cache_key(*parts: object) -> str:
    """A file-name-safe key for a request described by ``parts`` (JSON-encoded, so types matter)."""
    raw = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


class AnswerCache:
    """A folder of ``{kind}-{key}.json`` files; safe between threads and processes (write, then rename)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / f"{kind}-{key}.json"

    def get(self, kind: str, key: str) -> CachedAnswer | None:
        try:
            raw = json.loads(self._path(kind, key).read_text(encoding="utf-8"))
            if raw.get("schema") != SCHEMA:
                return None
            return CachedAnswer(raw["data"], float(raw["fetched_at"]))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("hub cache entry %s-%s is unreadable (%s); ignoring it", kind, key, exc)
            return None

    def put(self, kind: str, key: str, data: Any) -> None:
        payload = {"schema": SCHEMA, "fetched_at": time.time(), "data": data}
        tmp: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(payload, handle)
            Path(tmp).replace(self._path(kind, key))
        except (OSError, TypeError, ValueError) as exc:
            log.warning("could not write hub cache entry %s-%s: %s", kind, key, exc)
            if tmp is not None:
                with contextlib.suppress(OSError):
                    Path(tmp).unlink(missing_ok=True)
