"""The engine's pure parts: wire format, text streaming, layer placement from llama.cpp's log, "auto" GPU layers."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from hearth.core.engine import protocol as p
from hearth.core.engine.load_report import backend_name, offload_from_log
from hearth.core.engine.session import plan_load
from hearth.core.engine.streaming import TextStream
from hearth.core.hardware_types import CpuInfo, GpuInfo, HardwareSnapshot, MemoryInfo
from hearth.core.load_settings import LoadSettings
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model

MESSAGES = ({"role": "user", "content": "héllo"},)
EVERY_MESSAGE: list[p.Request | p.Event] = [
    p.Load(1, "/m.gguf", {"n_ctx": 512, "n_gpu_layers": None}, "{{ x }}"),
    p.Generate(2, MESSAGES, p.Sampling(temperature=0, seed=3, stop=("\nUser:",))),
    p.Stop(2),
    p.Unload(3, "idle"),
    p.CountTokens(4, text="abc"),
    p.CountTokens(5, messages=MESSAGES),
    p.Shutdown(),
    p.LoadProgress(1, 0.5),
    p.Loaded(1, "/m.gguf", 512, 512, 0, 3, "CPU", (p.BufferInfo("kv", "CPU", 1024),), "fallback", "note", 1.5, 2),
    p.Unloaded(3, "/m.gguf", "idle"),
    p.Token(2, "é", 1),
    p.Done(2, "stop", 10, 1, 3.0, 0.0),
    p.TokenCount(4, 3),
    p.Error(1, "load", "cannot load m.gguf: truncated"),
    p.EngineCrashed(2, "stopped", -9, "partial"),
]


@pytest.mark.parametrize("message", EVERY_MESSAGE, ids=lambda m: type(m).__name__)
def test_every_message_survives_the_wire(message: p.Request | p.Event) -> None:
    stream = io.BytesIO()
    p.write_message(stream, message)
    stream.seek(0)
    assert p.read_message(stream) == message
    assert p.read_message(stream) is None  # end of stream


def test_truncated_message_reads_as_end() -> None:
    data = p.encode(p.Token(1, "abc", 1))
    assert p.read_message(io.BytesIO(data[:-1])) is None


def test_multibyte_characters_are_never_split() -> None:
    stream = TextStream()
    data = "é€😀".encode()
    pieces = [stream.push(data[i : i + 1]) for i in range(len(data))]
    assert "".join(pieces) + stream.flush() == "é€😀"
    assert all(piece in {"", "é", "€", "😀"} for piece in pieces)


def test_stop_string_across_tokens_is_cut() -> None:
    stream = TextStream(["\nUser:"])
    out = [stream.push(b"Hi there"), stream.push(b"\nUs"), stream.push(b"er: more")]
    assert out == ["Hi there", "", ""]
    assert stream.stopped and stream.flush() == ""


def test_held_back_text_is_released_when_it_stops_matching() -> None:
    stream = TextStream(["\nUser:"])
    assert stream.push(b"a\nU") == "a"
    assert stream.push(b"nicorn") == "\nUnicorn"
    assert stream.push(b"\n") == ""
    assert stream.flush() == "\n"


CUDA_LOG = """
load_tensors: layer   0 assigned to device CUDA0, is_swa = 0
load_tensors: layer   1 assigned to device CUDA0, is_swa = 0
load_tensors: layer   2 assigned to device CPU, is_swa = 0
load_tensors: offloading 2 repeating layers to GPU
load_tensors: offloaded 2/3 layers to GPU
load_tensors:        CUDA0 model buffer size =   100.00 MiB
"""


def test_offload_from_a_cuda_log() -> None:
    offload = offload_from_log(CUDA_LOG, n_layers_fallback=99)
    assert (offload.gpu_layers, offload.n_layers, offload.backend) == (2, 3, "CUDA")


def test_offload_from_a_cpu_only_log() -> None:
    log = "\n".join(f"load_tensors: layer {i:3d} assigned to device CPU, is_swa = 0" for i in range(19))
    offload = offload_from_log(log, n_layers_fallback=99)
    assert (offload.gpu_layers, offload.n_layers, offload.backend) == (0, 19, "CPU")
    assert offload_from_log("", n_layers_fallback=7) == type(offload)(0, 7, "CPU")


@pytest.mark.parametrize(
    ("device", "name"), [("CUDA0", "CUDA"), ("MTL0", "Metal"), ("Metal", "Metal"), ("Vulkan1", "Vulkan")]
)
def test_backend_names(device: str, name: str) -> None:
    assert backend_name(device) == name


GIB = 1024**3


def _hardware(vram_free: int | None) -> HardwareSnapshot:
    gpus = () if vram_free is None else (GpuInfo("Test GPU", 24 * GIB, vram_free, "cuda"),)
    return HardwareSnapshot(MemoryInfo(32 * GIB, 16 * GIB), CpuInfo("cpu", 8, 16, "x86_64"), gpus, bool(gpus))


@pytest.fixture
def tiny_model(tmp_path: Path) -> Path:
    return write_tiny_model(tmp_path / "tiny.gguf", TinyModelSpec(n_layers=4))


def test_auto_gpu_layers_come_from_the_fit_estimate(tiny_model: Path) -> None:
    auto = LoadSettings(n_ctx=512)  # n_gpu_layers=None: "auto"
    roomy = plan_load(tiny_model, auto, _hardware(20 * GIB))
    assert roomy.estimate is not None
    assert roomy.settings.n_gpu_layers == roomy.estimate.gpu_layers == 5  # every block + the output layer
    assert plan_load(tiny_model, auto, _hardware(None)).settings.n_gpu_layers == 0


def test_explicit_gpu_layers_are_kept(tiny_model: Path) -> None:
    plan = plan_load(tiny_model, LoadSettings(n_ctx=512, n_gpu_layers=2), _hardware(20 * GIB))
    assert (plan.settings.n_gpu_layers, plan.estimate) == (2, None)


def test_unreadable_file_plans_cpu_only(tmp_path: Path) -> None:
    broken = write_broken(tmp_path / "broken.gguf", BrokenKind.WRONG_MAGIC)
    assert plan_load(broken, LoadSettings(), _hardware(20 * GIB)).settings.n_gpu_layers == 0
