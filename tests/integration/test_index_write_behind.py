"""The writes behind the parsing (pipeline.WriteBehind): the same rows as inline writes, one
transaction per file, failures recorded in order, the writer stopped on a fatal error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store import writes
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

# Windows of one file each, so many jobs queue up behind the parsing; a broken file (strict), a
# file with a duplicated function body (the same text twice: one vector, cache row once), an
# empty file and a Python file.
FILES = {
    **{f"src/m{i:02d}.ts": f"export function f{i}(x: number) {{ return x + {i}; }}\n"
                           f"export class C{i} {{ run() {{ return f{i}(1); }} }}\n" for i in range(12)},
    "src/broken.ts": "export function ok() { return 1; }\nexport function bad( {\n",
    "src/twice.ts": "export function same() { return 42; }\nexport function same2() { return 42; }\n",
    "src/empty.ts": "",
    "lib/tool.py": "def tool(x):\n    return x * 2\n",
}


def _rows(database: Database, repository: str) -> tuple[list[tuple], list[np.ndarray], list[tuple]]:
    with database.connect() as conn:
        files = conn.execute(
            "SELECT f.path, f.status, f.content_hash, f.failed_hash, f.chunk_count, f.last_error, f.imports::text, "
            "f.exports::text, f.facts::text FROM files f JOIN repositories r ON r.id = f.repository_id "
            "WHERE r.name = %s ORDER BY f.path", (repository,)).fetchall()
        chunks = conn.execute(
            "SELECT c.path, c.kind, c.qualified_name, c.start_line, c.end_line, c.source, c.metadata::text, "
            "c.text_hash, c.embedding FROM chunks c JOIN repositories r ON r.id = c.repository_id "
            "WHERE r.name = %s ORDER BY c.path, c.start_line, c.qualified_name", (repository,)).fetchall()
        errors = conn.execute(
            "SELECT e.path, e.line, e.severity, e.message FROM index_errors e JOIN repositories r "
            "ON r.id = e.repository_id WHERE r.name = %s ORDER BY e.path, e.message", (repository,)).fetchall()
    return files + errors, [c[:-1] for c in chunks], [c[-1].to_numpy() for c in chunks]


def test_write_behind_stores_exactly_what_inline_writes_store(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    results = {}
    for behind in (True, False):  # the second run reuses every vector the first one cached
        name = f"r-{behind}"
        options = IndexOptions(name=name, strict=True, window_files=1, batch_chunks=1, write_behind=behind)
        summary = index_repository(database, root, options, embedder=embedder)
        assert (summary.files_indexed, summary.files_failed) == (len(FILES) - 1, 1)
        results[behind] = summary, _rows(database, name)
    (inline, (meta_a, chunks_a, vectors_a)), (behind, (meta_b, chunks_b, vectors_b)) = results[False], results[True]
    assert meta_b == meta_a and chunks_b == chunks_a
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(vectors_a, vectors_b))
    assert behind.chunks_written == inline.chunks_written == len(chunks_a)
    assert behind.chunks_embedded > 0 and behind.chunks_embedded + behind.chunks_reused == behind.chunks_written
    assert (inline.chunks_embedded, inline.chunks_reused) == (0, inline.chunks_written)  # the cache rows committed
    assert [str(e) for e in behind.errors] == [str(e) for e in inline.errors]
    assert "broken.ts" in behind.errors[0].path


def test_a_failed_write_behind_rolls_back_that_file_and_the_run_goes_on(
    tmp_path: Path, database: Database, embedder, monkeypatch
) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    real_write = writes.write_file

    def failing_write(conn, repo, source, *args, **kwargs):
        if source.rel_path == "src/m03.ts":
            with conn.transaction():  # fail inside the file's transaction, after a write
                conn.execute("DELETE FROM chunks WHERE repository_id = %s", (repo.id,))
                raise RuntimeError("disk on fire")
        return real_write(conn, repo, source, *args, **kwargs)

    monkeypatch.setattr(writes, "write_file", failing_write)
    summary = index_repository(database, root, IndexOptions(name="r", window_files=1), embedder=embedder)
    assert (summary.files_indexed, summary.files_failed) == (len(FILES) - 1, 1)
    assert summary.errors[0].path == "src/m03.ts" and "disk on fire" in summary.errors[0].message
    _, chunks, _ = _rows(database, "r")
    paths = {c[0] for c in chunks}
    assert "src/m03.ts" not in paths and {"src/m02.ts", "src/m04.ts", "lib/tool.py"} <= paths
    with database.connect() as conn:
        status = conn.execute("SELECT status FROM files WHERE path = 'src/m03.ts'").fetchone()[0]
    assert status == "failed"


def test_an_interrupt_in_the_writer_ends_the_run_with_whole_files(
    tmp_path: Path, database: Database, embedder, monkeypatch
) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    real_write = writes.write_file

    def interrupted_write(conn, repo, source, *args, **kwargs):
        if source.rel_path == "src/m05.ts":
            raise KeyboardInterrupt
        return real_write(conn, repo, source, *args, **kwargs)

    monkeypatch.setattr(writes, "write_file", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        index_repository(database, root, IndexOptions(name="r", window_files=1), embedder=embedder)
    with database.connect() as conn:
        status = conn.execute("SELECT status FROM index_runs ORDER BY id DESC LIMIT 1").fetchone()[0]
        counts = conn.execute("SELECT f.path, f.chunk_count, count(c.id) FROM files f LEFT JOIN chunks c "
                              "ON c.file_id = f.id GROUP BY f.path, f.chunk_count").fetchall()
    assert status == "interrupted"
    assert counts and all(stored == expected for _, expected, stored in counts)  # only whole files
    assert "src/m05.ts" not in {path for path, _, _ in counts}


class _IndexProbe:
    """Progress that records, per file, whether the vector index exists at that moment."""

    def __init__(self, database: Database) -> None:
        self.database, self.seen = database, []

    def start(self, total_files: int) -> None:
        pass

    def advance(self, files: int, chunks: int) -> None:
        from mnemo.store.vector_index import has_vector_index

        with self.database.connect() as conn:
            self.seen.append(has_vector_index(conn, 384))

    def close(self) -> None:
        pass


def test_a_bulk_load_builds_the_vector_index_at_the_end(tmp_path: Path, database: Database, embedder,
                                                          monkeypatch) -> None:
    from mnemo.store import vector_index

    root = write_tree(tmp_path / "repo", FILES)
    monkeypatch.setattr(vector_index, "BULK_MIN_FILES", 1)
    probe = _IndexProbe(database)
    summary = index_repository(database, root, IndexOptions(name="r", window_files=2), embedder=embedder,
                               progress=probe)
    assert summary.files_indexed == len(FILES)  # broken.ts partly: not strict
    assert probe.seen and not any(probe.seen)  # dropped while the files were written
    with database.connect() as conn:
        assert vector_index.has_vector_index(conn, 384)  # built at the end
        conn.execute("SET enable_seqscan = off")  # a table this small would be scanned
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT id FROM chunks WHERE vector_dims(embedding) = 384 "
            "ORDER BY embedding::vector(384) <=> (SELECT embedding FROM chunks LIMIT 1)::vector(384) LIMIT 5"))
    assert vector_index.index_name(384) in plan

    # a run killed mid-load leaves no index: the next run (even one with nothing to do) builds it
    with database.connect() as conn:
        conn.execute(f"DROP INDEX {vector_index.index_name(384)}")
    monkeypatch.setattr(vector_index, "BULK_MIN_FILES", 500)
    again = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert again.files_unchanged == len(FILES)
    with database.connect() as conn:
        assert vector_index.has_vector_index(conn, 384)


def test_a_small_run_keeps_the_vector_index(tmp_path: Path, database: Database, embedder) -> None:
    from mnemo.store import vector_index

    root = write_tree(tmp_path / "repo", FILES)
    probe = _IndexProbe(database)
    index_repository(database, root, IndexOptions(name="r", window_files=2), embedder=embedder, progress=probe)
    assert probe.seen and all(probe.seen)
    with database.connect() as conn:
        assert not vector_index.bulk_load_pays(conn, 384, 499)
        assert vector_index.bulk_load_pays(conn, 384, 500)  # 500 files: more than the ~40 chunks stored


def test_postings_follow_their_chunks_without_foreign_keys(tmp_path: Path, database: Database, embedder) -> None:
    """Migration 0010: the delete trigger removes postings and lengths; no orphan is left by a
    re-index, a --full run, a removed file or a deleted repository."""
    root = write_tree(tmp_path / "repo", FILES)

    def orphans_and_counts() -> tuple[int, int, int]:
        with database.connect() as conn:
            return conn.execute(
                "SELECT (SELECT count(*) FROM search_terms t WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = t.chunk_id)),"
                " (SELECT count(*) FROM search_docs d WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = d.chunk_id)),"
                " (SELECT count(*) FROM chunks) - (SELECT count(*) FROM search_docs)").fetchone()

    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert orphans_and_counts() == (0, 0, 0)
    (root / "src" / "m01.ts").write_text("export function edited() { return 7; }\n")
    (root / "src" / "m02.ts").unlink()
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert orphans_and_counts() == (0, 0, 0)
    index_repository(database, root, IndexOptions(name="r", full=True), embedder=embedder)
    assert orphans_and_counts() == (0, 0, 0)
    with database.connect() as conn:
        docs = conn.execute("SELECT docs FROM search_collection").fetchone()[0]
        assert docs == conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        writes.delete_repository(conn, "r")
        assert conn.execute("SELECT (SELECT count(*) FROM search_terms) + (SELECT count(*) FROM search_docs)"
                            ).fetchone()[0] == 0


def test_a_writer_that_cannot_connect_ends_the_run_as_a_lost_database(
    tmp_path: Path, database: Database, embedder, monkeypatch
) -> None:
    import psycopg

    from mnemo import pipeline

    def no_connection(self):
        raise psycopg.OperationalError("connection refused")

    root = write_tree(tmp_path / "repo", FILES)
    monkeypatch.setattr(pipeline._Run, "_writer_connection", no_connection)
    summary = index_repository(database, root, IndexOptions(name="r", window_files=1), embedder=embedder)
    assert summary.status == "failed" and summary.exit_code == 2
    assert "connection was lost" in summary.fatal_error and "connection refused" in summary.fatal_error
    assert summary.files_indexed == 0



def test_a_file_of_more_chunks_than_one_statement_holds_is_stored_whole(
    tmp_path: Path, database: Database, embedder, monkeypatch
) -> None:
    """A file's chunks go in statements of WRITE_BATCH_ROWS rows (bounded parameters): the same
    chunks, vectors and search statistics as one statement, still one transaction."""
    import mnemo.pipeline as pipeline

    body = "".join(f"export function many{j}(x: number) {{ return x + {j}; }}\n" for j in range(300))
    root = write_tree(tmp_path / "repo", {"src/many.ts": body, "src/few.ts": "export const one = 1;\n"})
    results = {}
    for rows in (1000, 7):
        monkeypatch.setattr(pipeline, "WRITE_BATCH_ROWS", rows)
        name = f"rows-{rows}"
        summary = index_repository(database, root, IndexOptions(name=name), embedder=embedder)
        assert summary.files_indexed == 2 and summary.chunks_written >= 301
        with database.connect() as conn:
            stats = conn.execute(
                "SELECT s.docs, s.len_name, s.len_head, s.len_doc, s.len_body, "
                "(SELECT count(*) FROM search_terms t WHERE t.repository_id = r.id) "
                "FROM search_collection s JOIN repositories r ON r.id = s.repository_id WHERE r.name = %s",
                (name,)).fetchone()
        _, chunks, vectors = _rows(database, name)
        results[rows] = stats, chunks, vectors
    (stats_a, chunks_a, vectors_a), (stats_b, chunks_b, vectors_b) = results[1000], results[7]
    assert chunks_b == chunks_a and len(chunks_a) == summary.chunks_written
    assert stats_b == stats_a and stats_a[0] == len(chunks_a)
    assert all(np.allclose(a, b, atol=1e-5) for a, b in zip(vectors_a, vectors_b))
