"""Nodes and edges from the stored rows of one repository, then metrics: the bulk graph phase.

The whole graph of a repository is rebuilt in ONE transaction, which is the simplest way to be
right after incremental runs: no duplicate node, no edge to deleted code, metrics recomputed
from the current edges. Readers see the previous graph until the new one commits.

Memory stays bounded: chunks are streamed with server-side cursors (never their source text),
nodes and edges are written with COPY in batches, and the only whole-repository structure is the
symbol table (names, node ids, imports and exports: O(definitions + imports)).
"""

from __future__ import annotations

import gc
import json
import posixpath
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from itertools import groupby
from pathlib import Path
from typing import Any

import psycopg

from mnemo.graph import metrics
from mnemo.graph.modules import ModuleResolver, find_workspaces, load_ts_configs, python_package_name
from mnemo.graph.resolve import (
    NODE_KINDS,
    CallStats,
    Definition,
    Edge,
    EdgeSet,
    Module,
    Resolver,
    SymbolTable,
    caller_scope,
    member_definitions,
    nested_definitions,
    resolve_calls,
    structure_edges,
)
from mnemo.graph.rules import rules_for
from mnemo.models import Call, Export, Import, ImportedName
from mnemo.store.db import Database

_GRAPH_LOCK = 0x67726170  # "grap": one build per repository at a time (with the repository id)
# A fetch's rows and a COPY batch are transient Python objects (tuples, decoded JSON, node rows,
# Edge objects) interleaved with the symbol table as it grows, so their size sets how much freed
# memory stays stranded in partly used allocator pages: on @babylonjs/core, 2,000-row fetches and
# 20,000-row batches cost ~19 MB of peak RSS over 200 and 2,000, for no measurable speed.
_FETCH = 200  # rows per server-side cursor fetch
_ID_BLOCK = 10000  # node ids reserved from the sequence at a time
_EDGE_BATCH = 2000  # node or edge rows per COPY

_NODE_COLUMNS = (
    "id, repository_id, chunk_id, file_id, kind, name, qualified_name, parent, exported, path, language, "
    "start_line, end_line, loc, complexity"
)
_EDGE_COLUMNS = "repository_id, src, dst, type, resolution, confidence, target, line, sites"


@dataclass
class GraphStats:
    """What a build produced; `to_json()` is what `mnemo index` and `graph build` report."""

    repository_id: int
    nodes: dict[str, int] = field(default_factory=dict)  # by kind ('module' kept apart)
    edges: dict[str, int] = field(default_factory=dict)  # resolved edges (with a target node) by type
    unresolved_edges: dict[str, int] = field(default_factory=dict)  # edges without a target node, by type
    calls: dict[str, Any] = field(default_factory=dict)  # call sites by resolution, local resolution rate
    isolated: dict[str, Any] = field(default_factory=dict)  # definitions without any edge
    pagerank: dict[str, Any] = field(default_factory=dict)  # iterations, converged
    duration_s: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return sum(self.nodes.values())

    @property
    def edge_count(self) -> int:
        return sum(self.edges.values())

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# -- public ---------------------------------------------------------------------------------


def build_graph(database: Database, repository_id: int) -> GraphStats:
    """Rebuild the repository's graph (nodes, edges, metrics) in one transaction."""
    started = time.perf_counter()
    stats = GraphStats(repository_id=repository_id)
    with database.connect() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (_GRAPH_LOCK, repository_id))
        root = _repository_root(conn, repository_id)
        _check_labels(conn)
        with _phase(stats, "clear"):
            _clear(conn, repository_id)
        call_stats = _nodes_and_edges(conn, repository_id, root, stats)  # frees the symbol table
        _release_memory()
        with _phase(stats, "metrics"):
            result = metrics.compute_and_store(conn, repository_id)
        stats.pagerank = {"iterations": result.iterations, "converged": result.converged}
        stats.calls = call_stats.to_json()
        from mnemo.graph.incremental import record_names  # what each file defines, for the next update

        record_names(conn, repository_id)
        _summarise(conn, repository_id, stats)
        stats.duration_s = round(time.perf_counter() - started, 3)
        _record(conn, stats)
    return stats


def _release_memory() -> None:
    """Collect the symbol table's reference cycles (resolver caches) and hand the freed pages
    back before the metrics allocate their arrays: on @babylonjs/core ~14 MB, without which
    the metrics step set the build's peak."""
    from mnemo.embed.memory import release_free_memory  # ctypes only (glibc's malloc_trim)

    gc.collect()
    release_free_memory()


def _nodes_and_edges(conn: psycopg.Connection, repository_id: int, root: Path | None, stats: GraphStats) -> CallStats:
    """Write nodes, structure and call edges; the symbol table lives only during this call."""
    ids = _IdPool(conn)
    with _phase(stats, "modules"):
        table, file_modules = _module_nodes(conn, repository_id, ids)
    with _phase(stats, "definitions"):
        chunk_nodes = _definition_nodes(conn, repository_id, ids, table)
        _member_nodes(conn, repository_id, ids, table, file_modules)
        table.finish()
    resolver = Resolver(table, _module_resolver(root, table))
    with _phase(stats, "facts"):
        _type_facts(conn, repository_id, resolver, file_modules)
    with _phase(stats, "digests"):  # what each file offers by name, for the next incremental update
        from mnemo.graph.incremental import stage_digests

        stage_digests(conn, resolver)
    with _phase(stats, "structure"):
        _structure(conn, repository_id, resolver)
    with _phase(stats, "calls"):
        return _calls(conn, repository_id, resolver, file_modules, chunk_nodes)


def graph_is_current(database: Database, repository_id: int) -> bool:
    """Whether the stored graph was built from the repository's current files.

    Keyed on content, not time: the build records a digest of the (path, hash, status) set
    (migration 0007's trigger), so a file removed after the last build — which changes no
    timestamp — makes the graph stale, as does any write.
    """
    with database.connect() as conn:
        row = conn.execute(
            "SELECT g.files_digest = mnemo_files_digest(%s) FROM graph_builds g WHERE g.repository_id = %s",
            (repository_id, repository_id),
        ).fetchone()
    return bool(row and row[0])


# -- steps ------------------------------------------------------------------------------------


@contextmanager
def _phase(stats: GraphStats, name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    stats.timings[name] = round(time.perf_counter() - started, 3)


def _repository_root(conn: psycopg.Connection, repository_id: int) -> Path | None:
    row = conn.execute("SELECT root FROM repositories WHERE id = %s", (repository_id,)).fetchone()
    if row is None:
        from mnemo.store.reads import UnknownRepository

        raise UnknownRepository(f"#{repository_id}")
    return Path(row[0])


def _clear(conn: psycopg.Connection, repository_id: int) -> None:
    conn.execute("DELETE FROM graph_edges WHERE repository_id = %s", (repository_id,))
    conn.execute("DELETE FROM graph_nodes WHERE repository_id = %s", (repository_id,))


class _IdPool:
    """Node ids reserved from the identity sequence in blocks, so COPY can write them."""

    def __init__(self, conn: psycopg.Connection) -> None:
        self.conn = conn
        self._free: list[int] = []

    def take(self) -> int:
        if not self._free:
            rows = self.conn.execute(
                "SELECT nextval(pg_get_serial_sequence('graph_nodes', 'id')) FROM generate_series(1, %s)",
                (_ID_BLOCK,),
            ).fetchall()
            self._free = [r[0] for r in reversed(rows)]
        return self._free.pop()


def _imports_from_json(items: list[dict]) -> list[Import]:
    return [
        Import(
            source=i.get("source") or "",
            names=[ImportedName(n.get("name") or "*", n.get("alias")) for n in i.get("names") or ()],
            line=i.get("line") or 0,
        )
        for i in items or ()
    ]


def _exports_from_json(items: list[dict]) -> list[Export]:
    return [Export(name=e.get("name") or "", local=e.get("local"), source=e.get("source")) for e in items or ()]


def _module_nodes(conn: psycopg.Connection, repository_id: int, ids: _IdPool) -> tuple[SymbolTable, dict[int, Module]]:
    """One module node per file, and the symbol table's modules (imports/exports) in one query."""
    table = SymbolTable()
    file_modules: dict[int, Module] = {}
    rows = []
    with conn.cursor(name="graph_files") as cur:
        cur.itersize = _FETCH
        cur.execute(
            """SELECT f.id, f.path, f.language, f.imports, f.exports,
                      (SELECT max(c.end_line) FROM chunks c WHERE c.file_id = f.id)
               FROM files f WHERE f.repository_id = %s ORDER BY f.id""",
            (repository_id,),
        )
        for file_id, path, language, imports, exports, last_line in cur:
            node = ids.take()
            module = table.add_module(path, language, node, _imports_from_json(imports), _exports_from_json(exports))
            file_modules[file_id] = module
            name = posixpath.basename(path)
            rows.append([node, repository_id, None, file_id, "module", name, path, None, False, path, language,
                         1, last_line or 1, None, None])
            if len(rows) >= _EDGE_BATCH:
                _flush_nodes(conn, rows)
    _flush_nodes(conn, rows)
    return table, file_modules


@dataclass(slots=True)
class _PendingNode:
    """A definition node while its file streams past (later parts extend it)."""

    row: list
    definition: Definition


# The definition chunks a node is made from, file by file in line order (no source): the row shape
# `_collapse_file` reads, shared with the incremental update.
DEFINITION_ROWS_SQL = """
    SELECT c.id, c.file_id, c.path, c.language, c.kind, c.name, c.qualified_name,
           c.start_line, c.end_line, c.metadata->>'parent',
           coalesce((c.metadata->>'exported')::boolean, false),
           coalesce(c.metadata->'bases', '[]'), coalesce(c.metadata->'implements', '[]'),
           (c.metadata->>'complexity')::int, (c.metadata->>'loc')::int,
           coalesce((c.metadata->>'part')::int, 1)
    FROM chunks c
    WHERE c.repository_id = %s AND c.kind = ANY(%s)
    ORDER BY c.file_id, c.start_line, c.id"""


def _definition_nodes(
    conn: psycopg.Connection, repository_id: int, ids: _IdPool, table: SymbolTable
) -> dict[int, int]:
    """Stream the definition chunks (no source), collapse split parts, COPY the nodes.

    Returns chunk id → node id for every node chunk, parts included (ints only)."""
    chunk_nodes: dict[int, int] = {}
    with conn.cursor(name="graph_chunks") as cur:
        cur.itersize = _FETCH
        cur.execute(
            DEFINITION_ROWS_SQL,
            (repository_id, list(NODE_KINDS)),
        )
        batch: list[list] = []
        # groupby over the cursor itself: a file's rows stay together across fetch boundaries.
        for _, file_rows in groupby(cur, key=lambda r: r[1]):
            batch.extend(_collapse_file(file_rows, repository_id, ids, table, chunk_nodes))
            if len(batch) >= _EDGE_BATCH:
                _flush_nodes(conn, batch)
        _flush_nodes(conn, batch)
    return chunk_nodes


def definition_of(node_id: int, path: str, kind: str, name: str, qname: str, parent: str | None,
                  exported: bool, bases, implements, start: int | None, end: int | None) -> Definition:
    """The symbol-table entry of one definition row (DEFINITION_ROWS_SQL), as the full build and
    the incremental update both read it; the line span scopes the file's facts (locals, type
    parameters)."""
    return Definition(
        node=node_id, path=path, kind=kind, name=name, qualified_name=qname, parent=parent,
        exported=exported, bases=tuple(map(str, bases)) if bases else (),
        implements=tuple(map(str, implements)) if implements else (),
        start_line=start or 0, end_line=end or 0,
    )


def _collapse_file(
    rows, repository_id: int, ids: _IdPool, table: SymbolTable, chunk_nodes: dict[int, int]
) -> Iterator[list]:
    """Node rows of one file's definition chunks; part n>1 extends its part 1's node."""
    pending: list[_PendingNode] = []
    last: dict[tuple[str, str], _PendingNode] = {}
    for (chunk_id, file_id, path, language, kind, name, qname, start, end, parent, exported,
         bases, implements, complexity, loc, part) in rows:
        key = (kind, qname)
        if part > 1 and key in last:
            node = last[key]
            node.row[12] = max(node.row[12], end)
            node.definition.end_line = node.row[12]
            node.row[13] = (node.row[13] or 0) + (loc or 0)
            node.row[14] = max(node.row[14] or 1, complexity or 1)
            chunk_nodes[chunk_id] = node.definition.node
            continue
        node_id = ids.take()
        definition = definition_of(node_id, path, kind, name, qname, parent, exported, bases, implements, start, end)
        table.add_definition(definition)
        chunk_nodes[chunk_id] = node_id
        item = _PendingNode(
            row=[node_id, repository_id, chunk_id, file_id, kind, name, qname, parent, exported, path, language,
                 start, end, loc, complexity],
            definition=definition,
        )
        last[key] = item
        pending.append(item)
    pending.extend(_object_owners(pending, repository_id, ids, table))
    for item in pending:
        yield item.row


def _member_nodes(
    conn: psycopg.Connection, repository_id: int, ids: _IdPool, table: SymbolTable, file_modules: dict[int, Module]
) -> None:
    """Nodes without a chunk for interface members and abstract methods (facts' "m" records)
    and for functions nested in a function's body ("n" records)."""
    batch: list[list] = []
    with conn.cursor(name="graph_members") as cur:
        cur.itersize = _FETCH // 4
        cur.execute(
            """SELECT id, facts FROM files WHERE repository_id = %s
               AND (facts @> '[["m"]]'::jsonb OR facts @> '[["n"]]'::jsonb)""",
            (repository_id,),
        )
        for file_id, facts in cur:
            module = file_modules.get(file_id)
            if module is None:
                continue
            for d in member_definitions(table, module, facts, ids.take):
                batch.append([d.node, repository_id, None, file_id, "method", d.name, d.qualified_name, d.parent,
                              d.exported, d.path, module.language, d.start_line, d.end_line, 1, 1])
            for d in nested_definitions(table, module, facts, ids.take):
                batch.append(nested_row(d, repository_id, file_id, module.language))
            if len(batch) >= _EDGE_BATCH:
                _flush_nodes(conn, batch)
    _flush_nodes(conn, batch)


def nested_row(d: Definition, repository_id: int, file_id: int, language: str) -> list:
    """The graph_nodes row of a nested function (no chunk; its lines are its loc)."""
    return [d.node, repository_id, None, file_id, "function", d.name, d.qualified_name, None, False, d.path,
            language, d.start_line, d.end_line, d.end_line - d.start_line + 1, 1]


def _object_owners(
    pending: list[_PendingNode], repository_id: int, ids: _IdPool, table: SymbolTable
) -> list[_PendingNode]:
    """Class nodes without a chunk for the JS objects that get methods by assignment.

    `app.handle = function () {}`, `handlers = { a() {} }`, `Object.defineProperty(req, 'host', …)`
    make methods whose owner (`app`, `handlers`, `req`) is an object, not a definition. An owner
    node of kind class (spanning its methods, chunk_id NULL like a module node) lets the members
    attach to it, so `this.set()` inside `app.init` and `app.set()` in the same file resolve.
    Only for ECMAScript files, and only where the file defines nothing of that name (a function
    whose prototype gets members is already a class chunk: see chunk.py).
    """
    defined = {item.definition.qualified_name for item in pending}
    owners: dict[str, list[_PendingNode]] = {}
    for item in pending:
        d = item.definition
        if d.kind == "method" and d.parent and d.parent not in defined and rules_for(item.row[10]).family == "ecmascript":
            owners.setdefault(d.parent, []).append(item)
    created = []
    for parent, members in owners.items():
        first = members[0].row
        node_id = ids.take()
        name = parent.rpartition(".")[2]
        prefix = parent.rpartition(".")[0] or None
        # no line span for scoping (graph/facts.Spans): the owner's members may lie far apart in
        # the file (`inst._zod.x = …` in many functions), so it holds no code of its own
        definition = Definition(node=node_id, path=first[9], kind="class", name=name, qualified_name=parent,
                                parent=prefix)
        table.add_definition(definition)
        row = [node_id, repository_id, None, first[3], "class", name, parent, prefix, False, first[9], first[10],
               min(m.row[11] for m in members), max(m.row[12] for m in members), None, None]
        created.append(_PendingNode(row=row, definition=definition))
    return created


def _flush_nodes(conn: psycopg.Connection, batch: list[list]) -> None:
    if batch:
        _copy_rows(conn, "graph_nodes", _NODE_COLUMNS, batch)
        batch.clear()


def _module_resolver(root: Path | None, table: SymbolTable) -> ModuleResolver:
    """Module resolution with what the disk says about the tree: tsconfig files, workspace
    package.json names, and whether the indexed directory is itself a Python package."""
    if root is None or not root.is_dir():
        return ModuleResolver(table.modules)
    directories = {
        posixpath.dirname(m.path) for m in table.modules.values() if rules_for(m.language).family == "ecmascript"
    }
    return ModuleResolver(
        table.modules,
        load_ts_configs(root, directories),
        root_package=python_package_name(root),
        workspaces=find_workspaces(root, directories) if directories else None,
    )


def _type_facts(
    conn: psycopg.Connection, repository_id: int, resolver: Resolver, file_modules: dict[int, Module]
) -> None:
    """First pass over the stored facts: class fields, return types and module-level bindings
    into the repository-wide TypeFacts (the locals are read again per file in `_calls`)."""
    with conn.cursor(name="graph_facts") as cur:
        cur.itersize = _FETCH // 4
        cur.execute("SELECT id, facts FROM files WHERE repository_id = %s AND facts <> '[]'::jsonb", (repository_id,))
        for file_id, facts in cur:
            module = file_modules.get(file_id)
            if module is not None:
                resolver.file_facts(module, facts)


def _structure(conn: psycopg.Connection, repository_id: int, resolver: Resolver) -> None:
    edges = EdgeSet()
    structure_edges(resolver, edges, lambda batch: _write_edges(conn, repository_id, batch), _EDGE_BATCH)
    _write_edges(conn, repository_id, edges)


def _calls(
    conn: psycopg.Connection,
    repository_id: int,
    resolver: Resolver,
    file_modules: dict[int, Module],
    chunk_nodes: dict[int, int],
) -> CallStats:
    """Stream every call (module top level, then each chunk in line order), file by file.

    The chunk's source comes along (a few hundred rows at a time) for the caller's own scope,
    which is parsed only when a local declaration might shadow a called name."""
    stats = CallStats()
    edges = EdgeSet()
    definitions = resolver.table.definitions
    with conn.cursor(name="graph_calls") as cur:
        cur.itersize = _FETCH // 4
        cur.execute(
            """SELECT id AS file_id, 0 AS ord, NULL::bigint AS chunk_id, module_calls, NULL::text AS source,
                      facts
               FROM files WHERE repository_id = %s AND (module_calls <> '[]'::jsonb OR facts <> '[]'::jsonb)
               UNION ALL
               SELECT file_id, start_line, id, metadata->'calls', source, NULL::jsonb FROM chunks
               WHERE repository_id = %s AND jsonb_array_length(coalesce(metadata->'calls', '[]')) > 0
               ORDER BY 1, 2, 3 NULLS FIRST""",
            (repository_id, repository_id),
        )
        for file_id, file_rows in groupby(cur, key=lambda r: r[0]):
            module = file_modules.get(file_id)
            if module is None:
                continue
            callers = []
            local = None
            for _, _, chunk_id, calls, source, facts in file_rows:
                if facts:
                    local = resolver.local_facts(module, facts)
                node = chunk_nodes.get(chunk_id) if chunk_id is not None else None
                caller = definitions.get(node) if node is not None else None
                parsed_calls = [_call(c) for c in calls or ()]
                shadowed = caller_scope(resolver, module, caller, parsed_calls, source)
                callers.append((caller, parsed_calls, shadowed))
            resolve_calls(resolver, module, callers, edges, stats, local)
            if len(edges) >= _EDGE_BATCH:
                _write_edges(conn, repository_id, edges)
    _write_edges(conn, repository_id, edges)
    return stats


def _call(item: dict) -> Call:
    return Call(name=item.get("name") or "", qualifier=item.get("qualifier"), line=item.get("line") or 0)


def _write_edges(conn: psycopg.Connection, repository_id: int, edges: EdgeSet) -> None:
    _copy_rows(
        conn,
        "graph_edges",
        _EDGE_COLUMNS,
        (_edge_row(repository_id, e) for e in edges),
    )
    edges.clear()


_LABEL_FALLBACK: dict[str, str] = {}


def _check_labels(conn: psycopg.Connection) -> None:
    """A database migrated by a pre-release 0002 lacks the 'local' label: write 'unresolved'
    there instead of failing the build (development databases only)."""
    definition = conn.execute(
        """SELECT string_agg(pg_get_constraintdef(oid), ' ') FROM pg_constraint
           WHERE conrelid = 'graph_edges'::regclass AND contype = 'c'
             AND pg_get_constraintdef(oid) LIKE '%''structure''%'"""
    ).fetchone()[0] or ""
    _LABEL_FALLBACK.clear()
    if "'local'" not in definition:
        _LABEL_FALLBACK["local"] = "unresolved"


def _edge_row(repository_id: int, e: Edge) -> tuple:
    resolution = _LABEL_FALLBACK.get(e.resolution, e.resolution)
    return (repository_id, e.src, e.dst, e.type, resolution, e.confidence, e.target, e.line, e.sites)


def _copy_rows(conn: psycopg.Connection, table: str, columns: str, rows) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# -- summary ----------------------------------------------------------------------------------


def _summarise(conn: psycopg.Connection, repository_id: int, stats: GraphStats) -> None:
    stats.nodes = dict(
        conn.execute(
            "SELECT kind, count(*) FROM graph_nodes WHERE repository_id = %s GROUP BY kind ORDER BY kind",
            (repository_id,),
        ).fetchall()
    )
    for type_, resolved, count in conn.execute(
        """SELECT type, dst IS NOT NULL, count(*) FROM graph_edges WHERE repository_id = %s
           GROUP BY 1, 2 ORDER BY 1""",
        (repository_id,),
    ):
        (stats.edges if resolved else stats.unresolved_edges)[type_] = count
    stats.isolated = isolated_definitions(conn, repository_id)


def isolated_definitions(conn: psycopg.Connection, repository_id: int) -> dict[str, Any]:
    """Definitions with no edge but `contains`: any resolved edge, and (strict) any edge that
    is not a guess (confidence 1). Interface members and abstract methods (method nodes without
    a chunk) are counted apart as 'member': they are signatures, not code, and often only
    implemented, never called by name. Class nodes without a chunk stand for an object literal
    that gets methods (`const provider = { now() {…} }`): counted apart as 'object', since
    their code is in their methods, which count as methods."""
    rows = conn.execute(
        """SELECT CASE WHEN n.kind = 'method' AND n.chunk_id IS NULL THEN 'member'
                       WHEN n.kind = 'class' AND n.chunk_id IS NULL THEN 'object' ELSE n.kind END, count(*),
                  count(*) FILTER (WHERE n.in_degree = 0 AND n.out_degree = 0),
                  count(*) FILTER (WHERE
                      NOT EXISTS (SELECT 1 FROM graph_edges e WHERE e.src = n.id AND e.dst IS NOT NULL
                                  AND e.type <> 'contains' AND e.confidence >= 1)
                      AND NOT EXISTS (SELECT 1 FROM graph_edges e WHERE e.dst = n.id
                                  AND e.type <> 'contains' AND e.confidence >= 1))
           FROM graph_nodes n WHERE n.repository_id = %s AND n.kind <> 'module'
           GROUP BY 1 ORDER BY 1""",
        (repository_id,),
    ).fetchall()
    by_kind = {kind: {"nodes": total, "isolated": iso, "isolated_strict": strict} for kind, total, iso, strict in rows}
    fc = [by_kind[k] for k in ("function", "method", "class") if k in by_kind]
    total = sum(k["nodes"] for k in fc)
    return {
        "by_kind": by_kind,
        "function_class_nodes": total,
        "function_class_isolated": sum(k["isolated"] for k in fc),
        "function_class_isolated_share": (sum(k["isolated"] for k in fc) / total) if total else None,
        "function_class_isolated_strict_share": (sum(k["isolated_strict"] for k in fc) / total) if total else None,
    }


def _record(conn: psycopg.Connection, stats: GraphStats) -> None:
    conn.execute(
        """INSERT INTO graph_builds (repository_id, built_at, duration_ms, node_count, edge_count, stats)
           VALUES (%s, now(), %s, %s, %s, %s)
           ON CONFLICT (repository_id) DO UPDATE SET built_at = now(), duration_ms = EXCLUDED.duration_ms,
               node_count = EXCLUDED.node_count, edge_count = EXCLUDED.edge_count, stats = EXCLUDED.stats""",
        (stats.repository_id, int(stats.duration_s * 1000), stats.node_count, stats.edge_count,
         json.dumps(stats.to_json())),
    )
