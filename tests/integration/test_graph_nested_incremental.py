"""Nested functions are graph nodes made from facts (no chunk): an incremental update that
re-indexes a file with nested functions rebuilds them with the file, and the graph equals a full
rebuild after each edit (added, removed and renamed nested functions; calls moved between the
outer and the nested function; a caller in another, unchanged file)."""

from __future__ import annotations

from pathlib import Path

from mnemo.graph.build import build_graph
from mnemo.graph.incremental import update_graph
from mnemo.pipeline import IndexOptions, index_repository
from tests.agents.test_incremental_graph import _snapshot
from tests.integration.conftest import write_tree

OPS = (
    "export function outer(x: number) {\n  function inner(y: number) { return helper(y); }\n"
    "  const arrow = () => inner(x);\n  return arrow() + helper(x);\n}\n"
    "export function helper(v: number) { return v; }\n"
    "export function factory() {\n  const run = () => helper(1);\n  return { run };\n}\n"
)
USE = "import { outer, factory } from './ops';\nexport function use() {\n  factory().run();\n  return outer(1);\n}\n"
PY = (
    "def outer(x):\n    def inner(y):\n        return helper(y)\n\n    return inner(x) + helper(x)\n\n\n"
    "def helper(v):\n    return v\n"
)
EDITS = [
    ("ops.ts", lambda s: s.replace("function inner(y: number) { return helper(y); }",
                                   "function inner(y: number) { return y; }\n  function extra() { return helper(2); }")),
    ("ops.ts", lambda s: s.replace("const arrow = () => inner(x);", "const arrow = () => extra();")),
    ("ops.py", lambda s: s.replace("def inner(y):\n        return helper(y)", "def renamed(y):\n        return y")
                         .replace("return inner(x)", "return renamed(x)")),
    ("ops.ts", lambda s: s.replace("const run = () => helper(1);\n  return { run };", "return { run: () => 1 };")),
]


def test_nested_functions_update_incrementally_like_a_full_build(tmp_path: Path, database, embedder) -> None:
    root = write_tree(tmp_path / "tree", {"ops.ts": OPS, "use.ts": USE, "ops.py": PY})
    ids = {}
    for name in ("inc", "full"):
        index_repository(database, root, IndexOptions(name=name, build_graph=False), embedder=embedder)
        with database.connect() as conn:
            ids[name] = conn.execute("SELECT id FROM repositories WHERE name = %s", (name,)).fetchone()[0]
        build_graph(database, ids[name])
    nodes, _, edges = _snapshot(database, "inc")
    assert any(key[2] == "outer.inner" for key in nodes)  # (path, kind, qualified_name, …)
    for step, (path, edit) in enumerate(EDITS):
        (root / path).write_text(edit((root / path).read_text()))
        for name in ("inc", "full"):
            index_repository(database, root, IndexOptions(name=name, build_graph=False), embedder=embedder)
        stats = update_graph(database, ids["inc"])
        assert stats.calls.get("update") == "incremental", step
        build_graph(database, ids["full"])
        inc_nodes, _, inc_edges = _snapshot(database, "inc")
        full_nodes, _, full_edges = _snapshot(database, "full")
        assert inc_nodes == full_nodes, f"step {step}: nodes differ"
        assert inc_edges == full_edges, (
            f"step {step}: only incremental {list(inc_edges - full_edges)[:4]}, only full {list(full_edges - inc_edges)[:4]}")
