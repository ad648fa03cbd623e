"""Token counters for sizing chunks: a cheap estimate, and the default embedder's real tokenizer.

Why a separate module: the chunker needs only "text → number of tokens"; which tokenizer answers is the
index's choice (it knows the embedder), and loading one must not slow down importing the chunker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

TokenCounter = Callable[[str], int]


def approx_token_count(text: str) -> int:
    """About four characters per token: cheap, and close for English with LLaMA-style tokenizers."""
    return (len(text) + 3) // 4


class WordLlamaTokenCounter:
    """Counts tokens with the bundled WordLlama tokenizer, loaded once on first use from any thread.

    A private copy of the tokenizer is used, with padding and truncation off: WordLlama turns padding on for its
    own batches, and a padded or truncated count would let an oversized chunk through.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokenizer: Any = None

    def _get(self) -> Any:
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    import wordllama
                    from tokenizers import Tokenizer

                    model = wordllama.WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
                    tokenizer = Tokenizer.from_str(model.tokenizer.to_str())
                    tokenizer.no_padding()
                    tokenizer.no_truncation()
                    self._tokenizer = tokenizer
        return self._tokenizer

    def __call__(self, text: str) -> int:
        return len(self._get().encode(text, add_special_tokens=False).ids)

    def count_many(self, texts: Sequence[str]) -> list[int]:
        """Counts in one call (the Rust tokenizer spreads a batch over all cores)."""
        encodings = self._get().encode_batch(list(texts), add_special_tokens=False)
        return [len(encoding.ids) for encoding in encodings]


_WORDLLAMA_COUNTER = WordLlamaTokenCounter()


def wordllama_token_counter() -> WordLlamaTokenCounter:
    """The process-wide WordLlama token counter (the tokenizer loads lazily, once)."""
    return _WORDLLAMA_COUNTER


def count_all(count: TokenCounter, texts: Sequence[str]) -> list[int]:
    """Token counts of ``texts``, in one batch when the counter offers ``count_many``."""
    count_many = getattr(count, "count_many", None)
    if count_many is not None:
        return list(count_many(texts))
    return [count(text) for text in texts]
