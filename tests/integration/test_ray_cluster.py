"""Distributed indexing on a real two-node Ray cluster on this machine (a head node process and
one more worker node process, one CPU each) into the shared embedded PostgreSQL reached by URL.

What must hold: a manifest of three repositories (a directory, a relative directory, a git URL
pinned to a tag) indexed on Ray leaves exactly the rows that indexing them one by one in this
process leaves — files, chunks (vectors within 1e-4), graph nodes, edges and metrics, runs and
their errors; a worker killed mid-run loses nothing committed, leaves no partial file, and the
run still completes; Ctrl-C leaves whole files and an interrupted run, and the re-run finishes.
"""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import subprocess
from pathlib import Path

import numpy as np
import psycopg
import pytest

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store import db as dbmod
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.slow  # a two-node Ray cluster and a model per worker: ~1-3 minutes

from mnemo.distributed.driver import ClusterIndexer, ClusterOptions  # noqa: E402
from mnemo.distributed.manifest import read_manifest  # noqa: E402

FIXTURES = Path(__file__).resolve().parents[1]
_counter = itertools.count()


@pytest.fixture(scope="module")
def ray_cluster():
    """A head node and one more worker node, as separate raylet processes, one CPU each."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False})
    cluster.add_node(num_cpus=1)
    ray.init(address=cluster.address, log_to_driver=False, configure_logging=False)
    try:
        cluster.wait_for_nodes()
        yield cluster
    finally:
        ray.shutdown()
        cluster.shutdown()


def _fresh_url(pg_server_uri: str, template_db: str) -> str:
    name = f"mnemo_ray{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    return dbmod._with_database(pg_server_uri, name)


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def _git_fixture(tmp_path: Path) -> tuple[str, Path]:
    """The graph fixtures as a git repository: tag v1, then a later commit the manifest must NOT see.
    Returns the URL and a plain checkout of v1 for the single-process baseline."""
    src = tmp_path / "graph.git-src"
    shutil.copytree(FIXTURES / "fixtures" / "graph", src)
    _git(src, "init", "-q", "-b", "main")
    _git(src, "add", "-A")
    _git(src, "commit", "-qm", "v1")
    _git(src, "tag", "v1")
    (src / "late.py").write_text("def only_after_v1():\n    return 1\n")
    _git(src, "add", "-A")
    _git(src, "commit", "-qm", "after v1")
    baseline = tmp_path / "graph-v1"
    _git(tmp_path, "clone", "-q", str(src), str(baseline))
    _git(baseline, "checkout", "-q", "v1")
    return f"file://{src}", baseline


def _dump(url: str) -> dict[str, list[tuple]]:
    """Every row a run leaves, keyed by content (ids differ between databases), sorted."""
    queries = {
        "repositories": "SELECT name, model, dimension FROM repositories",
        "files": "SELECT r.name, f.path, f.language, f.content_hash, f.failed_hash, f.size_bytes, f.status, "
                 "f.last_error, f.imports::text, f.exports::text, f.module_calls::text, f.chunk_count "
                 "FROM files f JOIN repositories r ON r.id = f.repository_id",
        "chunks": "SELECT r.name, c.path, c.language, c.kind, c.name, c.qualified_name, c.signature, c.docstring, "
                  "c.source, c.start_line, c.end_line, c.metadata::text, c.search_tsv::text, c.embedding "
                  "FROM chunks c JOIN repositories r ON r.id = c.repository_id",
        "nodes": "SELECT r.name, n.kind, n.name, n.qualified_name, n.parent, n.exported, n.path, n.language, "
                 "n.start_line, n.end_line, n.loc, n.complexity, n.in_degree, n.out_degree, n.afferent, "
                 "n.efferent, n.instability, c.qualified_name, c.start_line, n.pagerank "
                 "FROM graph_nodes n JOIN repositories r ON r.id = n.repository_id "
                 "LEFT JOIN chunks c ON c.id = n.chunk_id",
        "edges": "SELECT r.name, s.kind, s.path, s.qualified_name, s.start_line, d.kind, d.path, d.qualified_name, "
                 "d.start_line, e.type, e.resolution, e.confidence, e.target, e.line, e.sites "
                 "FROM graph_edges e JOIN repositories r ON r.id = e.repository_id "
                 "JOIN graph_nodes s ON s.id = e.src LEFT JOIN graph_nodes d ON d.id = e.dst",
        "graph_builds": "SELECT r.name, g.node_count, g.edge_count, "
                        "(g.stats - 'timings' - 'duration_s' - 'repository_id')::text "
                        "FROM graph_builds g JOIN repositories r ON r.id = g.repository_id",
        "runs": "SELECT r.name, i.mode, i.status, i.files_seen, i.files_indexed, i.files_unchanged, i.files_removed, "
                "i.files_failed, i.chunks_written FROM index_runs i JOIN repositories r ON r.id = i.repository_id",
        "errors": "SELECT r.name, e.path, e.line, e.col, e.severity, e.message "
                  "FROM index_errors e JOIN repositories r ON r.id = e.repository_id",
    }
    out = {}
    with dbmod.connect(url) as conn:
        for table, sql in queries.items():
            rows = [tuple(v.to_numpy() if hasattr(v, "to_numpy") else v for v in row)
                    for row in conn.execute(sql).fetchall()]
            out[table] = sorted(rows, key=lambda row: tuple(repr(v) for v in row if not isinstance(v, (np.ndarray, float))))
    return out


def _assert_same_rows(ray_rows: dict[str, list[tuple]], local_rows: dict[str, list[tuple]]) -> None:
    for table in local_rows:
        a, b = ray_rows[table], local_rows[table]
        assert len(a) == len(b), f"{table}: {len(a)} rows on Ray, {len(b)} in one process"
        for x, y in zip(a, b):
            for i, (u, v) in enumerate(zip(x, y)):
                if isinstance(v, np.ndarray):
                    assert np.allclose(u, v, atol=1e-4), f"{table}: vector differs in {y[:6]}"
                elif isinstance(v, float):
                    assert u == pytest.approx(v, rel=1e-6, abs=1e-9), f"{table}: column {i} differs in {y}"
                else:
                    assert u == v, f"{table}: column {i} differs: {u!r} != {v!r} in {y[:6]}"


def _assert_whole_files(url: str) -> None:
    """No partial file: each stored file has exactly the chunks its row announces."""
    with dbmod.connect(url) as conn:
        bad = conn.execute(
            "SELECT f.path, f.chunk_count, count(c.id) FROM files f LEFT JOIN chunks c ON c.file_id = f.id "
            "WHERE f.status <> 'failed' GROUP BY f.id HAVING f.chunk_count <> count(c.id)"
        ).fetchall()
    assert bad == []


def test_manifest_on_ray_leaves_the_rows_of_one_process(
    ray_cluster, tmp_path: Path, pg_server_uri: str, template_db: str, embedder
) -> None:
    url, graph_v1 = _git_fixture(tmp_path)
    shutil.copytree(FIXTURES / "api" / "fixture_repo", tmp_path / "manifests" / "fixture_repo")
    manifest = tmp_path / "manifests" / "repos.txt"
    manifest.write_text(
        "# three repositories: a directory, a relative directory, a git URL pinned to a tag\n"
        f"{FIXTURES / 'fixtures' / 'search' / 'corpus'}  corpus\n"
        "fixture_repo\n"
        "\n"
        f"{url}@v1 graph   # the tag, not main\n"
    )
    specs = read_manifest(manifest)
    assert [(s.name, s.revision) for s in specs] == [("corpus", None), ("fixture_repo", None), ("graph", "v1")]

    ray_url = _fresh_url(pg_server_uri, template_db)
    indexer = ClusterIndexer(Database.open(ray_url), specs, IndexOptions(),
                             ClusterOptions(batch_files=4, checkouts=tmp_path / "checkouts"))
    summary = indexer.run()

    local_url = _fresh_url(pg_server_uri, template_db)
    local = Database.open(local_url)
    roots = {"corpus": FIXTURES / "fixtures" / "search" / "corpus",
             "fixture_repo": tmp_path / "manifests" / "fixture_repo", "graph": graph_v1}
    local_summaries = {name: index_repository(local, root, IndexOptions(name=name), embedder=embedder)
                       for name, root in roots.items()}

    by_name = {s.repository: s for s in summary.repositories}
    for name, expected in local_summaries.items():
        got = by_name[name]
        assert (got.status, got.counts(), got.files_skipped) == (expected.status, expected.counts(),
                                                                 expected.files_skipped), name
        assert got.graph is not None and got.graph["nodes"] == expected.graph["nodes"]
    assert any(s.warnings or s.errors for s in local_summaries.values())  # src/broken.ts is in there
    assert summary.exit_code == max(s.exit_code for s in local_summaries.values())
    assert len(summary.workers) == 2 and all(w["files"] > 0 for w in summary.workers), summary.workers
    assert len({w["pid"] for w in summary.workers}) == 2

    ray_rows, local_rows = _dump(ray_url), _dump(local_url)
    assert not any("only_after_v1" in row[5] for row in ray_rows["chunks"] if row[0] == "graph")
    assert len(ray_rows["chunks"]) > 50 and len(ray_rows["edges"]) > 50
    _assert_same_rows(ray_rows, local_rows)
    _assert_whole_files(ray_url)

    # A re-run on Ray writes nothing and leaves the same rows.
    again = ClusterIndexer(Database.open(ray_url), specs, IndexOptions(),
                           ClusterOptions(batch_files=4, checkouts=tmp_path / "checkouts")).run()
    assert sum(s.files_indexed for s in again.repositories) == 0
    assert sum(s.files_unchanged for s in again.repositories) == sum(s.files_seen for s in summary.repositories)
    rows_after = _dump(ray_url)
    del rows_after["runs"], ray_rows["runs"]
    _assert_same_rows(rows_after, ray_rows)


def _many_files(root: Path, n: int = 48) -> Path:
    files = {
        f"src/m{i:03d}.ts": (
            f"import {{ helper{(i + 1) % n} }} from './m{(i + 1) % n:03d}';\n"
            f"/** step {i} of the pipeline */\nexport function helper{i}(x: number): number {{\n"
            f"  return x > {i} ? helper{(i + 1) % n}(x - 1) : x * {i};\n}}\n"
            f"export class Stage{i} {{\n  run(v: number) {{ return helper{i}(v) + {i}; }}\n}}\n"
        )
        for i in range(n)
    }
    return write_tree(root, files)


class _Trigger:
    """A progress sink that does something once, after `after` files came back."""

    def __init__(self, after: int, action) -> None:
        self.after, self.action, self.files, self.fired = after, action, 0, False

    def start(self, repositories, workers): ...
    def add_files(self, repository, files): ...
    def status(self, repository, status): ...
    def close(self): ...

    def advance(self, repository, files, chunks):
        self.files += files
        if not self.fired and self.files >= self.after:
            self.fired = True
            self.action()


def test_a_killed_worker_loses_nothing_and_the_run_completes(
    ray_cluster, tmp_path: Path, pg_server_uri: str, template_db: str, embedder
) -> None:
    root = _many_files(tmp_path / "many")
    specs = read_manifest(write_tree(tmp_path, {"repos.txt": f"{root} many\n"}) / "repos.txt")
    ray_url = _fresh_url(pg_server_uri, template_db)
    killed: list[int] = []

    def kill_a_worker() -> None:
        pid = indexer.workers[0].info["pid"]
        os.kill(pid, signal.SIGKILL)  # as the OOM killer or a lost machine would
        killed.append(pid)

    indexer = ClusterIndexer(Database.open(ray_url), specs, IndexOptions(),
                             ClusterOptions(batch_files=4), progress=_Trigger(4, kill_a_worker))
    summary = indexer.run()
    assert killed and summary.workers_lost == 1 and summary.batches_retried >= 1
    (s,) = summary.repositories
    assert s.status == "succeeded" and s.files_indexed == 48 and s.files_failed == 0
    assert killed[0] not in {w["pid"] for w in summary.workers}
    _assert_whole_files(ray_url)

    local_url = _fresh_url(pg_server_uri, template_db)
    index_repository(Database.open(local_url), root, IndexOptions(name="many"), embedder=embedder)
    _assert_same_rows(_dump(ray_url), _dump(local_url))

    again = ClusterIndexer(Database.open(ray_url), specs, IndexOptions(), ClusterOptions(batch_files=4)).run()
    (s2,) = again.repositories
    assert (s2.status, s2.files_unchanged, s2.files_indexed, again.exit_code) == ("succeeded", 48, 0, 0)


def test_ctrl_c_keeps_whole_files_and_a_rerun_finishes(
    ray_cluster, tmp_path: Path, pg_server_uri: str, template_db: str, embedder
) -> None:
    root = _many_files(tmp_path / "many")
    specs = read_manifest(write_tree(tmp_path, {"repos.txt": f"{root} many\n"}) / "repos.txt")
    ray_url = _fresh_url(pg_server_uri, template_db)

    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ClusterIndexer(Database.open(ray_url), specs, IndexOptions(), ClusterOptions(batch_files=4),
                       progress=_Trigger(4, interrupt)).run()
    _assert_whole_files(ray_url)
    with dbmod.connect(ray_url) as conn:
        stored = conn.execute("SELECT count(*) FROM files").fetchone()[0]
        (status,) = conn.execute("SELECT status FROM index_runs").fetchone()
    assert status == "interrupted" and 4 <= stored < 48

    again = ClusterIndexer(Database.open(ray_url), specs, IndexOptions(), ClusterOptions(batch_files=4)).run()
    (s,) = again.repositories
    assert s.status == "succeeded" and s.files_indexed + s.files_unchanged == 48 and s.files_unchanged >= 4
    _assert_whole_files(ray_url)
    local_url = _fresh_url(pg_server_uri, template_db)
    index_repository(Database.open(local_url), root, IndexOptions(name="many"), embedder=embedder)
    ray_rows, local_rows = _dump(ray_url), _dump(local_url)
    del ray_rows["runs"], local_rows["runs"]
    _assert_same_rows(ray_rows, local_rows)
