"""Turn chunks and queries into vectors: the only package that touches a model.

Backends behind one `Embedder` interface, each selectable with `--model NAME`:

- `all-MiniLM-L6-v2-static` (alias `static`), the default: a model2vec table distilled offline
  from the packaged MiniLM (embed/static.py). numpy + tokenizers only: loads in milliseconds,
  ~100x faster than the transformer, and no torch import on the query path.
- `all-MiniLM-L6-v2-int8` (aliases `onnx`, `int8`): the packaged MiniLM exported to ONNX Runtime
  and int8-quantised, built once like the static model (embed/onnx_backend.py).
- `all-MiniLM-L6-v2` (aliases `minilm`, `torch`, `sentence-transformers/all-MiniLM-L6-v2`):
  the packaged transformer on torch (embed/torch_backend.py); its name is the one repositories
  indexed before the static default recorded, so they keep working.
- any other sentence-transformers model name or path, on torch (downloaded by the hub only
  because the user named it).

A repository records its model's name and hash (`Embedder.model_hash`) and never mixes vectors:
another model needs `--full`. What is embedded for a chunk is `chunk_text` (embed/text.py).
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Protocol

from mnemo.embed.errors import ModelError
from mnemo.embed.onnx_backend import ONNX_MODEL
from mnemo.embed.static import STATIC_MODEL
from mnemo.embed.text import MAX_TEXT_CHARS, chunk_text, text_hash
from mnemo.embed.torch_backend import TORCH_MODEL

if TYPE_CHECKING:
    import numpy as np

DEFAULT_MODEL = STATIC_MODEL

_ALIASES = {
    "static": STATIC_MODEL,
    STATIC_MODEL.lower(): STATIC_MODEL,
    "onnx": ONNX_MODEL,
    "int8": ONNX_MODEL,
    ONNX_MODEL.lower(): ONNX_MODEL,
    "minilm": TORCH_MODEL,
    "torch": TORCH_MODEL,
    TORCH_MODEL.lower(): TORCH_MODEL,
    f"sentence-transformers/{TORCH_MODEL}".lower(): TORCH_MODEL,
}
BUILTIN_MODELS = {
    STATIC_MODEL: "static: model2vec table distilled from the packaged MiniLM (default; numpy only)",
    TORCH_MODEL: "torch: the packaged all-MiniLM-L6-v2 transformer (sentence-transformers)",
    ONNX_MODEL: "onnx: the packaged MiniLM exported to ONNX Runtime, int8-quantised (no torch to run it)",
}


class Embedder(Protocol):
    """What the pipeline and search need from a model."""

    model_name: str
    dimension: int
    model_hash: str  # identifies the exact weights: vectors are reused only under the same one

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One L2-normalised float32 vector for a search query."""
        ...


def canonical_model_name(model: str | None) -> str:
    """The name a repository records: None is the default; an alias becomes its model's name."""
    if not model or not model.strip():
        return DEFAULT_MODEL
    return _ALIASES.get(model.strip().lower(), model.strip())


def model_hash_of(embedder: object) -> str:
    """The embedder's weights hash ('' for an embedder that does not say)."""
    return str(getattr(embedder, "model_hash", "") or "")


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()
_use_helper = False
_light_static = False


def use_resident_helper(enabled: bool = True) -> None:
    """Let this process embed with transformer models through their resident helper
    (embed/helper.py) instead of loading torch: for short-lived CLI processes. MNEMO_HELPER=0
    turns it off. The static and ONNX models always load in-process (milliseconds)."""
    global _use_helper
    _use_helper = enabled and os.environ.get("MNEMO_HELPER", "1") != "0"


def use_light_static_queries(enabled: bool = True) -> None:
    """Let this process embed its queries with the static model through embed/static_query.py:
    no numpy and no tokenizers for an ASCII query (~75 ms of a fresh process's 0.3 s), the full
    model for anything else, the same vectors bit for bit. For a process that embeds one query
    (`mnemo search`); set before the model is first loaded."""
    global _light_static
    _light_static = enabled


def load_embedder(model: str | None = None, *, max_seq_length: int | None = None) -> Embedder:
    """Load a model once per process (cached by canonical name). None means the default."""
    name = canonical_model_name(model)
    with _cache_lock:
        if name not in _cache:
            _cache[name] = _load(name, max_seq_length)
        return _cache[name]


def release_embedder(model: str | None = None) -> bool:
    """Forget this process's loaded copy of a model that reloads in milliseconds (the static and
    ONNX ones), so its memory can go back before a phase that needs none of it (the indexer's
    graph phase). A transformer stays loaded: loading it again costs seconds. True if dropped."""
    name = canonical_model_name(model)
    if name not in (STATIC_MODEL, ONNX_MODEL):
        return False
    with _cache_lock:
        return _cache.pop(name, None) is not None


def _load(name: str, max_seq_length: int | None) -> Embedder:
    if _use_helper and max_seq_length is None and name not in (STATIC_MODEL, ONNX_MODEL):
        from mnemo.embed import helper

        return helper.connect(name)
    if name == STATIC_MODEL and _light_static:
        from mnemo.embed import static_query

        return static_query.load(name)
    if name == STATIC_MODEL:
        from mnemo.embed import static

        return static.load(name)
    if name == ONNX_MODEL:
        from mnemo.embed import onnx_backend

        return onnx_backend.load(name)
    from mnemo.embed import torch_backend

    return torch_backend.load(name, max_seq_length)


__all__ = [
    "BUILTIN_MODELS", "DEFAULT_MODEL", "Embedder", "MAX_TEXT_CHARS", "ModelError", "ONNX_MODEL", "STATIC_MODEL",
    "TORCH_MODEL",
    "canonical_model_name", "chunk_text", "load_embedder", "model_hash_of", "release_embedder", "text_hash",
    "use_light_static_queries", "use_resident_helper",
]
