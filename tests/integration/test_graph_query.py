"""Graph questions (Python API and `mnemo graph` CLI) on a small indexed tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mnemo.cli import main
from mnemo.graph import query
from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store.db import Database
from mnemo.store.reads import UnknownRepository
from tests.integration.conftest import write_tree

TREE = {
    "src/a.ts": "import { b } from './b';\nexport function a() {\n  return b();\n}\n",
    "src/b.ts": "import { c } from './c';\nexport function b() {\n  return c();\n}\n",
    "src/c.ts": "export function c() {\n  return 1;\n}\n",
    "src/x/helper.ts": "export function helper() {\n  return 1;\n}\n",
    "src/y/helper.ts": "export function helper() {\n  return 2;\n}\n",
    "src/shapes.ts": (
        "export class Shape {\n  area(): number {\n    return 0;\n  }\n}\n\n"
        "export class Square extends Shape {\n  area(): number {\n    return super.area() + 1;\n  }\n}\n"
    ),
    "src/use.ts": (
        "import { helper } from './x/helper';\nimport { Square } from './shapes';\n\n"
        "export function use() {\n  console.log(helper());\n  return new Square();\n}\n"
    ),
}


@pytest.fixture
def repo(tmp_path: Path, database: Database, embedder) -> str:
    index_repository(database, write_tree(tmp_path / "repo", TREE), IndexOptions(name="q"), embedder=embedder)
    return "q"


def names(nodes) -> list[str]:
    return [f"{n.path}:{n.qualified_name}" for n in nodes]


def test_callers_and_callees(database: Database, repo: str) -> None:
    assert names(link.node for link in query.callers(database, repo, "c")) == ["src/b.ts:b"]
    assert names(link.node for link in query.callees(database, repo, "a")) == ["src/b.ts:b"]
    links = query.callees(database, repo, "use")
    assert [(link.node.qualified_name if link.node else link.target, link.resolution) for link in links] == [
        ("helper", "import"), ("Square", "import"), ("console.log", "builtin"),
    ]
    assert links[0].to_dict()["node"]["path"] == "src/x/helper.ts"


def test_impact_is_transitive_and_bounded_by_depth(database: Database, repo: str) -> None:
    near = query.impact(database, repo, "c", depth=1)
    assert [(r.depth, r.node.qualified_name) for r in near if r.node.kind != "module"] == [(1, "b")]
    far = query.impact(database, repo, "c", depth=3)
    found = {(r.depth, r.node.qualified_name, r.via) for r in far}
    assert {(1, "b", "calls"), (2, "a", "calls")} <= found
    module = {(r.depth, r.node.qualified_name, r.via) for r in query.impact(database, repo, "src/c.ts", depth=1)}
    assert {(1, "src/b.ts", "imports"), (1, "b", "calls")} <= module  # a module counts its definitions
    assert len(query.impact(database, repo, "c", depth=3, limit=1)) == 1


def test_impact_of_a_class_reaches_subclasses_and_callers_of_its_methods(database: Database, repo: str) -> None:
    reached = {r.node.qualified_name: r for r in query.impact(database, repo, "Shape", depth=2)}
    assert reached["Square"].via == "inherits"
    assert reached["Square.area"].via == "calls"  # super.area()


def test_path(database: Database, repo: str) -> None:
    result = query.path(database, repo, "a", "c")
    assert names(result.nodes) == ["src/a.ts:a", "src/b.ts:b", "src/c.ts:c"]
    assert [e["type"] for e in result.edges] == ["calls", "calls"]
    assert not query.path(database, repo, "c", "a").found
    assert not query.path(database, repo, "a", "c", max_depth=1).found


def test_top_and_stats(database: Database, repo: str) -> None:
    ranked = names(query.top(database, repo, by="pagerank", limit=50))
    assert ranked.index("src/c.ts:c") < ranked.index("src/b.ts:b") < ranked.index("src/a.ts:a")
    assert all(n.kind == "module" for n in query.top(database, repo, by="coupling"))
    assert all(n.kind == "class" for n in query.top(database, repo, by="degree", kind="class"))
    with pytest.raises(query.GraphQueryError, match="unknown metric"):
        query.top(database, repo, by="fame")
    data = query.stats(database, repo)
    assert data["nodes"]["function"] == 6 and data["nodes"]["class"] == 2 and data["module_nodes"] == 7
    assert data["edges"]["calls"] >= 4 and data["edges_by_resolution"]["calls"]["import"] >= 4
    assert 0 <= data["isolated"]["function_class_isolated_share"] < 1
    assert data["calls"]["local_resolution_rate"] > 0.5


def test_names_paths_lines_and_ids(database: Database, repo: str) -> None:
    assert len(query.find_nodes(database, repo, "helper")) == 2
    with pytest.raises(query.AmbiguousName) as caught:
        query.callers(database, repo, "helper")
    assert sorted(c.path for c in caught.value.candidates) == ["src/x/helper.ts", "src/y/helper.ts"]
    assert names(query.find_nodes(database, repo, "x/helper.ts:helper")) == ["src/x/helper.ts:helper"]
    assert names(query.find_nodes(database, repo, "src/shapes.ts:9")) == ["src/shapes.ts:Square.area"]
    assert names(query.find_nodes(database, repo, "Square.area")) == ["src/shapes.ts:Square.area"]
    node = query.get_node(database, repo, "c")
    assert query.get_node(database, repo, node.id) == node == query.get_node(database, repo, f"#{node.id}")
    assert query.find_nodes(database, repo, "src/c.ts")[0].kind == "module"
    with pytest.raises(query.UnknownName):
        query.callers(database, repo, "nothing_like_this")
    with pytest.raises(query.UnknownNode):
        query.callers(database, repo, 99999999)
    with pytest.raises(UnknownRepository):
        query.callers(database, "missing", "c")


def test_views_for_the_ui(database: Database, repo: str) -> None:
    b = query.get_node(database, repo, "b")
    around = query.neighbourhood(database, repo, b.id, depth=1)
    around_names = {f"{n['path']}:{n['qualified_name']}" for n in around["nodes"]}
    assert {"src/a.ts:a", "src/b.ts:b", "src/c.ts:c"} <= around_names and around["center"] == b.id
    ids = {n["id"] for n in around["nodes"]}
    assert all(e["src"] in ids and e["dst"] in ids for e in around["edges"])
    assert len(query.neighbourhood(database, repo, b.id, depth=3, limit=2)["nodes"]) <= 2
    with pytest.raises(query.UnknownNode):
        query.neighbourhood(database, repo, 99999999)

    view = query.overview(database, repo, limit=20)
    assert {n["kind"] for n in view["nodes"]} <= {"function", "method", "class", "interface"}
    assert any(e["type"] == "calls" for e in view["edges"])

    modules = query.module_graph(database, repo)
    by_id = {n["id"]: n["path"] for n in modules["nodes"]}
    pairs = {(by_id[e["src"]], by_id[e["dst"]]): e for e in modules["edges"]}
    assert pairs[("src/a.ts", "src/b.ts")]["imports"] and pairs[("src/a.ts", "src/b.ts")]["calls"] == 1


def test_cli_questions(database: Database, repo: str, capsys) -> None:
    db = ["--database-url", database.url]
    assert main(["graph", "callers", "c", "-r", repo, *db]) == 0
    out = capsys.readouterr().out
    assert "src/c.ts:1  c  (function)" in out and "src/b.ts:2  b  (function)" in out

    assert main(["graph", "callers", "helper", *db]) == 2
    err = capsys.readouterr().err
    assert "src/x/helper.ts:1  helper  (function)" in err and "src/y/helper.ts:1" in err
    assert main(["graph", "callees", "helper", "--json", *db]) == 2
    assert len(json.loads(capsys.readouterr().out)["candidates"]) == 2

    assert main(["graph", "impact", "c", "--depth", "2", "--json", *db]) == 0
    impact = json.loads(capsys.readouterr().out)
    assert {r["node"]["qualified_name"] for r in impact["impact"]} >= {"a", "b"}

    assert main(["graph", "path", "a", "c", *db]) == 0
    assert "--calls--> src/c.ts:1  c  (function)" in capsys.readouterr().out
    assert main(["graph", "top", "--by", "complexity", "--json", "-n", "3", *db]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    assert main(["graph", "stats", repo, "--json", *db]) == 0
    assert json.loads(capsys.readouterr().out)["repository"] == repo
    assert main(["graph", "callers", "nothing_like_this", *db]) == 2
    with pytest.raises(SystemExit):  # argparse refuses a depth over the bound
        main(["graph", "impact", "c", "--depth", "99", *db])
