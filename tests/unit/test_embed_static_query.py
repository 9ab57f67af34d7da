"""The default model's numpy-free query path (embed/static_query.py) gives the full model's
token ids and vectors exactly, and hands everything it does not implement to the full model."""

from __future__ import annotations

import shutil
import string
import subprocess
import sys
from array import array
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnemo.embed import STATIC_MODEL, static, static_query

ROOT = Path(__file__).resolve().parents[2]
# ASCII with what BERT's normaliser treats specially: controls, whitespace, punctuation, the
# added tokens matched before normalisation, and long words (over 100 characters: [UNK]).
ascii_text = st.lists(
    st.one_of(
        st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=127), max_size=30),
        st.sampled_from(["[PAD]", "[UNK]", "[pad]", "[UNK", "##ing", "retry_with_backoff", "QuerySet.filter",
                         "x" * 101, "y" * 100, "\x00\x0b\x0c\x1f\x7f", " \t\r\n", string.punctuation]),
    ),
    max_size=8,
).map("".join)


@pytest.fixture(scope="module")
def full(embedder) -> static.StaticEmbedder:
    return embedder


@pytest.fixture(scope="module")
def light(full) -> static_query.LightStaticEmbedder:
    model = static_query.load(STATIC_MODEL)
    assert isinstance(model, static_query.LightStaticEmbedder)
    assert (model.model_name, model.dimension, model.model_hash) == (full.model_name, full.dimension, full.model_hash)
    return model


def _same(light, full, text: str) -> None:
    encoder = light._encoder
    if text.isascii():
        expected_ids = full._tokenizer.encode(text[:static.MAX_TEXT_CHARS], add_special_tokens=False).ids
        assert encoder.ids(text[:static.MAX_TEXT_CHARS]) == expected_ids
    vector = light.embed_query(text)
    expected = full.embed_query(text)
    assert np.asarray(vector, dtype=np.float32).tobytes() == expected.astype(np.float32).tobytes()
    if text.isascii():
        assert isinstance(vector, array) and vector.typecode == "f"  # the numpy-free way answered


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ascii_text)
def test_ascii_queries_get_the_full_models_ids_and_vector_bit_for_bit(light, full, text: str) -> None:
    _same(light, full, text)


@pytest.mark.parametrize("text", [
    "", " ", "??", "[UNK]", "[UNK] [UNK]", "[PAD]", "retry a request with backoff", "parseConfig user_id",
    "camelCaseIdentifierWithManyParts_and_snake__case", "a" * 150, "word " * 700,  # over MAX_TOKENS
    "x" * (static.MAX_TEXT_CHARS + 50), "naïve ünïcode 😀", "日本語のクエリ", "Ünïcode and ascii",
])
def test_edge_cases_and_non_ascii_queries_agree(light, full, text: str) -> None:
    _same(light, full, text)


def test_real_code_lines_agree(light, full) -> None:
    lines = [line for path in sorted((ROOT / "src" / "mnemo" / "search").rglob("*.py"))
             for line in path.read_text().splitlines() if line.strip()]
    for line in lines[::7]:
        _same(light, full, line)


def test_otherwise_it_is_the_full_model(light, full) -> None:
    assert light.path == full.path
    assert light._unk_id == full._unk_id  # any attribute: the full model's
    texts = ["retry a request", "naïve"]
    assert light.embed_documents(texts).tobytes() == full.embed_documents(texts).tobytes()


def _copy_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    source = static.model_path(STATIC_MODEL)
    target = tmp_path / STATIC_MODEL
    shutil.copytree(source, target)
    monkeypatch.setenv("MNEMO_MODELS", str(tmp_path))
    return target


def test_a_tokenizer_it_does_not_implement_goes_to_the_full_model(full, tmp_path, monkeypatch) -> None:
    path = _copy_model(tmp_path, monkeypatch)
    spec = (path / "tokenizer.json").read_text()
    (path / "tokenizer.json").write_text(spec.replace('"lowercase":true', '"lowercase":false')
                                         .replace('"lowercase": true', '"lowercase": false'))
    model = static_query.load(STATIC_MODEL)
    assert isinstance(model, static.StaticEmbedder)


def test_a_damaged_table_gets_the_full_models_message(tmp_path, monkeypatch) -> None:
    path = _copy_model(tmp_path, monkeypatch)
    (path / "embeddings.npy").write_bytes(b"not a numpy file")
    with pytest.raises(static.ModelError, match="mnemo model build --force"):
        static_query.load(STATIC_MODEL)


def test_the_query_path_loads_neither_numpy_nor_tokenizers() -> None:
    code = (
        "import sys\n"
        "from mnemo.embed import load_embedder, use_light_static_queries\n"
        "import mnemo.search, mnemo.cli.search\n"
        "use_light_static_queries()\n"
        "v = load_embedder().embed_query('find a user by email')\n"
        "assert len(v) == 384\n"
        "heavy = ('numpy', 'tokenizers', 'torch', 'transformers')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
