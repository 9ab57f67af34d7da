"""Wrappers below what they wrap (search.rank.wrappers), through the real indexer, graph and
PostgreSQL: a layer that extends or forwards to a same-named definition of another file is read
from the graph, and the definition that does the work ranks first."""

from __future__ import annotations

from pathlib import Path

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.search import fetch_wrappers, search
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

CORE = """\
/** An error holding the issues of a failed parse, with their paths and messages. */
export class $ZodError {
  issues: string[] = [];
  format(): string {
    return this.issues.join("\\n");
  }
}

export function _optional(schema: unknown) {
  return { kind: "optional", inner: schema };
}
"""

CLASSIC = """\
import { $ZodError, _optional } from "../core/errors";

/** An error holding the issues of a failed parse, with their paths and messages. */
export class ZodError extends $ZodError {
  flatten(): string[] {
    return this.issues;
  }
}

export function optional(schema: unknown) {
  return _optional(schema);
}

export function required(schema: unknown) {
  return { kind: "required", inner: schema };
}
"""


def test_a_same_named_layer_over_another_file_ranks_below_the_definition_it_wraps(
        tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "lib", {"core/errors.ts": CORE, "classic/errors.ts": CLASSIC})
    summary = index_repository(database, root, IndexOptions(name="lib"), embedder=embedder)
    assert summary.exit_code == 0

    with database.connect() as conn:
        ids = dict(conn.execute("SELECT path || ':' || name, id FROM chunks").fetchall())
        wrapping = fetch_wrappers(conn, list(ids.values()))
    # `ZodError extends $ZodError` and `optional` forwarding to `_optional` are layers; the
    # definitions they wrap and `required` (no same-named callee) are not
    assert wrapping == {ids["classic/errors.ts:ZodError"], ids["classic/errors.ts:optional"]}

    top = search(database, "ZodError", repositories=["lib"], mode="hybrid", limit=3, embedder=embedder, explain=True)
    assert (top[0].file_path, top[0].name) == ("core/errors.ts", "$ZodError"), [(r.file_path, r.name) for r in top]
    layer = next(r for r in top if r.name == "ZodError")
    assert layer.rules["wrapper_penalty"] < 1.0

    # switched off, the exact name wins again: the order above is the rule's doing
    off = search(database, "ZodError", repositories=["lib"], mode="hybrid", limit=3, embedder=embedder,
                 ranking={"wrapper_penalty": 1.0, "tier_wrapper": 0.0})
    assert (off[0].file_path, off[0].name) == ("classic/errors.ts", "ZodError")

    # lexical mode makes no graph query: the rule is not applied there
    lexical = search(database, "ZodError", repositories=["lib"], mode="lexical", limit=3, explain=True)
    assert all("wrapper_penalty" not in r.rules for r in lexical)
