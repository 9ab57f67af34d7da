"""Incremental graph update: after a run that changed a few files, re-resolve only what those
changes can reach, instead of rebuilding the whole graph. The result equals a full rebuild
(tests/agents/test_incremental_graph.py applies a seeded random sequence of edits, renames,
additions and deletions and compares both after every step).

What changed: files indexed after the last build (indexed_at > built_at) and paths the last
build knew (graph_file_names, migration 0009) that are gone.

Stable nodes (migration 0012): re-indexing a file only clears its nodes' chunk_id, so a changed
file's nodes and the edges into them survive until this update, which gives each of the file's
new definitions the node of the same (kind, qualified name, occurrence) — updated with the new
chunk, lines and metrics — creates nodes for new definitions and deletes those of definitions
that are gone (their edges go with them). Callers whose targets still stand keep their edges.

What the change can reach is read from the changed file's digests (graph/interface.py): what it
offers under each name — definitions, bases, exported flags, field and return types, module
bindings, the names it imports and exports — before and after. The *dirty* names are those
whose digest differs, and the names whose type facts mention one (`const m = create()`). An edit inside a body leaves none: only the file
itself is re-resolved. Otherwise the *affected* files, a superset of the files whose edges can
differ, are:
  * the changed files themselves;
  * every file whose calls name a dirty name (the call's name, or a word of its receiver for a
    field or a module binding), whose imports or exports name it, or whose classes name it as a
    base or interface; then every file with an inherits/implements edge into an affected file,
    to a fixed point (overrides follow bases);
  * when a changed file's star imports or exports changed (any name may come through them), or
    whether it has exports at all, when it is new, has no recorded digests, or was deleted:
    every name it defines or defined is dirty, and the files whose import
    specifiers mention its stem (default exports, aliases, index files, new or deleted modules)
    and those with an edge into its module node are affected too.
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

import json
import posixpath
import time
from collections.abc import Iterable
from itertools import groupby
from typing import Any

import psycopg

from mnemo.graph import build, interface, metrics
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
    """Remember what each file (or each of `paths`) defines now, for the next update, with the
    digests `stage_digests` left in this transaction (graph/interface.py)."""
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
    if conn.execute("SELECT to_regclass('pg_temp.graph_digests_in') IS NOT NULL").fetchone()[0]:
        conn.execute(
            """UPDATE graph_file_names g SET digests = t.digests FROM graph_digests_in t
               WHERE g.repository_id = %s AND g.path = t.path""",
            (repository_id,),
        )
        conn.execute("DROP TABLE graph_digests_in")


def stage_digests(conn: psycopg.Connection, resolver: Resolver, modules: Iterable[Module] | None = None) -> None:
    """Write the digests of every module (or of `modules`) to a temporary table of this
    transaction, one module at a time, for `record_names` to keep once the names are in."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS graph_digests_in (path text, digests jsonb) ON COMMIT DROP")
    chosen = resolver.table.modules.values() if modules is None else modules
    build._copy_rows(conn, "graph_digests_in", "path, digests",
                     ((m.path, json.dumps(interface.file_digests(resolver, m), sort_keys=True)) for m in chosen))


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
            old_digests: dict[str, dict[str, str] | None] = dict(conn.execute(
                "SELECT path, digests FROM graph_file_names WHERE repository_id = %s AND path = ANY(%s)",
                (repository_id, list(changed.values())),
            ).fetchall())
        if changed and _has_members(conn, repository_id, changed, old_digests):
            # Interface members and abstract methods (nodes made from facts, not chunks) are built
            # by the full build only: a changed file that has or had them is rebuilt in full.
            # (Nested functions, also made from facts, are rebuilt here: see _table.)
            raise _TooMuch()
        ids = build._IdPool(conn)
        with _phase(stats, "table"):
            table, file_modules, chunk_nodes, gone, new_files = _table(conn, repository_id, ids, set(changed))
        resolver = Resolver(table, build._module_resolver(root, table))
        with _phase(stats, "facts"):  # repository-wide receiver types, as the full build reads them
            build._type_facts(conn, repository_id, resolver, file_modules)
        with _phase(stats, "affected"):
            digests = {changed[f]: interface.file_digests(resolver, file_modules[f]) for f in changed
                       if f in file_modules}
            stage_digests(conn, resolver, (file_modules[f] for f in changed if f in file_modules))
            # a file without nodes from the last build is new to the graph (or was deleted and
            # re-added in between, taking the edges into it along): every name it has counts
            dirty = {f: interface.spread(interface.dirty_names(old_digests.get(path), digests[path]),
                                         interface.file_mentions(resolver, file_modules[f]))
                     if path in digests and f not in new_files else None for f, path in changed.items()}
            affected = _affected(conn, repository_id, changed, removed, dirty)
        if len(affected) > max(FULL_REBUILD_SHARE * total, 20):
            raise _TooMuch()
        with _phase(stats, "clear"):
            # Affected files lose their outgoing edges; definitions that are gone, their nodes
            # (the edges into them cascade: their callers are affected, their names dirty).
            conn.execute(
                """DELETE FROM graph_edges e USING graph_nodes n
                   WHERE n.id = e.src AND n.repository_id = %s AND n.file_id = ANY(%s)""",
                (repository_id, list(affected)),
            )
            if gone:
                conn.execute("DELETE FROM graph_nodes WHERE id = ANY(%s)", (gone,))
        affected_modules = [file_modules[f] for f in sorted(affected) if f in file_modules]
        with _phase(stats, "structure"):
            edges = EdgeSet()
            structure_edges(resolver, edges, modules=affected_modules)
            build._write_edges(conn, repository_id, edges)
        with _phase(stats, "calls"):
            call_stats = _calls(conn, repository_id, resolver, file_modules, chunk_nodes, sorted(affected))
        with _phase(stats, "metrics"):
            result = metrics.compute_and_store(conn, repository_id)
        stats.pagerank = {"iterations": result.iterations, "converged": result.converged}
        previous = conn.execute("SELECT stats->'calls' FROM graph_builds WHERE repository_id = %s",
                                (repository_id,)).fetchone()
        dirty_count = sum(len(d) for d in dirty.values() if d is not None)
        stats.calls = {**(previous[0] or {}), "update": "incremental", "incremental": {
            "affected_files": len(affected), "changed_files": len(changed), "removed_files": len(removed),
            "changed_files_all_names_dirty": sum(1 for d in dirty.values() if d is None),
            "dirty_names": dirty_count, "removed_nodes": len(gone),
            "affected_call_sites": call_stats.to_json()}}
        record_names(conn, repository_id, sorted(set(changed.values()) | set(removed)))
        build._summarise(conn, repository_id, stats)
        stats.duration_s = round(time.perf_counter() - started, 3)
        build._record(conn, stats)
    return stats


def _has_members(conn: psycopg.Connection, repository_id: int, changed: dict[int, str],
                 old_digests: dict[str, dict[str, str] | None]) -> bool:
    """Whether a changed file has member-signature facts now, or had member nodes at the last
    build (its digests say so; without digests, any method node without a chunk counts)."""
    if conn.execute(
        "SELECT EXISTS (SELECT 1 FROM files WHERE repository_id = %s AND id = ANY(%s) AND facts @> '[[\"m\"]]'::jsonb)",
        (repository_id, list(changed)),
    ).fetchone()[0]:
        return True
    if any(interface.MEMBERS in (old_digests.get(path) or {}) for path in changed.values()):
        return True
    unknown = [f for f, path in changed.items() if old_digests.get(path) is None]
    return bool(unknown) and conn.execute(
        """SELECT EXISTS (SELECT 1 FROM graph_nodes WHERE repository_id = %s AND file_id = ANY(%s)
                          AND chunk_id IS NULL AND kind = 'method')""",
        (repository_id, unknown),
    ).fetchone()[0]


def _stem(path: str) -> str:
    base = posixpath.basename(path)
    stem = base.split(".", 1)[0]
    if stem in ("index", "__init__"):
        stem = posixpath.basename(posixpath.dirname(path)) or stem
    return stem


def _like(name: str) -> str:
    return "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _affected(conn: psycopg.Connection, repository_id: int, changed: dict[int, str], removed: list[str],
              dirty: dict[int, set[str] | None]) -> set[int]:
    """File ids whose edges may differ after the change (see the module docstring). `dirty`:
    each changed file's dirty names, None where every name it defines counts."""
    affected = set(changed)
    whole = [f for f in changed if dirty.get(f) is None]  # changed files whose every name is dirty
    paths = [changed[f] for f in whole] + removed
    names = {n for found in dirty.values() if found for n in found}
    words = sorted(names)  # dirty names: also matched as words of a call's receiver
    if paths:
        names |= {r[0] for r in conn.execute(
            """SELECT DISTINCT unnest(names) FROM graph_file_names WHERE repository_id = %s AND path = ANY(%s)
               UNION SELECT DISTINCT name FROM chunks WHERE repository_id = %s AND file_id = ANY(%s)""",
            (repository_id, paths, repository_id, whole),
        )}
    names = sorted(n for n in names if n)
    if names:
        patterns = [_like(w) for w in words]
        affected |= {r[0] for r in conn.execute(
            """SELECT DISTINCT c.file_id FROM chunks c, jsonb_array_elements(coalesce(c.metadata->'calls', '[]')) call
               WHERE c.repository_id = %s AND (call->>'name' = ANY(%s::text[]) OR call->>'qualifier' LIKE ANY(%s::text[]))
               UNION
               SELECT f.id FROM files f, jsonb_array_elements(f.module_calls) call
               WHERE f.repository_id = %s AND (call->>'name' = ANY(%s::text[]) OR call->>'qualifier' LIKE ANY(%s::text[]))
               UNION
               SELECT f.id FROM files f WHERE f.repository_id = %s AND (
                   EXISTS (SELECT 1 FROM jsonb_array_elements(f.imports) i, jsonb_array_elements(i->'names') n
                           WHERE n->>'name' = ANY(%s))
                   OR EXISTS (SELECT 1 FROM jsonb_array_elements(f.exports) e
                              WHERE e->>'name' = ANY(%s) OR e->>'local' = ANY(%s)))
               UNION
               SELECT DISTINCT c.file_id FROM chunks c
               WHERE c.repository_id = %s AND c.kind IN ('class', 'interface')
                 AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(
                                 coalesce(c.metadata->'bases', '[]') || coalesce(c.metadata->'implements', '[]')) b
                             WHERE regexp_replace(b, '^.*[.]', '') = ANY(%s)
                                OR regexp_replace(b, '[<(\\[].*$', '') = ANY(%s))""",
            (repository_id, names, patterns, repository_id, names, patterns, repository_id, names, names, names,
             repository_id, names, names),
        )}
    if paths:
        stems = sorted({_stem(p) for p in paths})
        affected |= {r[0] for r in conn.execute(
            """SELECT f.id FROM files f WHERE f.repository_id = %s
                 AND EXISTS (SELECT 1 FROM unnest(%s::text[]) s WHERE strpos(f.imports::text, s) > 0)""",
            (repository_id, stems),
        )}
    if whole:
        # Files with an edge into such a changed file's module node (importers, module objects).
        affected |= {r[0] for r in conn.execute(
            """SELECT DISTINCT s.file_id FROM graph_edges e
               JOIN graph_nodes d ON d.id = e.dst JOIN graph_nodes s ON s.id = e.src
               WHERE d.repository_id = %s AND d.file_id = ANY(%s) AND d.kind = 'module'""",
            (repository_id, whole),
        )}
    # Inheritance to a fixed point: a subclass of an affected class may override differently. A
    # changed file without a dirty name changes nothing its subclasses see: no seed.
    frontier = {f for f in affected if f not in changed or dirty.get(f) != set()}
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


# graph_nodes columns a re-used node takes from its definition's new row (build._NODE_COLUMNS order)
_REWRITE = ("chunk_id", "kind", "name", "qualified_name", "parent", "exported", "language", "start_line",
            "end_line", "loc", "complexity")


def _table(
    conn: psycopg.Connection, repository_id: int, ids: build._IdPool, changed: set[int]
) -> tuple[SymbolTable, dict[int, Module], dict[int, int], list[int], set[int]]:
    """The whole symbol table from stored rows. Unchanged files keep their node ids; a changed
    file's definitions take the nodes of their namesakes (kind, qualified name, occurrence) and
    new nodes otherwise, written here as the full build writes them. Returns the table, file id →
    module, chunk id → node, the nodes of definitions that are gone (deleted by the caller, once
    the affected files are known: their edges tell what depended on them), and the changed files
    that had no module node (new to the graph)."""
    table = SymbolTable()
    file_modules: dict[int, Module] = {}
    existing_modules = dict(conn.execute(
        "SELECT file_id, id FROM graph_nodes WHERE repository_id = %s AND kind = 'module'", (repository_id,)
    ).fetchall())
    rows: list[list] = []
    rewrite: list[list] = []  # rows of re-used nodes: UPDATEd, not inserted
    with conn.cursor(name="graph_inc_files") as cur:
        cur.itersize = build._FETCH
        cur.execute(
            """SELECT f.id, f.path, f.language, f.imports, f.exports,
                      (SELECT max(c.end_line) FROM chunks c WHERE c.file_id = f.id)
               FROM files f WHERE f.repository_id = %s ORDER BY f.id""",
            (repository_id,),
        )
        for file_id, path, language, imports, exports, last_line in cur:
            node = existing_modules.get(file_id)
            if node is None or file_id in changed:
                row = [node or ids.take(), repository_id, None, file_id, "module", posixpath.basename(path), path,
                       None, False, path, language, 1, last_line or 1, None, None]
                (rows if node is None else rewrite).append(row)
                node = row[0]
            module = table.add_module(path, language, node, build._imports_from_json(imports),
                                      build._exports_from_json(exports))
            file_modules[file_id] = module
    build._flush_nodes(conn, rows)
    # Nodes without a chunk besides modules (the owners of JS methods assigned to objects,
    # interface members, nested functions), of unchanged files: kept with their ids, added after
    # the file's definitions in the order the build makes them (owners, members, nested).
    owners: dict[int, list[tuple]] = {}
    for file_id, node_id, path, kind, name, qname, parent, start, end in conn.execute(
        """SELECT file_id, id, path, kind, name, qualified_name, parent, start_line, end_line FROM graph_nodes
           WHERE repository_id = %s AND chunk_id IS NULL AND kind <> 'module' AND NOT file_id = ANY(%s)
           ORDER BY file_id, CASE kind WHEN 'class' THEN 0 WHEN 'method' THEN 1 ELSE 2 END,
                    start_line, end_line DESC, id""",
        (repository_id, list(changed)),
    ):
        owners.setdefault(file_id, []).append((node_id, path, kind, name, qname, parent, start, end))
    # A changed file's nodes from the last build, by (kind, qualified name) in line order.
    previous: dict[int, dict[tuple[str, str], list[int]]] = {}
    for file_id, node_id, kind, qname in conn.execute(
        """SELECT file_id, id, kind, qualified_name FROM graph_nodes
           WHERE repository_id = %s AND file_id = ANY(%s) AND kind <> 'module'
           ORDER BY file_id, start_line NULLS FIRST, id""",
        (repository_id, list(changed)),
    ):
        previous.setdefault(file_id, {}).setdefault((kind, qname), []).append(node_id)
    nested_facts = dict(conn.execute(
        """SELECT id, facts FROM files WHERE repository_id = %s AND id = ANY(%s) AND facts @> '[["n"]]'::jsonb""",
        (repository_id, sorted(changed)),
    ).fetchall())
    # The changed files' definition rows in the build's shape (few); the unchanged files' rows
    # streamed lean: with their node, without what only a new node row needs.
    changed_rows: dict[int, list] = {f: [] for f in changed}
    for row in conn.execute(
        f"SELECT * FROM ({build.DEFINITION_ROWS_SQL}) d WHERE d.file_id = ANY(%s) ORDER BY 2, 8, 1",
        (repository_id, list(NODE_KINDS), list(changed)),
    ):
        changed_rows[row[1]].append(row)
    pending = sorted(changed_rows)  # changed file ids, merged into the stream in file order
    later: list = []  # a changed file's nested functions: added after every file, as the build does
    chunk_nodes: dict[int, int] = {}
    batch: list[list] = []

    def changed_file(file_id: int) -> None:
        module = file_modules[file_id]
        definitions, nested, new_rows = _changed_file(
            changed_rows.pop(file_id), repository_id, file_id, ids, module, nested_facts.pop(file_id, None),
            previous.setdefault(file_id, {}), chunk_nodes)
        for d in definitions:
            table.add_definition(d)
        later.extend(nested)
        for row, reused in new_rows:
            (rewrite if reused else batch).append(row)

    with conn.cursor(name="graph_inc_chunks") as cur:
        cur.itersize = build._FETCH
        cur.execute(
            """SELECT c.id, c.file_id, n.id, c.kind, c.name, c.qualified_name, c.start_line, c.end_line,
                      c.metadata->>'parent', coalesce((c.metadata->>'exported')::boolean, false),
                      nullif(c.metadata->'bases', '[]'::jsonb), nullif(c.metadata->'implements', '[]'::jsonb),
                      coalesce((c.metadata->>'part')::int, 1)
               FROM chunks c LEFT JOIN graph_nodes n ON n.chunk_id = c.id
               WHERE c.repository_id = %s AND c.kind = ANY(%s) AND NOT c.file_id = ANY(%s)
               ORDER BY c.file_id, c.start_line, c.id""",
            (repository_id, list(NODE_KINDS), list(changed)),
        )
        for file_id, file_rows in groupby(cur, key=lambda r: r[1]):
            while pending and pending[0] < file_id:
                changed_file(pending.pop(0))
            path = file_modules[file_id].path
            _known_file(file_rows, table, chunk_nodes, path)
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
    while pending:
        changed_file(pending.pop(0))
    build._flush_nodes(conn, batch)
    for d in later:
        table.add_definition(d)
    _rewrite_nodes(conn, rewrite)
    # what is left of `previous`: nodes of definitions that are gone (with files that lost them all)
    gone = [n for found in previous.values() for nodes in found.values() for n in nodes]
    table.finish()
    return table, file_modules, chunk_nodes, gone, {f for f in changed if f not in existing_modules}


def _changed_file(
    rows, repository_id: int, file_id: int, ids: build._IdPool, module: Module, facts: list | None,
    previous: dict[tuple[str, str], list[int]], chunk_nodes: dict[int, int],
) -> tuple[list[Definition], list[Definition], list[tuple[list, bool]]]:
    """A changed file's definitions as the full build makes them (chunks, object owners, nested
    functions), each on the node its namesake had at the last build where there was one.

    Built in a table of their own first (node ids are only known to match once each definition
    has its key), then re-numbered. Removes the re-used nodes from `previous`. Returns the
    definitions, the nested ones apart (added after every file), and the node rows with whether
    each re-uses a node (an UPDATE) or is new (an INSERT)."""
    scratch = SymbolTable()
    own = scratch.add_module(module.path, module.language, module.node)  # definitions need no imports
    local: dict[int, int] = {}
    new_rows = list(build._collapse_file(rows, repository_id, ids, scratch, local))
    nested = nested_definitions(scratch, own, facts, ids.take) if facts else []
    new_rows += [build.nested_row(d, repository_id, file_id, module.language) for d in nested]
    renumber: dict[int, int] = {}
    seen: dict[tuple[str, str], int] = {}
    for node in own.nodes:  # creation order: the occurrence interface.node_keys counts
        d = scratch.definitions[node]
        key = (d.kind, d.qualified_name)
        index = seen.get(key, 0)
        seen[key] = index + 1
        candidates = previous.get(key)
        if candidates and index < len(candidates):
            renumber[node] = candidates[index]
    for key, candidates in list(previous.items()):
        kept = seen.get(key, 0)
        if kept >= len(candidates):
            del previous[key]
        else:
            previous[key] = candidates[kept:]
    nested_nodes = {d.node for d in nested}
    definitions, later = [], []
    for node in own.nodes:
        d = scratch.definitions[node]
        d.node = renumber.get(node, node)
        (later if node in nested_nodes else definitions).append(d)
    for chunk, node in local.items():
        chunk_nodes[chunk] = renumber.get(node, node)
    out = []
    for row in new_rows:
        reused = row[0] in renumber
        row[0] = renumber.get(row[0], row[0])
        out.append((row, reused))
    return definitions, later, out


def _rewrite_nodes(conn: psycopg.Connection, rows: list[list]) -> None:
    """UPDATE re-used nodes (module nodes of changed files included) from their new rows."""
    if not rows:
        return
    columns = build._NODE_COLUMNS.replace(" ", "").split(",")
    keep = [columns.index(c) for c in ("id", *_REWRITE)]
    conn.execute(
        """CREATE TEMP TABLE IF NOT EXISTS graph_node_rewrite (
               id bigint, chunk_id bigint, kind text, name text, qualified_name text, parent text,
               exported boolean, language text, start_line integer, end_line integer, loc integer,
               complexity integer) ON COMMIT DROP"""
    )
    build._copy_rows(conn, "graph_node_rewrite", ", ".join(("id", *_REWRITE)),
                     ([row[i] for i in keep] for row in rows))
    conn.execute(
        "UPDATE graph_nodes g SET " + ", ".join(f"{c} = r.{c}" for c in _REWRITE)
        + " FROM graph_node_rewrite r WHERE g.id = r.id"
    )
    conn.execute("DROP TABLE graph_node_rewrite")


def _known_file(rows, table: SymbolTable, chunk_nodes: dict[int, int], path: str) -> None:
    """An unchanged file's definitions, under their existing node ids (parts join part 1)."""
    last: dict[tuple[str, str], Definition] = {}
    for chunk_id, _file_id, node_id, kind, name, qname, start, end, parent, exported, bases, implements, part in rows:
        key = (kind, qname)
        if part > 1 and key in last:
            chunk_nodes[chunk_id] = last[key].node
            last[key].end_line = max(last[key].end_line, end or 0)
            continue
        if node_id is None:  # cannot happen for a file indexed before the last build; be safe
            raise RuntimeError(f"{path}: definition {qname!r} has no graph node; a full build is needed")
        definition = build.definition_of(node_id, path, kind, name, qname, parent, exported, bases or (),
                                         implements or (), start, end)
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
