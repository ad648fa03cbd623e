"""The inference engine: llama.cpp in a supervised child process (see ``client.py`` and ``worker.py``).

Import from here: ``EngineClient`` starts the process lazily; ``protocol`` holds every message and event.
"""

from __future__ import annotations

from hearth.core.engine.client import EngineClient
from hearth.core.engine.handles import (
    EngineCrashedError,
    EngineError,
    GenerationHandle,
    GenerationResult,
    LoadHandle,
)
from hearth.core.engine.protocol import Sampling

__all__ = [
    "EngineClient",
    "EngineCrashedError",
    "EngineError",
    "GenerationHandle",
    "GenerationResult",
    "LoadHandle",
    "Sampling",
]
