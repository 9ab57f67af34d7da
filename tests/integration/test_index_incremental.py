"""Re-runs: incremental by content hash, clean slate with --full, atomic files, exclusive runs,
and no partial file after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import psycopg
import pytest

from mnemo.pipeline import IndexingError, IndexOptions, index_repository
from mnemo.store import writes
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

FILES = {
    "a.ts": "export function alpha() { return beta(); }\nexport function beta() { return 1; }\n",
    "b.ts": "import { alpha } from './a';\nexport class B { run() { return alpha(); } }\n",
    "lib/c.py": "def gamma(x):\n    return x * 2\n",
}


def _snapshot(database: Database) -> dict[str, list]:
    """Every row of files and chunks with its xmin: any write shows as a changed xmin."""
    with database.connect() as conn:
        return {
            "files": conn.execute("SELECT path, xmin::text, content_hash FROM files ORDER BY path").fetchall(),
            "chunks": conn.execute("SELECT id, path, qualified_name, xmin::text FROM chunks ORDER BY id").fetchall(),
        }


def _state(database: Database) -> list[tuple]:
    """What a run leaves, independent of ids and transaction ids. Vectors are compared to 1e-4:
    the same text embedded in another batch differs in the last float digits (padding)."""
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT f.path, f.status, f.content_hash, f.chunk_count, c.kind, c.qualified_name, c.start_line, "
            "c.end_line, c.embedding FROM files f LEFT JOIN chunks c ON c.file_id = f.id "
            "ORDER BY f.path, c.start_line, c.qualified_name"
        ).fetchall()
    return rows


def _assert_same_state(a: list[tuple], b: list[tuple]) -> None:
    assert [row[:-1] for row in a] == [row[:-1] for row in b]
    for x, y in zip(a, b):
        assert (x[-1] is None) == (y[-1] is None)
        if x[-1] is not None:
            assert np.allclose(x[-1].to_numpy(), y[-1].to_numpy(), atol=1e-4), x[:6]


def test_no_change_run_writes_nothing(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    first = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert first.files_indexed == 3
    before = _snapshot(database)
    again = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert (again.files_indexed, again.files_unchanged, again.files_removed, again.chunks_written) == (0, 3, 0, 0)
    assert _snapshot(database) == before


def test_edit_reindexes_only_that_file_and_delete_removes_rows(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    before = _snapshot(database)
    (root / "a.ts").write_text("export function alpha2() { return 2; }\n")
    edited = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert (edited.files_indexed, edited.files_unchanged, edited.chunks_written) == (1, 2, 1)
    after = _snapshot(database)
    untouched = lambda snap: [c for c in snap["chunks"] if c[1] != "a.ts"]  # noqa: E731
    assert untouched(after) == untouched(before)  # same ids, same xmin: not rewritten
    assert [c[2] for c in after["chunks"] if c[1] == "a.ts"] == ["alpha2"]

    (root / "lib" / "c.py").unlink()
    removed = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert (removed.files_removed, removed.files_indexed) == (1, 0)
    with database.connect() as conn:
        assert conn.execute("SELECT count(*) FROM files WHERE path = 'lib/c.py'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM chunks WHERE path = 'lib/c.py'").fetchone()[0] == 0


def test_full_run_is_a_clean_slate(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    clean = _state(database)
    full = index_repository(database, root, IndexOptions(name="r", full=True), embedder=embedder)
    assert (full.files_indexed, full.files_unchanged, full.mode) == (3, 0, "full")
    _assert_same_state(_state(database), clean)


def test_a_failed_write_rolls_back_that_file_only(tmp_path: Path, database: Database, embedder, monkeypatch) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    before = _state(database)
    (root / "a.ts").write_text("export function changed() { return 3; }\n")
    (root / "b.ts").write_text("export function alsoChanged() { return 4; }\n")

    real_write = writes.write_file

    def failing_write(conn, repo, source, *args, **kwargs):
        if source.rel_path == "a.ts":
            # Fail inside the file's transaction, after its old chunks were deleted.
            with conn.transaction():
                conn.execute("DELETE FROM chunks WHERE path = 'a.ts'")
                raise RuntimeError("disk on fire")
        return real_write(conn, repo, source, *args, **kwargs)

    monkeypatch.setattr(writes, "write_file", failing_write)
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert (summary.files_indexed, summary.files_failed) == (1, 1)
    assert "disk on fire" in summary.errors[0].message
    with database.connect() as conn:
        a_chunks = conn.execute("SELECT qualified_name FROM chunks WHERE path = 'a.ts' ORDER BY 1").fetchall()
        b_chunks = conn.execute("SELECT qualified_name FROM chunks WHERE path = 'b.ts'").fetchall()
    assert a_chunks == [("alpha",), ("beta",)]  # the old version survives, whole
    assert b_chunks == [("alsoChanged",)]
    assert [r for r in before if r[0] == "a.ts"] != []


def test_other_model_is_refused_without_full(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    with pytest.raises(IndexingError, match="re-run with --full"):
        index_repository(database, root, IndexOptions(name="r", model="some/other-model"), embedder=embedder)


def test_concurrent_run_on_same_repository_fails_clearly(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    with database.connect(autocommit=True) as holder:
        assert writes.try_lock_repository(holder, "r")
        with pytest.raises(IndexingError, match="being indexed by another process"):
            index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    # Lock released with its connection: the run now goes through.
    assert index_repository(database, root, IndexOptions(name="r"), embedder=embedder).files_indexed == 3


def _many_files(root: Path, n: int) -> Path:
    files = {}
    for i in range(n):
        body = "\n".join(f"export function f{i}_{j}(x: number): number {{ return x + {j}; }}" for j in range(8))
        files[f"m{i:03d}.ts"] = body + "\n"
    return write_tree(root, files)


def test_sigkill_mid_run_leaves_whole_files_and_rerun_matches_clean_run(
    tmp_path: Path, database_url: str, pg_server_uri: str, template_db: str, embedder
) -> None:
    root = _many_files(tmp_path / "repo", 120)
    env = {**os.environ, "MNEMO_DATABASE_URL": database_url}
    # 120 files of 8 functions: files commit in windows of 32 (256 chunks), so the kill lands
    # while later windows are being embedded or committed.
    cmd = [sys.executable, "-m", "mnemo", "index", str(root), "-r", "k", "--no-progress", "--no-graph"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    committed = 0
    deadline = time.time() + 120
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.time() < deadline and proc.poll() is None:
            committed = conn.execute("SELECT count(*) FROM files").fetchone()[0]
            if committed >= 8:
                break
            time.sleep(0.05)
    assert proc.poll() is None, f"run ended before it could be killed: {proc.stderr.read().decode()[-2000:]}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    database = Database(database_url)
    with database.connect() as conn:
        files, partial = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE f.chunk_count <> (SELECT count(*) FROM chunks c WHERE c.file_id = f.id)) "
            "FROM files f"
        ).fetchone()
        orphans = conn.execute("SELECT count(*) FROM chunks c WHERE c.file_id NOT IN (SELECT id FROM files)").fetchone()[0]
    assert 0 < files < 120 and partial == 0 and orphans == 0

    resumed = index_repository(database, root, IndexOptions(name="k"), embedder=embedder)
    assert resumed.files_unchanged == files and resumed.files_indexed == 120 - files
    with database.connect() as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM index_runs ORDER BY id")]
    assert statuses == ["interrupted", "succeeded"]

    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "clean_{os.getpid()}" TEMPLATE "{template_db}"')
    from mnemo.store.db import _with_database

    clean = Database(_with_database(pg_server_uri, f"clean_{os.getpid()}"))
    index_repository(clean, root, IndexOptions(name="k"), embedder=embedder)
    _assert_same_state(_state(database), _state(clean))


def test_a_failing_graph_phase_keeps_the_files_and_exits_1(tmp_path: Path, database: Database, embedder,
                                                           monkeypatch) -> None:
    from mnemo.graph import build as graph_build

    def broken(*args, **kwargs):
        raise RuntimeError("graph exploded")

    monkeypatch.setattr(graph_build, "build_graph", broken)
    root = write_tree(tmp_path / "repo", FILES)
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert summary.files_indexed == 3 and summary.exit_code == 1
    assert summary.graph is None and "graph exploded" in summary.graph_error
    with database.connect() as conn:
        assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == summary.chunks_written > 0


def _analyze_count(database: Database) -> int:
    with database.connect() as conn:
        conn.execute("SELECT pg_stat_clear_snapshot()")
        return conn.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'files'").fetchone()[0]


def test_statistics_are_refreshed_for_a_big_change_not_for_one_edit(tmp_path: Path, database: Database,
                                                                    embedder) -> None:
    """ANALYZE samples whole tables: a first index runs it, a one-file edit of a big index
    leaves it to autovacuum (it was most of an edit's refresh), a change of >= 10% runs it."""
    files = {f"pkg/m{i}.py": f"def f{i}(x):\n    return x + {i}\n" for i in range(30)}
    root = write_tree(tmp_path / "r", files)
    before = _analyze_count(database)
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    after_first = _analyze_count(database)
    assert after_first == before + 1

    (root / "pkg/m0.py").write_text("def f0(x):\n    return x - 1\n")
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert _analyze_count(database) == after_first  # 1 of 30 files

    for i in range(1, 5):  # 4 of 30 files: more than a tenth
        (root / f"pkg/m{i}.py").write_text(f"def f{i}(x):\n    return x * {i}\n")
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert _analyze_count(database) == after_first + 1

    with database.connect() as conn:  # the rule itself, on the analysed table of 30 files
        assert writes.refresh_statistics(conn, 2) is False
        assert writes.refresh_statistics(conn, 3) is True
