"""The graph phase against the real indexer and PostgreSQL: the seed's case, incremental runs,
cascades, metrics stored, `mnemo graph build`."""

from __future__ import annotations

import json
from pathlib import Path

from mnemo.cli import main
from mnemo.graph.build import build_graph, graph_is_current
from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

UTILS = "export function helper() {\n  return 1;\n}\n"
MAIN = "import { helper } from './utils';\nexport function main() { return helper(); }\n"


def nodes(database: Database) -> list[tuple]:
    with database.connect() as conn:
        return conn.execute("SELECT kind, path, qualified_name FROM graph_nodes ORDER BY kind, path, qualified_name").fetchall()


def edges(database: Database, *, types=("calls", "imports", "inherits", "implements")) -> list[tuple]:
    with database.connect() as conn:
        return conn.execute(
            """SELECT s.path || ':' || s.qualified_name, e.type, d.path || ':' || d.qualified_name, e.resolution
               FROM graph_edges e JOIN graph_nodes s ON s.id = e.src JOIN graph_nodes d ON d.id = e.dst
               WHERE e.type = ANY(%s) ORDER BY 1, 2, 3""",
            (list(types),),
        ).fetchall()


def test_seed_case_two_function_nodes_a_call_and_an_import(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {"utils.ts": UTILS, "main.ts": MAIN})
    summary = index_repository(database, root, IndexOptions(name="seed"), embedder=embedder)
    assert summary.graph["nodes"] == {"function": 2, "module": 2}
    assert [n for n in nodes(database) if n[0] != "module"] == [
        ("function", "main.ts", "main"), ("function", "utils.ts", "helper"),
    ]
    assert edges(database) == [
        ("main.ts:main", "calls", "utils.ts:helper", "import"),
        ("main.ts:main.ts", "imports", "utils.ts:utils.ts", "import"),
    ]
    assert summary.graph["calls"]["local_resolution_rate"] == 1.0
    assert summary.graph["isolated"]["function_class_isolated"] == 0


def test_incremental_runs_leave_a_correct_graph(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {
        "utils.ts": UTILS, "main.ts": MAIN,
        "extra.ts": "import { helper } from './utils';\nexport function extra() { return helper(); }\n",
    })
    index_repository(database, root, IndexOptions(name="inc"), embedder=embedder)
    assert len(edges(database, types=("calls",))) == 2

    # rename helper, delete extra.ts: no duplicate node, nothing pointing at deleted code
    (root / "utils.ts").write_text("export function assist() {\n  return 2;\n}\n")
    (root / "main.ts").write_text("import { assist } from './utils';\nexport function main() { return assist(); }\n")
    (root / "extra.ts").unlink()
    summary = index_repository(database, root, IndexOptions(name="inc"), embedder=embedder)
    assert summary.files_indexed == 2 and summary.files_removed == 1 and summary.graph is not None
    assert nodes(database) == [
        ("function", "main.ts", "main"), ("function", "utils.ts", "assist"),
        ("module", "main.ts", "main.ts"), ("module", "utils.ts", "utils.ts"),
    ]
    assert edges(database, types=("calls",)) == [("main.ts:main", "calls", "utils.ts:assist", "import")]
    with database.connect() as conn:
        dangling = conn.execute(
            """SELECT count(*) FROM graph_nodes n LEFT JOIN chunks c ON c.id = n.chunk_id
               WHERE n.kind <> 'module' AND c.id IS NULL"""
        ).fetchone()[0]
        total_rank, degree = conn.execute(
            "SELECT sum(pagerank), max(in_degree) FILTER (WHERE qualified_name = 'assist') FROM graph_nodes"
        ).fetchone()
    assert dangling == 0
    assert abs(total_rank - 1.0) < 1e-6 and degree == 1

    # an unchanged re-run keeps the current graph
    repo_id = summary.graph["repository_id"]
    assert graph_is_current(database, repo_id)
    again = index_repository(database, root, IndexOptions(name="inc"), embedder=embedder)
    assert again.files_indexed == 0 and again.graph is None


def test_deleted_chunks_take_their_nodes_and_edges_with_them(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {"utils.ts": UTILS, "main.ts": MAIN})
    index_repository(database, root, IndexOptions(name="cascade"), embedder=embedder)
    (root / "utils.ts").unlink()
    # index without the graph phase: the cascade alone must keep edges off deleted code
    index_repository(database, root, IndexOptions(name="cascade", build_graph=False), embedder=embedder)
    assert ("function", "utils.ts", "helper") not in nodes(database)
    assert edges(database) == []


def test_split_definition_is_one_node(tmp_path: Path, database: Database, embedder) -> None:
    body = "\n".join(f"  const v{i} = helper() + {i};" for i in range(900))
    root = write_tree(tmp_path / "repo", {
        "utils.ts": UTILS,
        "big.ts": f"import {{ helper }} from './utils';\nexport function big() {{\n{body}\n  return 0;\n}}\n",
    })
    index_repository(database, root, IndexOptions(name="split"), embedder=embedder)
    with database.connect() as conn:
        parts = conn.execute("SELECT count(*) FROM chunks WHERE name = 'big'").fetchone()[0]
        span = conn.execute("SELECT start_line, end_line FROM graph_nodes WHERE name = 'big'").fetchall()
    assert [n for n in nodes(database) if n[2] == "big"] == [("function", "big.ts", "big")]
    assert parts > 1 and span == [(2, 904)]
    assert ("big.ts:big", "calls", "utils.ts:helper", "import") in edges(database)


def test_graph_build_command(tmp_path: Path, database: Database, embedder, capsys) -> None:
    root = write_tree(tmp_path / "repo", {"utils.ts": UTILS, "main.ts": MAIN})
    index_repository(database, root, IndexOptions(name="cli", build_graph=False), embedder=embedder)
    assert nodes(database) == []
    assert main(["graph", "build", "cli", "--json", "--database-url", database.url]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["nodes"] == {"function": 2, "module": 2} and out["edges"]["calls"] == 1
    assert main(["graph", "stats", "--database-url", database.url]) == 0  # the only repository
    text = capsys.readouterr().out
    assert "function 2" in text and "calls 1" in text
    assert main(["graph", "build", "nope", "--database-url", database.url]) == 2


def test_build_graph_twice_gives_the_same_graph(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {"utils.ts": UTILS, "main.ts": MAIN})
    summary = index_repository(database, root, IndexOptions(name="twice"), embedder=embedder)
    before = (nodes(database), edges(database))
    stats = build_graph(database, summary.graph["repository_id"])
    assert (nodes(database), edges(database)) == before
    assert stats.nodes == summary.graph["nodes"] and stats.edges == summary.graph["edges"]


def test_empty_repository_builds_an_empty_graph(database: Database) -> None:
    with database.connect() as conn:
        repo_id = conn.execute(
            "INSERT INTO repositories (name, root, model, dimension) VALUES ('empty', '/nowhere', 'm', 384) RETURNING id"
        ).fetchone()[0]
        conn.commit()
    stats = build_graph(database, repo_id)
    assert stats.nodes == {} and stats.edges == {} and stats.pagerank["converged"]
    assert graph_is_current(database, repo_id)


def test_database_from_a_pre_release_schema_still_builds(database: Database, embedder) -> None:
    """A development database whose 0002 predates the 'local' label stores 'unresolved'."""
    from tests.fixtures.graph.cases import FIXTURES

    with database.connect() as conn:
        name = conn.execute(
            """SELECT conname FROM pg_constraint WHERE conrelid = 'graph_edges'::regclass AND contype = 'c'
               AND pg_get_constraintdef(oid) LIKE '%%structure%%'"""
        ).fetchone()[0]
        conn.execute(f"ALTER TABLE graph_edges DROP CONSTRAINT {name}")
        conn.execute(
            "ALTER TABLE graph_edges ADD CONSTRAINT old_labels CHECK (resolution IN ('scope', 'import', 'this', "
            "'qualified', 'same_file', 'unique_name', 'ambiguous', 'structure', 'external', 'builtin', 'unresolved'))"
        )
        conn.commit()
    index_repository(database, FIXTURES / "ts_scope", IndexOptions(name="old"), embedder=embedder)
    with database.connect() as conn:
        labels = {r[0] for r in conn.execute("SELECT resolution FROM graph_edges WHERE target = 'helper'")}
    assert labels == {"unresolved"}
