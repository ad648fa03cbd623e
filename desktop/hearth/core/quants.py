"""Quantization types: recognise them in file names and headers, and say how many bits per weight each costs.

Why a table: the Hub lists files, not quantizations. ``Qwen3-8B-UD-Q4_K_XL.gguf``, ``model.q8_0.gguf`` and
``ggml-model-f16.gguf`` all encode their type in the name, in the spellings the quantizers of the community
(llama.cpp, bartowski, unsloth, TheBloke) use. Before any header is read, the name is what lets Discover sort
files by quality and guess their memory; the nominal bits per weight are llama.cpp's figures for a 7-8B model
(``tools/quantize/quantize.cpp`` and the K-quant PR #1684 table), good for ranking, not for exact sizes; when the
file size and parameter count are both known, :func:`bits_per_weight` computes the real value instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Nominal bits per weight of each type as a whole file (mixes included: Q4_K_M keeps some tensors in Q6_K).
NOMINAL_BPW: Mapping[str, float] = {
    "F32": 32.0,
    "F16": 16.0,
    "BF16": 16.0,
    "Q8_0": 8.5,
    "Q6_K": 6.56,
    "Q5_1": 6.0,
    "Q5_K_M": 5.69,
    "Q5_K_S": 5.54,
    "Q5_0": 5.5,
    "Q4_1": 5.0,
    "Q4_K_M": 4.85,
    "Q4_K_S": 4.58,
    "Q4_0": 4.5,
    "Q4_0_4_4": 4.5,
    "Q4_0_4_8": 4.5,
    "Q4_0_8_8": 4.5,
    "IQ4_NL": 4.5,
    "IQ4_XS": 4.25,
    "MXFP4": 4.25,
    "MXFP4_MOE": 4.25,
    "Q3_K_L": 4.27,
    "Q3_K_M": 3.91,
    "IQ3_M": 3.66,
    "Q3_K_S": 3.5,
    "IQ3_S": 3.44,
    "IQ3_XS": 3.3,
    "IQ3_XXS": 3.06,
    "Q2_K": 3.0,
    "Q2_K_S": 2.96,
    "IQ2_M": 2.7,
    "IQ2_S": 2.5,
    "IQ2_XS": 2.31,
    "IQ2_XXS": 2.06,
    "TQ2_0": 2.06,
    "IQ1_M": 1.75,
    "TQ1_0": 1.69,
    "IQ1_S": 1.56,
    # Mixes that keep embeddings/output (bartowski's _L) or sensitive layers (unsloth's _XL) at higher precision.
    "Q8_K_XL": 9.5,
    "Q6_K_XL": 7.2,
    "Q6_K_L": 6.9,
    "Q5_K_XL": 6.0,
    "Q5_K_L": 5.9,
    "Q4_K_XL": 5.0,
    "Q4_K_L": 5.0,
    "Q3_K_XL": 4.1,
    "IQ3_XS_L": 3.5,
    "Q2_K_XL": 3.1,
    "Q2_K_L": 3.1,
    "IQ2_M_XL": 2.9,
    "IQ1_M_XL": 1.9,
}

#: ``general.file_type`` (llama.cpp's ``llama_ftype``) to the type name; 1024 means "guessed" and is not listed.
FILE_TYPES: Mapping[int, str] = {
    0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S",
    12: "Q3_K_M", 13: "Q3_K_L", 14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K",
    19: "IQ2_XXS", 20: "IQ2_XS", 21: "Q2_K_S", 22: "IQ3_XS", 23: "IQ3_XXS", 24: "IQ1_S", 25: "IQ4_NL",
    26: "IQ3_S", 27: "IQ3_M", 28: "IQ2_S", 29: "IQ2_M", 30: "IQ4_XS", 31: "IQ1_M", 32: "BF16",
    36: "TQ1_0", 37: "TQ2_0", 38: "MXFP4_MOE",
}  # fmt: skip

# Spellings seen in names that mean a listed type.
_ALIASES = {"FP16": "F16", "FP32": "F32", "BFLOAT16": "BF16"}

_NAMES = sorted({*NOMINAL_BPW, *_ALIASES}, key=len, reverse=True)  # longest first: Q4_K_M before Q4_K
_QUANT = re.compile(
    r"(?<![A-Za-z0-9])(?P<ud>UD[-_])?(?P<name>" + "|".join(map(re.escape, _NAMES)) + r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_SHARD_SUFFIX = re.compile(r"-\d{1,6}-of-\d{1,6}(?=\.gguf$)", re.IGNORECASE)


def parse_quant(filename: str) -> str | None:
    """The quantization a file name states, upper-cased and canonical (``"Q4_K_M"``, ``"UD-Q4_K_XL"``,
    ``"F16"`` for ``fp16``), or ``None``.

    The last match in the base name wins (``Llama-3-F16-Q4_K_M.gguf`` is Q4_K_M: model names come first); a
    name without one falls back to its folder (``Q4_K_M/model-00001-of-00002.gguf``, as unsloth uploads).
    """
    parts = filename.replace("\\", "/").split("/")
    for part in reversed(parts):
        stem = _SHARD_SUFFIX.sub("", part)
        matches = list(_QUANT.finditer(stem))
        if matches:
            last = matches[-1]
            name = last["name"].upper()
            name = _ALIASES.get(name, name)
            return f"UD-{name}" if last["ud"] else name
    return None


def base_quant(quant: str) -> str:
    """The type without the uploader's prefix: ``UD-Q4_K_XL`` → ``Q4_K_XL``."""
    return quant[3:] if quant.upper().startswith("UD-") else quant


def nominal_bits_per_weight(quant: str | None) -> float | None:
    """llama.cpp's nominal bits per weight for the type, ``None`` when unknown."""
    if quant is None:
        return None
    return NOMINAL_BPW.get(base_quant(quant).upper())


def file_type_name(file_type: object) -> str | None:
    """The type named by a header's ``general.file_type``, ``None`` when absent, unknown or "guessed"."""
    return FILE_TYPES.get(file_type) if isinstance(file_type, int) and not isinstance(file_type, bool) else None


def bits_per_weight(size_bytes: int | None, parameters: int | None) -> float | None:
    """Real bits per weight of a file (headers and all), when both numbers are known and sane."""
    if not size_bytes or not parameters or size_bytes <= 0 or parameters <= 0:
        return None
    return size_bytes * 8 / parameters


def is_projector(filename: str) -> bool:
    """Whether a GGUF is a vision projector (``mmproj-*.gguf``): it goes with a model, it is not one."""
    return "mmproj" in filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
