"""The static backend: a real model2vec distillation of the packaged MiniLM, its determinism,
its inference, and a query path that never imports torch."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mnemo.embed import STATIC_MODEL, TORCH_MODEL, canonical_model_name, load_embedder
from mnemo.embed import static

# Keep only word pieces that start with "q" (and the special tokens): a real distillation through
# the same code as the full build, in seconds instead of a minute.
SMALL_VOCABULARY = r"^(?!q|##q|\[(?:PAD|UNK|CLS|SEP|MASK)\])"


def test_static_build_is_deterministic(tmp_path: Path) -> None:
    first = static.build_static_model(tmp_path / "a", token_remove_pattern=SMALL_VOCABULARY, log=lambda m: None)
    second = static.build_static_model(tmp_path / "b", token_remove_pattern=SMALL_VOCABULARY, log=lambda m: None)
    assert first["sha256"] == second["sha256"]
    assert (tmp_path / "a" / "embeddings.npy").read_bytes() == (tmp_path / "b" / "embeddings.npy").read_bytes()
    # the recorded hash is the hash of the files, and it changes with what was distilled
    assert static.content_hash(tmp_path / "a") == first["sha256"]
    table = np.load(tmp_path / "a" / "embeddings.npy")
    assert table.dtype == np.float16 and table.shape[1] == 384 and 100 < table.shape[0] < 2000
    assert first["sha256"] != load_embedder().model_hash


def test_an_existing_build_is_kept_unless_forced(tmp_path: Path) -> None:
    built = static.build_static_model(tmp_path / "m", token_remove_pattern=SMALL_VOCABULARY, log=lambda m: None)
    manifest = tmp_path / "m" / "manifest.json"
    stamp = manifest.stat().st_mtime_ns
    again = static.build_static_model(tmp_path / "m", token_remove_pattern=SMALL_VOCABULARY, log=lambda m: None)
    assert again == built and manifest.stat().st_mtime_ns == stamp


def test_default_model_is_static_384_d_normalised_and_recorded_with_its_hash() -> None:
    emb = load_embedder()
    assert emb.model_name == STATIC_MODEL == canonical_model_name(None) == canonical_model_name("static")
    manifest = json.loads((emb.path / "manifest.json").read_text())
    assert emb.model_hash == manifest["sha256"] and len(emb.model_hash) == 64
    vectors = emb.embed_documents(["function parseConfig in src/config.ts\nexport function parseConfig() {}",
                                   "retry a request with exponential backoff", "x" * 50_000])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(emb.embed_query("retry a request with exponential backoff"), vectors[1])
    assert emb.embed_documents([]).shape == (0, 384)


def test_static_vectors_rank_related_text_first() -> None:
    emb = load_embedder()
    docs = emb.embed_documents([
        "function retryWithBackoff in src/net.ts\nexport async function retryWithBackoff(fn, attempts) { sleep(delay * 2) }",
        "function slugify in src/text.ts\nexport function slugify(title) { return title.toLowerCase() }",
    ])
    query = emb.embed_query("retry a failed request")
    assert query @ docs[0] > query @ docs[1]


def test_static_inference_matches_model2vec(tmp_path: Path) -> None:
    from model2vec import StaticModel

    emb = load_embedder()
    path = tmp_path / "m2v"
    path.mkdir()
    # model2vec's own format over the same table and tokenizer
    from safetensors.numpy import save_file

    save_file({"embeddings": np.load(emb.path / "embeddings.npy")}, str(path / "model.safetensors"))
    (path / "tokenizer.json").write_text((emb.path / "tokenizer.json").read_text())
    (path / "config.json").write_text(json.dumps({"model_type": "model2vec", "normalize": True, "max_length": 512}))
    reference = StaticModel.from_pretrained(str(path))
    texts = ["class UserService in src/users.ts\nsave(user) { db.insert(user) }", "naïve ünïcode 😀", "a b c"]
    assert np.allclose(emb.embed_documents(texts), reference.encode(texts), atol=2e-3)


def test_aliases_name_the_torch_backend() -> None:
    assert canonical_model_name("minilm") == canonical_model_name("sentence-transformers/all-MiniLM-L6-v2") == TORCH_MODEL
    assert canonical_model_name("  org/some-model ") == "org/some-model"


def test_query_path_does_not_import_torch() -> None:
    code = (
        "import sys\n"
        "from mnemo.embed import load_embedder\n"
        "import mnemo.search, mnemo.cli.search, mnemo.pipeline\n"
        "v = load_embedder().embed_query('find a user by email')\n"
        "assert v.shape == (384,)\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'model2vec') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_damaged_cache_says_how_to_fix_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNEMO_MODELS", str(tmp_path))
    built = static.build_static_model(tmp_path / STATIC_MODEL, token_remove_pattern=SMALL_VOCABULARY, log=lambda m: None)
    assert static.load(STATIC_MODEL).model_hash == built["sha256"]
    (tmp_path / STATIC_MODEL / "embeddings.npy").write_bytes(b"not a numpy file")
    with pytest.raises(static.ModelError, match="mnemo model build --force"):
        static.load(STATIC_MODEL)
    with pytest.raises(static.ModelError, match="not built yet"):
        static.load("other-static", build=False)
