"""What the Library page needs from the outside world: the core library, header cache and this machine.

Why one object: tests hand the page a library pointed at a prepared folder tree and a hand-built machine, the
app hands it the real ones. Every method blocks (file system walks, header reads, the hardware probe): the page
calls them from worker threads only, never on the main thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hearth.core import fit, hardware
from hearth.core.fit import FitEstimate
from hearth.core.gguf import HeaderCache, InvalidGGUF, read_model_header
from hearth.core.hardware_types import HardwareSnapshot
from hearth.core.library import Library, LocalModel
from hearth.core.library_sources import Source, default_sources
from hearth.core.load_settings import LoadSettings
from hearth.core.settings import SettingsStore

Probe = Callable[[], HardwareSnapshot]


@dataclass(frozen=True)
class FitResult:
    """A model's fit at the chosen context: the estimate, or why there is none (shown instead of a badge)."""

    estimate: FitEstimate | None
    note: str | None = None


class LibraryServices:
    """The :class:`Library` plus what its fit badges need; thread-safe, every method blocking."""

    def __init__(self, library: Library, probe: Probe, *, sources: Callable[[], list[Source]] | None = None) -> None:
        self.library = library
        self._probe = probe
        self._sources = sources
        self._lock = threading.Lock()

    @classmethod
    def for_store(cls, store: SettingsStore, probe: Probe | None = None) -> LibraryServices:
        """The app's library: Hearth's folder, the extra folders and every other app's usual place."""
        cache = HeaderCache(store.folders().cache_dir / "gguf-headers")

        def sources() -> list[Source]:
            return default_sources(store.folders().models_dir, store.settings.extra_model_folders)

        probe = probe or (lambda: hardware.snapshot(store.folders().models_dir))
        return cls(Library(sources(), cache), probe, sources=sources)

    def roots(self) -> list[Path]:
        """The folders a scan looks in (existing or not), for the page's footer."""
        return [s.root for s in self.library.sources]

    def scan(self, cancel: threading.Event | None = None) -> list[LocalModel]:
        """Every model, after re-reading the folders from the settings (they may have changed)."""
        with self._lock:
            if self._sources is not None:
                self.library.sources = self._sources()
        return self.library.scan(cancel=cancel)

    def add_file(self, path: Path) -> LocalModel:
        """The model ``path`` belongs to, added to the library without a rescan (a finished download)."""
        return self.library.add_file(path)

    def delete(self, model: LocalModel) -> int:
        """Bytes freed; raises ``NotOurs`` for another app's model and ``OSError`` when a file stays."""
        return self.library.delete(model)

    def hardware(self) -> HardwareSnapshot:
        return self._probe()

    def fits(
        self,
        models: Iterable[LocalModel],
        n_ctx: int,
        machine: HardwareSnapshot | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[Path, FitResult]:
        """The fit of every valid model at ``n_ctx`` (clamped to what each was trained for) on this machine."""
        machine = machine or self._probe()
        results: dict[Path, FitResult] = {}
        for model in models:
            if cancel is not None and cancel.is_set():
                break
            if model.valid:
                results[model.path] = self.fit_one(model, n_ctx, machine)
        return results

    def fit_one(self, model: LocalModel, n_ctx: int, machine: HardwareSnapshot) -> FitResult:
        """Headers come from the cache the scan just filled, so this reads no model file in the usual case."""
        try:
            header = read_model_header(model.path, cache=self.library.cache)
            trained = model.context_length
            settings = LoadSettings(n_ctx=max(256, min(n_ctx, trained) if trained else n_ctx))
            return FitResult(fit.estimate(header, settings, machine))
        except (InvalidGGUF, OSError, ValueError) as exc:
            return FitResult(None, f"Fit unknown: {exc}")


def models_size(models: Sequence[LocalModel]) -> int:
    return sum(m.size_bytes for m in models)
