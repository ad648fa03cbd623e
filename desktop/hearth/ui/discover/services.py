"""What Discover needs from the outside world, behind one small object the page receives.

Why one object: tests hand the page a :class:`Hub` pointed at a fake server and a hand-built machine, the app
hands it the real ones, and the widgets never know the difference. Nothing here touches the network when it is
created: the token comes from the OS keyring (which may block on a locked keyring), so the default Hub is built
on the first worker thread that needs it, never on the main thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from hearth.core import hardware
from hearth.core.gguf import GGUFHeader, HeaderCache, read_remote_model_header
from hearth.core.hardware_types import HardwareSnapshot
from hearth.core.hub import Hub, HubConfig, QuantFile
from hearth.core.hub_errors import HUB_WEB, hub_errors
from hearth.core.settings import SettingsStore

HubFactory = Callable[[], Hub]
Probe = Callable[[], HardwareSnapshot]


class DiscoverServices:
    """The Hub, the header cache and the hardware probe; every method blocks: call them from worker threads."""

    def __init__(self, hub: Hub | HubFactory, header_cache: HeaderCache | None, probe: Probe) -> None:
        self._hub = hub if isinstance(hub, Hub) else None
        self._factory: HubFactory | None = None if isinstance(hub, Hub) else hub
        self._lock = threading.Lock()
        self.header_cache = header_cache
        self.probe = probe

    @classmethod
    def for_store(cls, store: SettingsStore, hub: Hub | None = None, probe: Probe | None = None) -> DiscoverServices:
        """The app's services: Hearth's cache folder, the keyring token, this computer."""
        folders = store.folders()
        cache_dir: Path = folders.cache_dir
        models_dir = folders.models_dir
        factory: Hub | HubFactory = hub or (lambda: Hub(HubConfig.from_environment(cache_dir=cache_dir)))
        return cls(factory, HeaderCache(cache_dir / "gguf-headers"), probe or (lambda: hardware.snapshot(models_dir)))

    def hub(self) -> Hub:
        """The Hub client, built on first use (on the calling worker thread)."""
        with self._lock:
            if self._hub is None:
                assert self._factory is not None
                self._hub = self._factory()
            return self._hub

    def hub_web(self) -> str:
        """The Hub's web address for links (a mirror or test server when configured); never blocks."""
        endpoint = self._hub.config.endpoint if self._hub is not None else None
        return (endpoint or os.environ.get("HF_ENDPOINT") or HUB_WEB).rstrip("/")

    def read_header(
        self, repo_id: str, file: QuantFile, revision: str | None, cancel: threading.Event | None
    ) -> GGUFHeader:
        """The header of ``file`` (all its shards, merged), from the cache when its sha256 is known."""
        config = self.hub().config
        with hub_errors(repo_id=repo_id, has_token=config.has_token, endpoint=config.endpoint_url):
            remote = read_remote_model_header(
                repo_id,
                file.name,
                sha256s=file.sha256_by_name,
                revision=revision or "main",
                token=config.token,
                endpoint=config.endpoint_url,
                cache=self.header_cache,
                cancel=cancel,
                timeout=config.timeout,
            )
        return remote.header
