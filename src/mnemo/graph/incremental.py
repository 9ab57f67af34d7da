"""Incremental graph update: after a run that changed a few files, re-resolve only what those
changes can reach, instead of rebuilding the whole graph. The result equals a full rebuild
(tests/agents/test_incremental_graph.py applies a seeded random sequence of edits, renames,
additions and deletions and compares both after every step).

What changed: files indexed after the last build (indexed_at > built_at) and paths the last
build knew (graph_file_names, migration 0009) that are gone. Their old nodes are already gone
(chunks cascade to graph_nodes), so what they used to define comes from graph_file_names.

What must be re-resolved — the *affected* files, a superset of the files whose edges can differ:
  * the changed files themselves;
  * every file whose calls name (by their last component) a name a changed file defines now or
    defined before: a new definition can capture a call (scope, unique name, ambiguity), a
    removed one can orphan it, whatever the resolution path (imports, re-exports, `this`,
    qualified names, guesses);
  * every file whose classes name such a name as a base or interface, then every file with an
    inherits/implements edge into an affected file, to a fixed point (overrides follow bases);
  * every file with an edge into a changed file's surviving nodes (its module), and every file
    whose import specifiers mention a changed file's stem (default exports, aliases, index files,
    new or deleted modules).
Unaffected files keep their nodes (ids included) and edges. The symbol table is rebuilt from the
stored rows of ALL files (names, imports, exports: no source), because resolution needs it; the
expensive part — streaming call sites with their source and resolving them — runs for the
affected files only, through the same per-file units the full build uses (`caller_scope`,
`resolve_calls`, `structure_edges`). Metrics (PageRank, degrees, coupling) are recomputed from
the stored edges, as in a full build.

When the update would not pay (no previous build, no names recorded, more than
`FULL_REBUILD_SHARE` of the files affected) it runs the full build instead, and says so.
"""

from __future__ import annotations

import posixpath
import time
from itertools import groupby
from typing import Any

import psycopg

from mnemo.graph import build, metrics
from mnemo.graph.build import GraphStats, _phase
from mnemo.graph.resolve import (
    NODE_KINDS,
    CallStats,
    Definition,
    EdgeSet,
    Module,
    Resolver,
    SymbolTable,
    caller_scope,
    nested_definitions,
    resolve_calls,
    structure_edges,
)
from mnemo.store.db import Database

FULL_REBUILD_SHARE = 0.3  # affected files above this share of the repository: rebuild everything
_MAX_CLOSURE_ROUNDS = 20


def record_names(conn: psycopg.Connection, repository_id: int, paths: list[str] | None = None) -> None:
    """Remember what each file (or each of `paths`) defines now, for the next update."""
    if not _has_names_table(conn):
        return
    if paths is None:
        conn.execute("DELETE FROM graph_file_names WHERE repository_id = %s", (repository_id,))
        where, params = "", (repository_id, repository_id)
    else:
        conn.execute("DELETE FROM graph_file_names WHERE repository_id = %s AND path = ANY(%s)",
                     (repository_id, paths))
        where, params = "AND f.path = ANY(%s)", (repository_id, repository_id, paths)
    conn.execute(
        f"""INSERT INTO graph_file_names (repository_id, path, names)
            SELECT %s, f.path, coalesce(array_agg(DISTINCT c.name) FILTER (WHERE c.name IS NOT NULL), '{{}}')
            FROM files f LEFT JOIN chunks c ON c.file_id = f.id AND c.kind = ANY(%s)
            WHERE f.repository_id = %s {where}
            GROUP BY f.path""",
        (params[0], list(NODE_KINDS), *params[1:]),
    )


def _has_names_table(conn: psycopg.Connection) -> bool:
    return bool(conn.execute("SELECT to_regclass('graph_file_names') IS NOT NULL").fetchone()[0])


def update_graph(database: Database, repository_id: int) -> GraphStats:
    """Bring the repository's graph up to date with its stored files (see the module docstring)."""
    started = time.perf_counter()
    with database.connect() as conn:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (build._GRAPH_LOCK, repository_id))
            plan = _plan(conn, repository_id)
        if plan is None:
            stats = build.build_graph(database, repository_id)
            stats.calls["update"] = "full"
            return stats
    try:
        return _apply(database, repository_id, started)
    except _TooMuch:
        reason = None
    except Exception as exc:  # noqa: BLE001 - never leave a half-updated graph: rebuild it all
        reason = f"{type(exc).__name__}: {exc}"
    stats = build.build_graph(database, repository_id)
    stats.calls["update"] = "full"
    if reason:
        stats.calls["incremental_failed"] = reason
    return stats


class _TooMuch(Exception):
    """So many files are affected that the full build is cheaper (rolls the update back)."""


def _plan(conn: psycopg.Connection, repository_id: int) -> dict[str, Any] | None:
    """None when a full build is due; else what changed."""
    if not _has_names_table(conn):
        return None
    built = conn.execute("SELECT built_at FROM graph_builds WHERE repository_id = %s", (repository_id,)).fetchone()
    if built is None:
        return None
    known = conn.execute("SELECT count(*) FROM graph_file_names WHERE repository_id = %s",
                         (repository_id,)).fetchone()[0]
    if not known:
        return None
    return {"built_at": built[0]}


def _apply(database: Database, repository_id: int, started: float) -> GraphStats:
    stats = GraphStats(repository_id=repository_id)
    with database.connect() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (build._GRAPH_LOCK, repository_id))
        root = build._repository_root(conn, repository_id)
        build._check_labels(conn)
        with _phase(stats, "plan"):
            built_at = conn.execute("SELECT built_at FROM graph_builds WHERE repository_id = %s",
                                    (repository_id,)).fetchone()[0]
            changed = dict(conn.execute(
                "SELECT id, path FROM files WHERE repository_id = %s AND indexed_at > %s",
                (repository_id, built_at),
            ).fetchall())
            removed = [r[0] for r in conn.execute(
                """SELECT g.path FROM graph_file_names g WHERE g.repository_id = %s
                   AND NOT EXISTS (SELECT 1 FROM files f WHERE f.repository_id = g.repository_id AND f.path = g.path)""",
                (repository_id,),
            )]
            total = conn.execute("SELECT count(*) FROM files WHERE repository_id = %s", (repository_id,)).fetchone()[0]
            affected = _affected(conn, repository_id, changed, removed)
        if len(affected) > max(FULL_REBUILD_SHARE * total, 20):
            raise _TooMuch()
        if changed and conn.execute(
            """SELECT EXISTS (SELECT 1 FROM files WHERE repository_id = %s AND id = ANY(%s) AND facts @> '[["m"]]'::jsonb)
                   OR EXISTS (SELECT 1 FROM graph_nodes WHERE repository_id = %s AND file_id = ANY(%s)
                              AND chunk_id IS NULL AND kind = 'method')""",
            (repository_id, list(changed), repository_id, list(changed)),
        ).fetchone()[0]:
            # Interface members and abstract methods (nodes made from facts, not chunks) are built
            # by the full build only: a changed file that has or had them is rebuilt in full.
            # (Nested functions, also made from facts, are rebuilt here: see _table.)
            raise _TooMuch()
        with _phase(stats, "clear"):
            # Changed files lose all their nodes (edges cascade); affected files their outgoing edges.
            conn.execute("DELETE FROM graph_nodes WHERE repository_id = %s AND file_id = ANY(%s)",
                         (repository_id, list(changed)))
            conn.execute(
                """DELETE FROM graph_edges e USING graph_nodes n
                   WHERE n.id = e.src AND n.repository_id = %s AND n.file_id = ANY(%s)""",
                (repository_id, list(affected)),
            )
        ids = build._IdPool(conn)
        with _phase(stats, "table"):
            table, file_modules, chunk_nodes = _table(conn, repository_id, ids, set(changed))
        resolver = Resolver(table, build._module_resolver(root, table))
        with _phase(stats, "facts"):  # repository-wide receiver types, as the full build reads them
            build._type_facts(conn, repository_id, resolver, file_modules)
        affected_nodes = {m.node for fid, m in file_modules.items() if fid in affected}
        affected_paths = {file_modules[f].path for f in affected if f in file_modules}
        affected_nodes |= {d.node for d in table.definitions.values() if d.path in affected_paths}
        with _phase(stats, "structure"):
            edges = EdgeSet()
            structure_edges(resolver, edges)
            kept = EdgeSet()
            kept._edges = {k: e for k, e in edges._edges.items() if e.src in affected_nodes}
            build._write_edges(conn, repository_id, kept)
            del edges
        with _phase(stats, "calls"):
            call_stats = _calls(conn, repository_id, resolver, file_modules, chunk_nodes, sorted(affected))
        with _phase(stats, "metrics"):
            result = metrics.compute_and_store(conn, repository_id)
        stats.pagerank = {"iterations": result.iterations, "converged": result.converged}
        previous = conn.execute("SELECT stats->'calls' FROM graph_builds WHERE repository_id = %s",
                                (repository_id,)).fetchone()
        stats.calls = {**(previous[0] or {}), "update": "incremental", "incremental": {"affected_files": len(affected),
                                                              "changed_files": len(changed),
                                                              "removed_files": len(removed),
                                                              "affected_call_sites": call_stats.to_json()}}
        record_names(conn, repository_id, sorted(set(changed.values()) | set(removed)))
        build._summarise(conn, repository_id, stats)
        stats.duration_s = round(time.perf_counter() - started, 3)
        build._record(conn, stats)
    return stats


def _stem(path: str) -> str:
    base = posixpath.basename(path)
    stem = base.split(".", 1)[0]
    if stem in ("index", "__init__"):
        stem = posixpath.basename(posixpath.dirname(path)) or stem
    return stem


def _affected(conn: psycopg.Connection, repository_id: int, changed: dict[int, str], removed: list[str]) -> set[int]:
    """File ids whose edges may differ after the change (see the module docstring)."""
    affected = set(changed)
    paths = list(changed.values()) + removed
    if not paths:
        return affected
    names = {r[0] for r in conn.execute(
        """SELECT DISTINCT unnest(names) FROM graph_file_names WHERE repository_id = %s AND path = ANY(%s)
           UNION SELECT DISTINCT name FROM chunks WHERE repository_id = %s AND file_id = ANY(%s)""",
        (repository_id, paths, repository_id, list(changed)),
    )}
    names = sorted(n for n in names if n)
    if names:
        affected |= {r[0] for r in conn.execute(
            """SELECT DISTINCT c.file_id FROM chunks c, jsonb_array_elements(coalesce(c.metadata->'calls', '[]')) call
               WHERE c.repository_id = %s AND call->>'name' = ANY(%s)
               UNION
               SELECT f.id FROM files f, jsonb_array_elements(f.module_calls) call
               WHERE f.repository_id = %s AND call->>'name' = ANY(%s)
               UNION
               SELECT DISTINCT c.file_id FROM chunks c
               WHERE c.repository_id = %s AND c.kind IN ('class', 'interface')
                 AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(
                                 coalesce(c.metadata->'bases', '[]') || coalesce(c.metadata->'implements', '[]')) b
                             WHERE regexp_replace(b, '^.*[.]', '') = ANY(%s)
                                OR regexp_replace(b, '[<(\\[].*$', '') = ANY(%s))""",
            (repository_id, names, repository_id, names, repository_id, names, names),
        )}
    stems = sorted({_stem(p) for p in paths})
    affected |= {r[0] for r in conn.execute(
        """SELECT f.id FROM files f WHERE f.repository_id = %s
             AND EXISTS (SELECT 1 FROM unnest(%s::text[]) s WHERE strpos(f.imports::text, s) > 0)""",
        (repository_id, stems),
    )}
    # Files with an edge into a changed file's surviving nodes (its module node).
    affected |= {r[0] for r in conn.execute(
        """SELECT DISTINCT s.file_id FROM graph_edges e
           JOIN graph_nodes d ON d.id = e.dst JOIN graph_nodes s ON s.id = e.src
           WHERE d.repository_id = %s AND d.file_id = ANY(%s)""",
        (repository_id, list(changed)),
    )}
    # Inheritance to a fixed point: a subclass of an affected class may override differently.
    frontier = set(affected)
    for _ in range(_MAX_CLOSURE_ROUNDS):
        if not frontier:
            break
        found = {r[0] for r in conn.execute(
            """SELECT DISTINCT s.file_id FROM graph_edges e
               JOIN graph_nodes d ON d.id = e.dst JOIN graph_nodes s ON s.id = e.src
               WHERE d.repository_id = %s AND d.file_id = ANY(%s) AND e.type IN ('inherits', 'implements')""",
            (repository_id, list(frontier)),
        )}
        frontier = found - affected
        affected |= frontier
    return affected


def _table(
    conn: psycopg.Connection, repository_id: int, ids: build._IdPool, changed: set[int]
) -> tuple[SymbolTable, dict[int, Module], dict[int, int]]:
    """The whole symbol table from stored rows; unchanged files keep their node ids, changed
    files get new nodes (written here, as the full build writes them)."""
    table = SymbolTable()
    file_modules: dict[int, Module] = {}
    existing_modules = dict(conn.execute(
        "SELECT file_id, id FROM graph_nodes WHERE repository_id = %s AND kind = 'module'", (repository_id,)
    ).fetchall())
    rows: list[list] = []
    with conn.cursor(name="graph_inc_files") as cur:
        cur.itersize = build._FETCH
        cur.execute(
            """SELECT f.id, f.path, f.language, f.imports, f.exports,
                      (SELECT max(c.end_line) FROM chunks c WHERE c.file_id = f.id)
               FROM files f WHERE f.repository_id = %s ORDER BY f.id""",
            (repository_id,),
        )
        for file_id, path, language, imports, exports, last_line in cur:
            node = existing_modules.get(file_id) if file_id not in changed else None
            if node is None:
                node = ids.take()
                rows.append([node, repository_id, None, file_id, "module", posixpath.basename(path), path, None,
                             False, path, language, 1, last_line or 1, None, None])
            module = table.add_module(path, language, node, build._imports_from_json(imports),
                                      build._exports_from_json(exports))
            file_modules[file_id] = module
    build._flush_nodes(conn, rows)
    existing_nodes = dict(conn.execute(
        "SELECT chunk_id, id FROM graph_nodes WHERE repository_id = %s AND chunk_id IS NOT NULL", (repository_id,)
    ).fetchall())
    # Nodes without a chunk besides modules (the owners of JS methods assigned to objects), of
    # unchanged files: kept with their ids, added after the file's definitions as the build does.
    owners: dict[int, list[tuple]] = {}
    for file_id, node_id, path, kind, name, qname, parent, start, end in conn.execute(
        """SELECT file_id, id, path, kind, name, qualified_name, parent, start_line, end_line FROM graph_nodes
           WHERE repository_id = %s AND chunk_id IS NULL AND kind <> 'module' ORDER BY file_id, id""",
        (repository_id,),
    ):
        owners.setdefault(file_id, []).append((node_id, path, kind, name, qname, parent, start, end))
    chunk_nodes: dict[int, int] = {}
    batch: list[list] = []
    with conn.cursor(name="graph_inc_chunks") as cur:
        cur.itersize = build._FETCH
        cur.execute(
            build.DEFINITION_ROWS_SQL,
            (repository_id, list(NODE_KINDS)),
        )
        for file_id, file_rows in groupby(cur, key=lambda r: r[1]):
            if file_id in changed:
                batch.extend(build._collapse_file(file_rows, repository_id, ids, table, chunk_nodes))
            else:
                _known_file(file_rows, table, chunk_nodes, existing_nodes)
                for node_id, path, kind, name, qname, parent, start, end in owners.get(file_id, ()):
                    # as the full build makes them: object owners hold no span of their own
                    # (build._object_owners), member signatures do (resolve.member_definitions)
                    spans = kind != "class"
                    table.add_definition(Definition(node=node_id, path=path, kind=kind, name=name,
                                                    qualified_name=qname, parent=parent,
                                                    start_line=(start or 0) if spans else 0,
                                                    end_line=(end or 0) if spans else 0,
                                                    signature_only=kind == "method",
                                                    nested=kind == "function"))
            if len(batch) >= build._EDGE_BATCH:
                build._flush_nodes(conn, batch)
        build._flush_nodes(conn, batch)
    # a changed file's nested functions, from its facts, as the full build makes them
    for file_id, facts in conn.execute(
        """SELECT id, facts FROM files WHERE repository_id = %s AND id = ANY(%s) AND facts @> '[["n"]]'::jsonb""",
        (repository_id, sorted(changed)),
    ):
        module = file_modules[file_id]
        for d in nested_definitions(table, module, facts, ids.take):
            batch.append(build.nested_row(d, repository_id, file_id, module.language))
    build._flush_nodes(conn, batch)
    table.finish()
    return table, file_modules, chunk_nodes


def _known_file(rows, table: SymbolTable, chunk_nodes: dict[int, int], existing: dict[int, int]) -> None:
    """An unchanged file's definitions, under their existing node ids (parts join part 1)."""
    last: dict[tuple[str, str], Definition] = {}
    for (chunk_id, _file_id, path, _language, kind, name, qname, start, end, parent, exported,
         bases, implements, _complexity, _loc, part) in rows:
        key = (kind, qname)
        if part > 1 and key in last:
            chunk_nodes[chunk_id] = last[key].node
            last[key].end_line = max(last[key].end_line, end or 0)
            continue
        node_id = existing.get(chunk_id)
        if node_id is None:  # cannot happen for a file indexed before the last build; be safe
            raise RuntimeError(f"{path}: definition {qname!r} has no graph node; a full build is needed")
        definition = build.definition_of(node_id, path, kind, name, qname, parent, exported, bases, implements,
                                         start, end)
        table.add_definition(definition)
        chunk_nodes[chunk_id] = node_id
        last[key] = definition


def _calls(
    conn: psycopg.Connection, repository_id: int, resolver: Resolver, file_modules: dict[int, Module],
    chunk_nodes: dict[int, int], file_ids: list[int],
) -> CallStats:
    """The call edges of the affected files, with the full build's per-file units."""
    stats = CallStats()
    edges = EdgeSet()
    definitions = resolver.table.definitions
    with conn.cursor(name="graph_inc_calls") as cur:
        cur.itersize = build._FETCH // 4
        cur.execute(
            """SELECT id AS file_id, 0 AS ord, NULL::bigint AS chunk_id, module_calls, NULL::text AS source,
                      facts
               FROM files WHERE repository_id = %s AND id = ANY(%s)
                 AND (module_calls <> '[]'::jsonb OR facts <> '[]'::jsonb)
               UNION ALL
               SELECT file_id, start_line, id, metadata->'calls', source, NULL::jsonb FROM chunks
               WHERE repository_id = %s AND file_id = ANY(%s)
                 AND jsonb_array_length(coalesce(metadata->'calls', '[]')) > 0
               ORDER BY 1, 2, 3 NULLS FIRST""",
            (repository_id, file_ids, repository_id, file_ids),
        )
        for file_id, file_rows in groupby(cur, key=lambda r: r[0]):
            module = file_modules.get(file_id)
            if module is None:
                continue
            callers = []
            local = None
            for _, _, chunk_id, calls, source, facts in file_rows:
                if facts:  # the file's own local types (parameters, variables), as in the full build
                    local = resolver.local_facts(module, facts)
                node = chunk_nodes.get(chunk_id) if chunk_id is not None else None
                caller = definitions.get(node) if node is not None else None
                parsed_calls = [build._call(c) for c in calls or ()]
                shadowed = caller_scope(resolver, module, caller, parsed_calls, source)
                callers.append((caller, parsed_calls, shadowed))
            resolve_calls(resolver, module, callers, edges, stats, local)
            if len(edges) >= build._EDGE_BATCH:
                build._write_edges(conn, repository_id, edges)
    build._write_edges(conn, repository_id, edges)
    return stats
