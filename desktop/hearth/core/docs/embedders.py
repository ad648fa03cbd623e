"""Turn text into unit vectors, offline: WordLlama (bundled, the default) or any GGUF embedding model.

Why vectors are computed here and handed to Chroma explicitly: Chroma without an embedding function downloads an
ONNX model on first use, which breaks the promise that documents never leave the computer. Every vector Hearth
stores or queries with comes from an ``Embedder`` in this module.

Threads: models load lazily (the first ``embed`` call pays), under a lock, so the UI thread never loads one by
accident. ``GgufEmbedder`` runs llama.cpp in whichever worker thread calls it (the indexing thread); the engine
process could host it later so that indexing and chat share one loaded model, but that is not needed to be honest
about privacy or responsiveness.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import psutil

DEFAULT_EMBEDDER_ID = "wordllama-256"
GGUF_PREFIX = "gguf:"


class Embedder(Protocol):
    """What the index and retriever need: a stable id (stored with the collection), a size and unit vectors."""

    @property
    def id(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed(self, texts: list[str]) -> list[list[float]]: ...

    def count_tokens(self, text: str) -> int: ...


def _normalized(vectors: Any) -> list[list[float]]:
    """Unit length, so Chroma's cosine distance and a plain dot product agree; a zero vector stays zero."""
    matrix = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).tolist()


class WordLlamaEmbedder:
    """WordLlama's 256-d static embeddings: weights ship inside the wheel, ~20k sentences/s on two cores."""

    id = DEFAULT_EMBEDDER_ID
    dim = 256

    def __init__(self) -> None:
        from hearth.core.docs.token_count import wordllama_token_counter

        self._lock = threading.Lock()
        self._model: Any = None
        # The chunker's counter: WordLlama's own tokenizer pads and truncates (a wrong count), and this one also
        # has ``count_many``, which the chunker uses to count a batch in one call.
        self.count_tokens = wordllama_token_counter()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                import wordllama
                from wordllama import WordLlama

                # WordLlama.load() looks in the wrong folder by default and would try the network; point it at
                # the weights inside the installed package and forbid downloads.
                self._model = WordLlama.load(
                    dim=self.dim, cache_dir=Path(wordllama.__file__).parent, disable_download=True
                )
            return self._model

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        matrix = self._loaded().embed(texts)
        return _normalized(matrix)


def physical_cores() -> int:
    """llama.cpp is fastest with one thread per physical core; its binding's default (cpu_count // 2) is not."""
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1


class GgufEmbedder:
    """A GGUF embedding model run by llama.cpp (``embedding=True``), loaded on first use in the calling thread."""

    def __init__(self, path: str | os.PathLike[str], n_ctx: int = 2048) -> None:
        self.path = Path(path).expanduser().resolve()
        self._n_ctx = n_ctx
        self._lock = threading.Lock()
        self._llama: Any = None

    @property
    def id(self) -> str:
        return GGUF_PREFIX + str(self.path)

    def _loaded(self) -> Any:
        with self._lock:
            if self._llama is None:
                if not self.path.is_file():
                    raise FileNotFoundError(f"embedding model not found: {self.path}")
                import llama_cpp

                from hearth.core.llama_log import capture_llama_log

                # As the engine does: verbose=False would make llama-cpp-python redirect fd 1/2 to /dev/null
                # (leaking the handles); capturing its log through Python's stderr is quieter and cleaner.
                with capture_llama_log():
                    try:
                        llama = llama_cpp.Llama(
                            model_path=str(self.path),
                            embedding=True,
                            n_ctx=self._n_ctx,
                            n_threads=physical_cores(),
                            verbose=True,
                        )
                    finally:
                        llama_cpp._logger.set_verbose(False)
                llama.verbose = False
                self._llama = llama
            return self._llama

    @property
    def dim(self) -> int:
        return int(self._loaded().n_embd())

    def embed(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        llama = self._loaded()
        with self._lock:  # one llama context: calls must not interleave
            vectors = [llama.embed(text, truncate=True) for text in texts]
        return _normalized(vectors)

    def count_tokens(self, text: str) -> int:
        llama = self._loaded()
        with self._lock:
            return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def close(self) -> None:
        """Free llama.cpp's memory now rather than at garbage collection."""
        with self._lock:
            if self._llama is not None:
                self._llama.close()
                self._llama = None


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def make_embedder(embedder_id: str) -> Embedder:
    """The embedder for a stored id: ``wordllama-256`` or ``gguf:/abs/path.gguf``; shared per process."""
    with _shared_lock:
        if embedder_id not in _shared:
            if embedder_id == DEFAULT_EMBEDDER_ID:
                _shared[embedder_id] = WordLlamaEmbedder()
            elif embedder_id.startswith(GGUF_PREFIX):
                _shared[embedder_id] = GgufEmbedder(embedder_id[len(GGUF_PREFIX) :])
            else:
                raise ValueError(
                    f"unknown embedder {embedder_id!r}: use {DEFAULT_EMBEDDER_ID} or gguf:/path/model.gguf"
                )
        return _shared[embedder_id]


def normalize_embedder_id(value: str) -> str:
    """Accept a bare path to a .gguf file on the command line and store it as an absolute ``gguf:`` id."""
    if value == DEFAULT_EMBEDDER_ID:
        return value
    if value.startswith(GGUF_PREFIX):
        value = value[len(GGUF_PREFIX) :]
    if value.endswith(".gguf"):
        return GGUF_PREFIX + str(Path(value).expanduser().resolve())
    raise ValueError(f"unknown embedder {value!r}: use {DEFAULT_EMBEDDER_ID} or a path to a .gguf embedding model")
