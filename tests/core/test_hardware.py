"""Hardware detection: this machine for real; NVIDIA and Apple through stand-ins (no such GPU here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from hearth.core import hardware
from hearth.core.gpus import GIB, apple_working_set_limit, probe_apple, probe_nvidia
from hearth.core.hardware_types import GpuInfo, LlamaBuild


class FakeNvml:
    """The slice of pynvml that Hearth calls, with pynvml's own error hierarchy shape."""

    class NVMLError(Exception):
        pass

    class NVMLError_LibraryNotFound(NVMLError):
        pass

    class NVMLError_DriverNotLoaded(NVMLError):
        pass

    def __init__(self, devices: list[tuple[str, int, int]], init_error: type[Exception] | None = None) -> None:
        self.devices = devices
        self.init_error = init_error
        self.shutdowns = 0
        self.fail_listing = False

    def nvmlInit(self) -> None:
        if self.init_error:
            raise self.init_error("boom")

    def nvmlShutdown(self) -> None:
        self.shutdowns += 1

    def nvmlSystemGetDriverVersion(self) -> bytes:
        return b"550.54.15"

    def nvmlSystemGetCudaDriverVersion(self) -> int:
        return 12040

    def nvmlDeviceGetCount(self) -> int:
        if self.fail_listing:
            raise self.NVMLError("GPU is lost")
        return len(self.devices)

    def nvmlDeviceGetHandleByIndex(self, index: int) -> int:
        return index

    def nvmlDeviceGetName(self, handle: int) -> str:
        return self.devices[handle][0]

    def nvmlDeviceGetMemoryInfo(self, handle: int) -> SimpleNamespace:
        _, total, free = self.devices[handle]
        return SimpleNamespace(total=total, free=free, used=total - free)


def test_this_machine_is_described() -> None:
    snap = hardware.snapshot(Path.cwd())
    assert snap.memory.total_bytes >= snap.memory.available_bytes > 0
    assert snap.cpu.logical_cores and snap.cpu.logical_cores >= 1
    assert snap.models_dir_free_bytes and snap.models_dir_free_bytes > 0
    assert isinstance(snap.gpu_offload_supported, bool)


def test_nvidia_gpus_are_listed_with_free_vram() -> None:
    nvml = FakeNvml([("NVIDIA GeForce RTX 4070", 12 * GIB, 11 * GIB), ("NVIDIA A100", 80 * GIB, 79 * GIB)])
    probe = probe_nvidia(nvml)  # type: ignore[arg-type]
    assert [g.name for g in probe.gpus] == ["NVIDIA GeForce RTX 4070", "NVIDIA A100"]
    assert probe.gpus[0].vram_free_bytes == 11 * GIB
    assert probe.gpus[1].index == 1
    assert probe.gpus[0].cuda_version == "12.4"
    assert probe.gpus[0].driver_version == "550.54.15"
    assert nvml.shutdowns == 1
    assert probe.notices == ()


@pytest.mark.parametrize(
    ("error", "words"),
    [("NVMLError_LibraryNotFound", "No NVIDIA driver found"), ("NVMLError_DriverNotLoaded", "not loaded")],
)
def test_missing_driver_is_a_notice_not_a_crash(error: str, words: str) -> None:
    probe = probe_nvidia(FakeNvml([], init_error=getattr(FakeNvml, error)))  # type: ignore[arg-type]
    assert probe.gpus == ()
    assert words in probe.notices[0]


def test_driver_failing_mid_listing_is_survived() -> None:
    nvml = FakeNvml([("X", GIB, GIB)])
    nvml.fail_listing = True
    probe = probe_nvidia(nvml)  # type: ignore[arg-type]
    assert probe.gpus == ()
    assert "did not answer" in probe.notices[0]
    assert nvml.shutdowns == 1


def test_real_nvml_on_this_machine_never_raises() -> None:
    probe = probe_nvidia()
    assert probe.gpus or probe.notices


@pytest.mark.parametrize(
    ("ram_gib", "wired_mb", "expected_gib"),
    [(8, None, 8 * 2 / 3), (16, 0, 16 * 2 / 3), (64, None, 48), (192, None, 144), (32, 28672, 28)],
)
def test_apple_working_set_limit(ram_gib: int, wired_mb: int | None, expected_gib: float) -> None:
    assert apple_working_set_limit(ram_gib * GIB, wired_mb) == pytest.approx(expected_gib * GIB, rel=1e-6)


def test_apple_silicon_is_one_unified_pool() -> None:
    probe = probe_apple(16 * GIB, 6 * GIB, system="Darwin", machine="arm64")
    (gpu,) = probe.gpus
    assert gpu.unified_memory and gpu.backend == "metal"
    assert gpu.vram_free_bytes == 6 * GIB  # limited by what RAM has free, not the working-set limit


def test_no_apple_gpu_elsewhere() -> None:
    assert probe_apple(16 * GIB, 6 * GIB, system="Linux", machine="x86_64").gpus == ()
    assert probe_apple(16 * GIB, 6 * GIB, system="Darwin", machine="x86_64").gpus == ()


def test_nvidia_gpu_with_cpu_only_build_gets_an_actionable_notice() -> None:
    gpu = GpuInfo("NVIDIA GeForce RTX 3060", 12 * GIB, 11 * GIB, "cuda")
    (notice,) = hardware.offload_notices((gpu,), LlamaBuild("0.3.36", gpu_offload_supported=False), frozen=False)
    assert "RTX 3060" in notice and "CPU-only" in notice and "-DGGML_CUDA=on" in notice
    assert hardware.offload_notices((gpu,), LlamaBuild("0.3.36", gpu_offload_supported=True)) == ()


def test_users_of_the_cpu_only_app_are_sent_to_the_gpu_download() -> None:
    """The double-click app cannot be pip-reinstalled: its notice names the download to get instead."""
    cuda = GpuInfo("NVIDIA GeForce RTX 3060", 12 * GIB, 11 * GIB, "cuda")
    (notice,) = hardware.offload_notices((cuda,), LlamaBuild("0.3.36", gpu_offload_supported=False), frozen=True)
    assert "RTX 3060" in notice and "download marked CUDA" in notice and "pip" not in notice
    apple = GpuInfo("Apple M2", 16 * GIB, 10 * GIB, "metal", unified_memory=True)
    (notice,) = hardware.offload_notices((apple,), LlamaBuild("0.3.36", gpu_offload_supported=False), frozen=True)
    assert "Apple Silicon" in notice and "pip" not in notice


def test_broken_llama_build_is_reported() -> None:
    (notice,) = hardware.offload_notices((), LlamaBuild(None, False, error="OSError: libllama.so missing"))
    assert "libllama.so" in notice


def test_hardware_json_contract(hearth_home: Path) -> None:
    env = {**os.environ, "HEARTH_HOME": str(hearth_home)}
    result = subprocess.run(
        [sys.executable, "-m", "hearth", "hardware", "--json"], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = {"ram_total_bytes", "ram_available_bytes", "cpu", "gpus", "gpu_offload_supported"}
    assert expected | {"models_dir_free_bytes"} <= data.keys()
    assert isinstance(data["gpus"], list)
    assert data["models_dir_free_bytes"] > 0
    for gpu in data["gpus"]:
        assert {"name", "vram_total_bytes", "vram_free_bytes", "backend"} <= gpu.keys()


def test_hardware_text(hearth_home: Path) -> None:
    env = {**os.environ, "HEARTH_HOME": str(hearth_home)}
    result = subprocess.run([sys.executable, "-m", "hearth", "hardware"], capture_output=True, text=True, env=env)
    assert result.returncode == 0
    assert result.stdout.startswith("RAM ")
    assert "GPU offload" in result.stdout
