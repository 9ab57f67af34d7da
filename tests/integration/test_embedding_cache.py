"""Vectors reused: keyed by (model, model hash, text hash), collected with the chunks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

THREE = """\
def parse(text):
    return text.split(",")


def render(items):
    return ", ".join(items)


def count(items):
    return len(items)
"""


def _cache(database: Database) -> list[tuple]:
    with database.connect() as conn:
        return conn.execute("SELECT model, model_hash, text_hash FROM embedding_cache ORDER BY text_hash").fetchall()


def _vectors(database: Database, name: str) -> dict[str, np.ndarray]:
    with database.connect() as conn:
        rows = conn.execute("SELECT c.qualified_name, c.embedding FROM chunks c JOIN repositories r "
                            "ON r.id = c.repository_id WHERE r.name = %s", (name,)).fetchall()
    return {n: v.to_numpy() for n, v in rows}


def test_editing_one_function_of_three_re_embeds_exactly_one_chunk(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {"m.py": THREE})
    first = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert (first.chunks_written, first.chunks_embedded, first.chunks_reused) == (3, 3, 0)
    before = _vectors(database, "r")
    (root / "m.py").write_text(THREE.replace("return len(items)", "return sum(1 for _ in items)"))
    edited = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert (edited.files_indexed, edited.chunks_written, edited.chunks_embedded, edited.chunks_reused) == (1, 3, 1, 2)
    after = _vectors(database, "r")
    assert np.array_equal(after["parse"], before["parse"]) and np.array_equal(after["render"], before["render"])
    assert not np.allclose(after["count"], before["count"])
    # the old text of `count` is no chunk's any more: its cache row went with it
    assert len(_cache(database)) == 3


def test_full_run_with_the_same_model_reuses_every_vector(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {"m.py": THREE, "n.py": "def other():\n    return 0\n"})
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    full = index_repository(database, root, IndexOptions(name="r", full=True), embedder=embedder)
    assert (full.chunks_written, full.chunks_embedded, full.chunks_reused) == (4, 0, 4)
    assert len(_cache(database)) == 4


def test_a_model_change_reuses_nothing_and_sweeps_the_old_vectors(tmp_path: Path, database: Database, embedder,
                                                                  torch_embedder) -> None:
    root = write_tree(tmp_path / "repo", {"m.py": THREE})
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    changed = index_repository(database, root, IndexOptions(name="r", full=True, model="minilm"),
                               embedder=torch_embedder)
    assert (changed.chunks_embedded, changed.chunks_reused) == (3, 0)
    assert {(m, h) for m, h, _ in _cache(database)} == {(torch_embedder.model_name, torch_embedder.model_hash)}
    assert len(_cache(database)) == 3


def test_removed_files_and_deleted_repositories_take_their_vectors_along(tmp_path: Path, database: Database,
                                                                       embedder) -> None:
    root = write_tree(tmp_path / "repo", {"m.py": THREE, "n.py": "def other():\n    return 0\n"})
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    # a second repository holding the same file shares its vectors
    twin = write_tree(tmp_path / "twin", {"m.py": THREE})
    shared = index_repository(database, twin, IndexOptions(name="twin"), embedder=embedder)
    assert (shared.chunks_embedded, shared.chunks_reused) == (0, 3)  # same path, same texts
    (root / "n.py").unlink()
    removed = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert removed.files_removed == 1 and len(_cache(database)) == 3
    from mnemo.store import writes

    with database.connect(autocommit=True) as conn:
        assert writes.delete_repository(conn, "r")
    assert len(_cache(database)) == 3  # twin still holds them
    with database.connect(autocommit=True) as conn:
        assert writes.delete_repository(conn, "twin")
    assert _cache(database) == []


def test_duplicate_texts_in_one_run_are_embedded_once(tmp_path: Path, database: Database, embedder) -> None:
    body = "def same():\n    return 1\n"
    root = write_tree(tmp_path / "repo", {"a/x.py": body, "b/x.py": body})
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    # the header names the path, so the two texts differ: two vectors
    assert (summary.chunks_written, summary.chunks_embedded) == (2, 2)


def test_a_run_of_reused_vectors_loads_no_model(tmp_path: Path, database: Database, embedder, monkeypatch) -> None:
    root = write_tree(tmp_path / "repo", {"m.py": THREE, "empty.py": "\n"})
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    import mnemo.pipeline

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded although every vector is cached")

    monkeypatch.setattr(mnemo.pipeline, "load_embedder", no_model)
    (root / "m.py").write_text(THREE + "\n")  # new bytes, same chunk texts
    again = index_repository(database, root, IndexOptions(name="r"))
    assert (again.files_indexed, again.chunks_embedded, again.chunks_reused) == (1, 0, 3)
