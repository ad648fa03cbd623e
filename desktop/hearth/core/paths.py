"""Where Hearth keeps things on disk.

Everything user-owned (settings, models, conversations, indexes, logs) lives under folders chosen here and
nowhere else, so a frozen app never writes next to itself and tests can redirect all of it at once with
``HEARTH_HOME`` (or ``hearth --home DIR``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Hearth"
HOME_ENV = "HEARTH_HOME"


@dataclass(frozen=True)
class AppPaths:
    """The base folders; the models and cache folders can be moved in settings, these cannot."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @property
    def settings_file(self) -> Path:
        return self.config_dir / "settings.json"

    @property
    def default_models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def log_file(self) -> Path:
        return self.log_dir / "hearth.log"

    def ensure(self) -> AppPaths:
        """Create the folders (idempotent) and return self for chaining."""
        for folder in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def portable_paths(home: Path) -> AppPaths:
    """All folders under one root: used for ``HEARTH_HOME``, ``--home`` and every test."""
    home = home.expanduser().resolve()
    return AppPaths(
        config_dir=home / "config",
        data_dir=home / "data",
        cache_dir=home / "cache",
        log_dir=home / "data" / "logs",
    )


def platform_paths() -> AppPaths:
    """The operating system's conventional per-user folders."""
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    data_dir = Path(dirs.user_data_dir)
    return AppPaths(
        config_dir=Path(dirs.user_config_dir),
        data_dir=data_dir,
        cache_dir=Path(dirs.user_cache_dir),
        log_dir=data_dir / "logs",
    )


def resolve_paths(home: str | os.PathLike[str] | None = None) -> AppPaths:
    """An explicit ``home`` wins over ``HEARTH_HOME``, which wins over the platform folders."""
    chosen = home if home is not None else os.environ.get(HOME_ENV) or None
    return portable_paths(Path(chosen)) if chosen else platform_paths()
