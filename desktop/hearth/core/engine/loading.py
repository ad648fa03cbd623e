"""Loading a model inside the engine process: progress, llama.cpp's log, and errors a person can act on.

Why these pieces exist:

* Progress: ``llama_cpp.Llama`` does not expose llama.cpp's ``llama_model_params.progress_callback``, but it
  builds its parameters with ``llama_cpp.llama_cpp.llama_model_default_params()``; :func:`progress_hook` wraps
  that function for the duration of one load so the returned struct carries Hearth's callback. The callback's
  return value also cancels a load (llama.cpp aborts when it returns False).
* The log: loaded with ``verbose=True`` inside ``capture_llama_log`` (llama-cpp-python prints llama.cpp's log to
  ``sys.stderr``), then verbosity is switched off so replies do not spam the terminal with timings.
* Errors: llama.cpp only raises "Failed to load model from file"; the reason is in its log, and Hearth's own
  header reader explains broken files better still ("truncated: tensor X ends past the end of the file").
"""

from __future__ import annotations

import contextlib
import ctypes
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import llama_cpp
import llama_cpp._logger
import llama_cpp.llama_cpp as llama_c

from hearth.core.engine.load_report import offload_from_log
from hearth.core.engine.protocol import BufferInfo
from hearth.core.engine.session import plan_load
from hearth.core.gguf import InvalidGGUF, read_model_header
from hearth.core.hardware import cpu_threads_for_inference
from hearth.core.llama_log import capture_llama_log
from hearth.core.load_settings import LoadSettings

ProgressFn = Callable[[float], bool]
"""Called with 0.0–1.0 while tensors load; return False to cancel the load."""


class LoadFailed(Exception):
    """The model could not be loaded; the message is meant for the user."""


@dataclass(frozen=True)
class LoadedModel:
    llm: llama_cpp.Llama
    n_threads: int
    n_ctx_train: int
    gpu_layers: int
    n_layers: int
    backend: str
    buffers: tuple[BufferInfo, ...]
    load_ms: float


@contextlib.contextmanager
def progress_hook(progress: ProgressFn) -> Iterator[None]:
    """Give every ``llama_model_params`` built inside the block Hearth's progress callback (see module doc)."""
    original = llama_c.llama_model_default_params

    def on_progress(fraction: float, _user_data: ctypes.c_void_p) -> bool:
        return bool(progress(float(fraction)))

    callback = llama_c.llama_progress_callback(on_progress)  # referenced until the block ends: C holds a pointer

    def params_with_progress() -> Any:
        params = original()
        params.progress_callback = callback
        return params

    llama_c.llama_model_default_params = params_with_progress
    try:
        yield
    finally:
        llama_c.llama_model_default_params = original


def llama_kwargs(settings: LoadSettings) -> dict[str, Any]:
    """``to_llama_kwargs`` with threads chosen on purpose: physical cores, not llama-cpp-python's cpu_count()//2."""
    kwargs = settings.to_llama_kwargs()
    if "n_threads" not in kwargs:
        threads = cpu_threads_for_inference()
        kwargs |= {"n_threads": threads, "n_threads_batch": threads}
    return kwargs


def load_model(path: str, settings: LoadSettings, progress: ProgressFn) -> LoadedModel:
    """Load ``path`` with ``settings``; raises :class:`LoadFailed` with the reason in plain words."""
    start = time.perf_counter()
    kwargs = llama_kwargs(plan_load(path, settings).settings)
    llm = None
    with capture_llama_log() as log:
        try:
            with progress_hook(progress):
                llm = llama_cpp.Llama(path, verbose=True, **kwargs)
        except (ValueError, RuntimeError, OSError) as exc:
            failure: Exception | None = exc
        else:
            failure = None
        finally:
            llama_cpp._logger.set_verbose(False)
    if failure is not None or llm is None:
        raise LoadFailed(describe_failure(path, log.text, failure))
    llm.verbose = False
    load_ms = (time.perf_counter() - start) * 1000
    n_block = int(llama_c.llama_model_n_layer(llm.model))
    offload = offload_from_log(log.text, n_layers_fallback=n_block + 1)
    buffers = tuple(BufferInfo(b.kind, b.device, b.bytes) for b in log.report().buffers)
    return LoadedModel(
        llm=llm,
        n_threads=int(kwargs["n_threads"]),
        n_ctx_train=int(llama_c.llama_model_n_ctx_train(llm.model)),
        gpu_layers=offload.gpu_layers,
        n_layers=offload.n_layers,
        backend=offload.backend,
        buffers=buffers,
        load_ms=load_ms,
    )


def describe_failure(path: str, log_text: str, exc: Exception | None) -> str:
    """The most useful reason: Hearth's header check, else llama.cpp's logged error, else the exception."""
    name = Path(path).name
    if not Path(path).is_file():
        return f"{name}: no such file"
    try:
        read_model_header(path)
    except (InvalidGGUF, OSError, ValueError) as header_error:
        return str(header_error)
    if "load was cancelled" in log_text or "cancelled model load" in log_text:
        return "loading was cancelled"
    for line in reversed(log_text.splitlines()):
        if "error loading model:" in line:
            return line.split("error loading model:", 1)[1].strip()
    return str(exc) if exc else f"llama.cpp could not load {name}"
