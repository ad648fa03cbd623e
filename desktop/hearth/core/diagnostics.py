"""The facts ``hearth doctor`` prints: enough to answer "why is it slow / why won't it start" in a bug report."""

from __future__ import annotations

import platform
from dataclasses import asdict, dataclass
from importlib import metadata
from typing import Any

from hearth import __version__
from hearth.core import hardware
from hearth.core.settings import SettingsStore


@dataclass(frozen=True)
class DoctorReport:
    version: str
    python: str
    platform: str
    qt: str | None
    pyside6: str | None
    llama_cpp: str | None
    llama_cpp_error: str | None
    gpu_offload_supported: bool
    config_dir: str
    data_dir: str
    models_dir: str
    cache_dir: str
    log_file: str
    ram_total_bytes: int
    ram_available_bytes: int
    cpu_model: str
    cpu_physical_cores: int | None
    cpu_logical_cores: int | None
    models_disk_free_bytes: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _dist_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def collect(store: SettingsStore, qt_version: str | None) -> DoctorReport:
    """``qt_version`` comes from the caller: core never imports Qt."""
    folders = store.folders()
    build = hardware.llama_build()
    mem = hardware.memory()
    cpu = hardware.cpu()
    return DoctorReport(
        version=__version__,
        python=platform.python_version(),
        platform=f"{platform.system()} {platform.release()} ({platform.machine()})",
        qt=qt_version,
        pyside6=_dist_version("PySide6-Essentials") or _dist_version("PySide6"),
        llama_cpp=build.version,
        llama_cpp_error=build.error,
        gpu_offload_supported=build.gpu_offload_supported,
        config_dir=str(store.paths.config_dir),
        data_dir=str(folders.data_dir),
        models_dir=str(folders.models_dir),
        cache_dir=str(folders.cache_dir),
        log_file=str(store.paths.log_file),
        ram_total_bytes=mem.total_bytes,
        ram_available_bytes=mem.available_bytes,
        cpu_model=cpu.model,
        cpu_physical_cores=cpu.physical_cores,
        cpu_logical_cores=cpu.logical_cores,
        models_disk_free_bytes=hardware.free_disk_bytes(folders.models_dir),
    )
