"""Measure what llama.cpp really allocates for a model and ``LoadSettings``: the ground truth for the estimate.

Why a subprocess: resident memory can only be measured in a fresh process (the parent's heap already holds
other models and Python objects), and a crash in native code must not take the caller down. The child loads
the model with ``verbose=True``, captures llama.cpp's log (``llama_log.capture_llama_log``), evaluates a prompt
and reports its RSS growth as JSON on stdout. Used by the accuracy tests and ``python -m bench fit_accuracy``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hearth.core.llama_log import LlamaLoadReport, parse_load_log
from hearth.core.load_settings import LoadSettings

_CHILD = r"""
import json, sys
import psutil
from hearth.core.llama_log import capture_llama_log
from llama_cpp import Llama

job = json.loads(sys.argv[1])
proc = psutil.Process()
before = proc.memory_info().rss
with capture_llama_log() as log:
    llm = Llama(job["path"], verbose=True, **job["kwargs"])
loaded = proc.memory_info().rss
n = job["prompt_tokens"]
if n:
    vocab = llm.n_vocab()
    llm.eval([(i * 7919) % (vocab - 8) + 4 for i in range(n)])
after = proc.memory_info().rss
print("FIT_CHECK " + json.dumps({"log": log.text, "before": before, "loaded": loaded, "after": after}))
llm.close()
"""


@dataclass(frozen=True)
class Measurement:
    """llama.cpp's reported buffers and the child's RSS growth (after loading, after the prompt)."""

    report: LlamaLoadReport
    rss_after_load: int
    rss_after_prompt: int
    prompt_tokens: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def measure(path: Path | str, settings: LoadSettings, prompt_tokens: int = 0, timeout: float = 600) -> Measurement:
    """Load ``path`` with ``settings`` in a child process, evaluate ``prompt_tokens`` tokens, report memory.

    ``prompt_tokens`` is capped below the context; raises ``RuntimeError`` with the child's stderr on failure.
    """
    n = max(0, min(prompt_tokens, settings.n_ctx - 8))
    job = {"path": str(path), "kwargs": settings.to_llama_kwargs(), "prompt_tokens": n}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(job)], capture_output=True, text=True, timeout=timeout, check=False
    )
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("FIT_CHECK ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"measuring {path} failed (exit {done.returncode}): {done.stderr[-2000:]}")
    data = json.loads(line[len("FIT_CHECK ") :])
    return Measurement(
        report=parse_load_log(data["log"]),
        rss_after_load=data["loaded"] - data["before"],
        rss_after_prompt=data["after"] - data["before"],
        prompt_tokens=n,
    )
