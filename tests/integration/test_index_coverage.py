"""Coverage through the real indexer, PostgreSQL, graph and search: module-level code is found by
a query, assignment-style JavaScript definitions are chunks and graph nodes, and `this.` calls on
their owners resolve."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.search import search
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "assignments"

CONFIG_TS = """\
import { readFileSync } from "fs";

export const RETRY_BACKOFF_MS = 250;
export const QUEUE_ENDPOINTS = {
  billing: "https://queue.internal/billing",
  shipping: "https://queue.internal/shipping",
};

export function loadConfig(path: string) {
  return JSON.parse(readFileSync(path, "utf8"));
}
"""


def test_module_level_constants_are_found_by_lexical_and_hybrid_search(tmp_path: Path, database: Database,
                                                                        embedder) -> None:
    root = write_tree(tmp_path / "repo", {"src/config.ts": CONFIG_TS})
    summary = index_repository(database, root, IndexOptions(name="coverage"), embedder=embedder)
    assert summary.files_indexed == 1 and summary.chunks_written == 2

    for mode in ("lexical", "hybrid"):
        results = search(database, "QUEUE_ENDPOINTS shipping", repositories=["coverage"], mode=mode,
                         embedder=embedder)
        top = results[0]
        assert (top.kind, top.name, top.file_path, top.start_line, top.end_line) == (
            "module", "config.ts", "src/config.ts", 1, 7,
        ), mode
    kinds = search(database, "RETRY_BACKOFF_MS", repositories=["coverage"], mode="lexical", kind="module",
                   embedder=embedder)
    assert [r.kind for r in kinds] == ["module"]
    with database.connect() as conn:
        signature = conn.execute("SELECT signature FROM chunks WHERE kind = 'module'").fetchone()[0]
    assert signature == "RETRY_BACKOFF_MS, QUEUE_ENDPOINTS, billing, shipping"  # the import lists nothing


def test_assignment_style_definitions_are_nodes_and_this_calls_resolve(tmp_path: Path, database: Database,
                                                                      embedder) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURES, root)
    summary = index_repository(database, root, IndexOptions(name="express-like"), embedder=embedder)
    assert summary.files_failed == 0 and summary.graph_error is None

    with database.connect() as conn:
        node_rows = conn.execute(
            "SELECT path, kind, qualified_name, chunk_id IS NOT NULL, start_line, end_line FROM graph_nodes "
            "WHERE kind <> 'module' ORDER BY path, start_line, qualified_name"
        ).fetchall()
        call_rows = conn.execute(
            """SELECT s.qualified_name, d.qualified_name, e.resolution FROM graph_edges e
               JOIN graph_nodes s ON s.id = e.src JOIN graph_nodes d ON d.id = e.dst
               WHERE e.type = 'calls' ORDER BY 1, 2"""
        ).fetchall()
        contains = conn.execute(
            """SELECT s.qualified_name, d.qualified_name FROM graph_edges e
               JOIN graph_nodes s ON s.id = e.src JOIN graph_nodes d ON d.id = e.dst
               WHERE e.type = 'contains' AND s.kind = 'class' ORDER BY 1, 2"""
        ).fetchall()
    nodes = {(path, qname): (kind, has_chunk, start, end) for path, kind, qname, has_chunk, start, end in node_rows}

    # every assignment-style definition is a node with its chunk
    for path, qname in [
        ("application.js", "app.init"), ("application.js", "app.set"), ("application.js", "app.handle"),
        ("router.js", "Router.route"), ("router.js", "Route.dispatch"), ("request.js", "req.host"),
        ("request.js", "req.protocol"), ("handlers.js", "handlers.onOpen"), ("handlers.js", "start"),
        ("legacy.js", "write"),
    ]:
        assert nodes[(path, qname)][0] in ("method", "function") and nodes[(path, qname)][1], (path, qname)
    # a constructor function with prototype members is a class chunk; plain objects get an owner
    # node without a chunk, spanning their methods
    assert nodes[("router.js", "Router")] == ("class", True, 5, 9)
    assert nodes[("application.js", "app")] == ("class", False, 3, 17)
    assert nodes[("request.js", "req")] == ("class", False, 5, 22)
    assert ("app", "app.set") in contains and ("handlers", "handlers.onClose") in contains

    assert ("app.init", "app.defaultConfiguration", "this") in call_rows
    assert ("app.defaultConfiguration", "app.set", "this") in call_rows
    assert ("app.handle", "app.set", "qualified") in call_rows  # app.set(...) by the owner's name
    assert ("Router.handle", "Router.route", "this") in call_rows
    assert ("Route.dispatch", "Route.match", "this") in call_rows
    assert ("start", "handlers.onOpen", "qualified") in call_rows


MIXED_TS = "export function ok(a: number) { return a + 1; }\n\nfunction broken( {\n  return ;;; {{\n"


def test_cli_tolerant_by_default_strict_on_request(tmp_path: Path, database: Database, capsys) -> None:
    from mnemo.cli import main

    root = write_tree(tmp_path / "repo", {"mixed.ts": MIXED_TS, "garbage.ts": "this is not valid typescript {{{"})
    common = ["--no-progress", "--no-graph", "--json", "--database-url", database.url]

    assert main(["index", str(root), "-r", "cli-strict", "--strict", *common]) == 1
    strict = json.loads(capsys.readouterr().out)
    assert strict["files_failed"] == 2 and strict["chunks_written"] == 0
    assert sorted((e["path"], e["line"], e["column"]) for e in strict["errors"]) == [
        ("garbage.ts", 1, 1), ("mixed.ts", 3, 1),
    ]

    # default: the mixed file is partial (exit 0 for it); the garbage file still fails (exit 1)
    assert main(["index", str(root), "-r", "cli-tolerant", *common]) == 1
    tolerant = json.loads(capsys.readouterr().out)
    assert (tolerant["files_indexed"], tolerant["files_failed"], tolerant["chunks_written"]) == (1, 1, 2)
    assert [(e["path"], e["line"], e["column"], e["severity"]) for e in tolerant["warnings"]] == [
        ("mixed.ts", 3, 1, "warning"),
    ]
    assert [(e["path"], e["line"]) for e in tolerant["errors"]] == [("garbage.ts", 1)]

    # --allow-partial, the former opt-in, is still accepted and changes nothing
    assert main(["index", str(root), "-r", "cli-alias", "--allow-partial", *common]) == 1
    assert json.loads(capsys.readouterr().out)["files_indexed"] == 1

    assert main(["runs", "cli-tolerant", "--database-url", database.url]) == 0
    text = capsys.readouterr().out
    assert "warning: mixed.ts:3:1: syntax error" in text and "error: garbage.ts:1:1: syntax error" in text
