"""One typed settings object with defaults, stored as JSON in the config folder.

A damaged or hand-edited file must never stop Hearth from starting nor silently lose the user's choices:
unknown keys are kept and written back, values of the wrong type fall back to their default (logged), and an
unreadable file is moved aside (``settings.json.corrupt-<time>``) before defaults are used.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_origin, get_type_hints

from hearth.core.paths import AppPaths

log = logging.getLogger(__name__)

THEMES = ("system", "light", "dark")


@dataclass(frozen=True)
class Settings:
    """User choices. Empty folder strings mean "the default under the data folder"."""

    data_dir: str = ""
    models_dir: str = ""
    cache_dir: str = ""
    theme: str = "system"
    context_length: int = 4096
    check_hub_on_start: bool = False
    extra_model_folders: tuple[str, ...] = ()  # more folders the library scans for .gguf files
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def validated(self) -> Settings:
        """Raise ValueError for values no widget should have let through."""
        if self.theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {self.theme!r}")
        if not 256 <= self.context_length <= 1_048_576:
            raise ValueError("context length must be between 256 and 1,048,576 tokens")
        if not isinstance(self.extra_model_folders, tuple) or not all(
            isinstance(f, str) and f.strip() for f in self.extra_model_folders
        ):
            raise ValueError("extra model folders must be a tuple of non-empty folder paths")
        return self


@dataclass(frozen=True)
class Folders:
    """The folders in effect after applying the settings over the base paths."""

    data_dir: Path
    models_dir: Path
    cache_dir: Path

    def ensure(self) -> Folders:
        for folder in (self.data_dir, self.models_dir, self.cache_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


SettingsListener = Callable[[Settings, frozenset[str]], None]


def _field_types() -> dict[str, type]:
    hints = get_type_hints(Settings)
    return {f.name: hints[f.name] for f in fields(Settings) if f.name != "extra"}


def settings_from_json(raw: dict[str, Any]) -> Settings:
    """Build Settings from decoded JSON, keeping unknown keys and replacing bad values by defaults."""
    defaults = Settings()
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    types = _field_types()
    for key, value in raw.items():
        expected = types.get(key)
        if expected is None:
            extra[key] = value
        elif type(value) is expected or (expected is float and type(value) is int):
            known[key] = value
        elif get_origin(expected) is tuple and type(value) is list and all(type(v) is str for v in value):
            known[key] = tuple(value)  # JSON has lists only
        else:
            log.warning("settings: %s=%r is not a %s; using %r", key, value, expected.__name__, getattr(defaults, key))
    candidate = dataclasses.replace(defaults, **known, extra=extra)
    try:
        return candidate.validated()
    except ValueError as exc:
        log.warning("settings: %s; using defaults for the invalid values", exc)
        return _repair(candidate)


def _repair(candidate: Settings) -> Settings:
    defaults = Settings()
    for f in fields(Settings):
        try:
            dataclasses.replace(defaults, **{f.name: getattr(candidate, f.name)}).validated()
        except ValueError:
            candidate = dataclasses.replace(candidate, **{f.name: getattr(defaults, f.name)})
    return candidate


def settings_to_json(settings: Settings) -> dict[str, Any]:
    data = {f.name: getattr(settings, f.name) for f in fields(Settings) if f.name != "extra"}
    return {**settings.extra, **data}


class SettingsStore:
    """Loads, validates, saves and announces settings; safe to call from any thread."""

    def __init__(self, paths: AppPaths) -> None:
        self.paths = paths
        self._lock = threading.Lock()
        self._listeners: list[SettingsListener] = []
        self._settings = self._load()

    @property
    def settings(self) -> Settings:
        return self._settings

    def folders(self) -> Folders:
        s = self._settings
        data = Path(s.data_dir).expanduser() if s.data_dir else self.paths.data_dir
        models = Path(s.models_dir).expanduser() if s.models_dir else data / "models"
        cache = Path(s.cache_dir).expanduser() if s.cache_dir else self.paths.cache_dir
        return Folders(data_dir=data, models_dir=models, cache_dir=cache)

    def subscribe(self, listener: SettingsListener) -> Callable[[], None]:
        """Call ``listener(settings, changed_names)`` after each change; returns an unsubscribe function."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def update(self, **changes: Any) -> Settings:
        """Apply, validate (ValueError leaves everything as it was), persist, then notify."""
        with self._lock:
            new = dataclasses.replace(self._settings, **changes).validated()
            changed = frozenset(k for k in changes if getattr(new, k) != getattr(self._settings, k))
            if not changed:
                return self._settings
            self._write(new)
            self._settings = new
        for listener in list(self._listeners):
            listener(new, changed)
        return new

    def _load(self) -> Settings:
        path = self.paths.settings_file
        if not path.exists():
            return Settings()
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("top level is not an object")
        except (OSError, ValueError) as exc:
            aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            log.error("settings file %s is unreadable (%s); moved to %s, using defaults", path, exc, aside)
            try:
                path.replace(aside)
            except OSError:
                log.exception("could not move the unreadable settings file aside")
            return Settings()
        return settings_from_json(raw)

    def _write(self, settings: Settings) -> None:
        """Write to a temporary file and rename, so a crash never leaves half a settings file."""
        path = self.paths.settings_file
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(settings_to_json(settings), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
