"""Quantization names as uploaders spell them, and the bits per weight Hearth ranks them by."""

from __future__ import annotations

import pytest

from hearth.core.quants import (
    FILE_TYPES,
    NOMINAL_BPW,
    base_quant,
    bits_per_weight,
    file_type_name,
    is_projector,
    nominal_bits_per_weight,
    parse_quant,
)


@pytest.mark.parametrize(
    ("name", "quant"),
    [
        ("Llama-3.2-1B-Instruct-Q4_K_M.gguf", "Q4_K_M"),
        ("llama-2-7b.Q4_K_M.gguf", "Q4_K_M"),
        ("qwen2.5-7b-instruct-q4_k_m.gguf", "Q4_K_M"),
        ("model-q8_0.gguf", "Q8_0"),
        ("Meta-Llama-3-8B-Instruct-IQ4_XS.gguf", "IQ4_XS"),
        ("Meta-Llama-3-8B-Instruct-IQ3_XXS.gguf", "IQ3_XXS"),
        ("ggml-model-f16.gguf", "F16"),
        ("gemma-3-4b-it-BF16.gguf", "BF16"),
        ("model-fp16.gguf", "F16"),
        ("Mistral-7B-Instruct-v0.3.Q6_K.gguf", "Q6_K"),
        ("Qwen3-8B-UD-Q4_K_XL.gguf", "UD-Q4_K_XL"),
        ("Qwen3-30B-A3B-UD-IQ1_S.gguf", "UD-IQ1_S"),
        ("Llama-3.3-70B-Instruct-Q4_K_L.gguf", "Q4_K_L"),
        ("Q4_K_M/Qwen3-235B-A22B-Q4_K_M-00001-of-00003.gguf", "Q4_K_M"),
        ("UD-Q2_K_XL/DeepSeek-R1-00001-of-00005.gguf", "UD-Q2_K_XL"),  # name only in the folder
        ("model-Q4_0_4_4.gguf", "Q4_0_4_4"),
        ("gpt-oss-20b-MXFP4.gguf", "MXFP4"),
        ("Llama-3-F16-Q5_K_S.gguf", "Q5_K_S"),  # the last match wins: model names come first
        ("Phi-3-mini-4k-instruct.Q2_K.gguf", "Q2_K"),
        ("tinyllama.gguf", None),
        ("F16Model.gguf", None),  # not a separate token
        ("README.md", None),
    ],
)
def test_parse_quant(name: str, quant: str | None) -> None:
    assert parse_quant(name) == quant


def test_nominal_bits_rank_quality() -> None:
    order = ["Q2_K", "Q3_K_M", "Q4_K_S", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"]
    bits = [nominal_bits_per_weight(q) for q in order]
    assert bits == sorted(bits)
    assert nominal_bits_per_weight("Q4_K_M") == pytest.approx(4.85)
    assert nominal_bits_per_weight("Q8_0") == 8.5
    assert nominal_bits_per_weight("F16") == 16
    assert nominal_bits_per_weight("UD-Q4_K_XL") == NOMINAL_BPW["Q4_K_XL"]
    assert nominal_bits_per_weight(None) is None
    assert nominal_bits_per_weight("Q9_Z") is None
    assert base_quant("UD-Q4_K_XL") == "Q4_K_XL"


def test_file_types_match_llama_cpp() -> None:
    from gguf import LlamaFileType

    for value, name in FILE_TYPES.items():
        assert LlamaFileType(value).name.removeprefix("MOSTLY_").removeprefix("ALL_") == name
        assert name in NOMINAL_BPW
    assert file_type_name(15) == "Q4_K_M"
    assert file_type_name(1024) is None  # "guessed"
    assert file_type_name(True) is None
    assert file_type_name("15") is None


def test_bits_per_weight_and_projectors() -> None:
    assert bits_per_weight(4_920_000_000, 8_030_000_000) == pytest.approx(4.90, abs=0.01)
    assert bits_per_weight(None, 10) is None
    assert bits_per_weight(10, 0) is None
    assert is_projector("mmproj-model-f16.gguf")
    assert is_projector("gemma-3-4b-it-mmproj-F16.gguf")
    assert not is_projector("mmproj/model-Q4_K_M.gguf")  # the file name decides, not the folder
