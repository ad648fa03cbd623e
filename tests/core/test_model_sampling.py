""" "Reset to model defaults" reads the author's recommendations from the GGUF header (general.sampling.*)."""

from __future__ import annotations

from pathlib import Path

from hearth.core.chat import SamplingSettings
from hearth.core.chat.model_sampling import sampling_for_model
from hearth.testing.gguf_broken import BrokenKind, write_broken
from hearth.testing.gguf_factory import TinyModelSpec, write_tiny_model

RECOMMENDED = (
    ("general.sampling.temp", 0.6),
    ("general.sampling.top_k", 20),
    ("general.sampling.top_p", 0.8),
    ("general.sampling.penalty_repeat", 1.05),
    ("general.sampling.mirostat", 2),  # Hearth has no mirostat setting: ignored, not an error
)


def test_the_models_recommendations_overlay_llama_cpp_defaults(tmp_path: Path) -> None:
    model = write_tiny_model(tmp_path / "qwen-like.gguf", TinyModelSpec(extra_metadata=RECOMMENDED))
    assert sampling_for_model(model) == SamplingSettings(temperature=0.6, top_k=20, top_p=0.8, repeat_penalty=1.05)


def test_a_model_without_recommendations_gets_llama_cpp_defaults(tmp_path: Path) -> None:
    assert sampling_for_model(write_tiny_model(tmp_path / "plain.gguf")) == SamplingSettings()


def test_a_missing_or_broken_file_still_resets(tmp_path: Path) -> None:
    broken = write_broken(tmp_path / "broken.gguf", BrokenKind.WRONG_MAGIC)
    assert sampling_for_model(tmp_path / "gone.gguf") == SamplingSettings()
    assert sampling_for_model(broken) == SamplingSettings()
    assert sampling_for_model(None) == SamplingSettings()


def test_odd_metadata_types_are_ignored() -> None:
    odd = {"general.sampling.temp": "hot", "general.sampling.top_k": 1.5, "general.sampling.min_p": 0.10000000149}
    assert SamplingSettings.for_model(odd) == SamplingSettings(min_p=0.1)
