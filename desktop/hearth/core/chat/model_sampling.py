"""What "Reset to model defaults" resets to, for a model file on disk."""

from __future__ import annotations

import logging
from pathlib import Path

from hearth.core.chat.records import SamplingSettings
from hearth.core.gguf import InvalidGGUF, read_model_header

log = logging.getLogger(__name__)


def sampling_for_model(path: str | Path | None) -> SamplingSettings:
    """llama.cpp's defaults overlaid by the recommendations in the model's GGUF header (a few milliseconds: only
    the header is read). A missing or unreadable file gives the plain defaults: a reset must always work."""
    if not path:
        return SamplingSettings.model_defaults()
    try:
        header = read_model_header(path)
    except (OSError, InvalidGGUF) as exc:
        log.info("chat: no sampling recommendations from %s: %s", path, exc)
        return SamplingSettings.model_defaults()
    return SamplingSettings.for_model(header.metadata)
