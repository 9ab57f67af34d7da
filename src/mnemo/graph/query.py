"""Questions to the code graph: callers, callees, impact, paths, top nodes, stats, and the views
the UI draws (a node's neighbourhood, an overview, the module graph).

Every walk is bounded (depth and result count, see MAX_DEPTH / MAX_LIMIT) and runs level by level
on the (dst, type) / (src, type) indexes, so a question about a hub never loads the whole graph.
A name that matches several definitions raises AmbiguousName with the candidates; a name can be
a node id, `Class.method`, a plain name, `path:name`, `path:line` or a file path.
Results are plain dataclasses with `to_dict()`, for the CLI's --json and the REST layer.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

import psycopg

from mnemo.config import ConfigError
from mnemo.store.db import Database
from mnemo.store.reads import UnknownRepository, get_repository

__all__ = [
    "TOP_BY",
    "AmbiguousName",
    "GraphNotBuilt",
    "GraphQueryError",
    "Link",
    "Node",
    "PathResult",
    "Reached",
    "UnknownName",
    "UnknownNode",
    "UnknownRepository",
    "callees",
    "callers",
    "find_nodes",
    "impact",
    "module_graph",
    "neighbourhood",
    "overview",
    "path",
    "stats",
    "top",
]

MAX_DEPTH = 10
MAX_LIMIT = 1000
MAX_VISITED = 100_000  # nodes a path search may visit before it gives up

IMPACT_TYPES = ("calls", "inherits", "implements", "imports")
PATH_TYPES = ("calls", "inherits", "implements", "imports")
TOP_BY = {
    "pagerank": "n.pagerank DESC",
    "degree": "(n.in_degree + n.out_degree) DESC",
    "in_degree": "n.in_degree DESC",
    "out_degree": "n.out_degree DESC",
    "complexity": "n.complexity DESC NULLS LAST",
    "loc": "n.loc DESC NULLS LAST",
    "coupling": "(coalesce(n.afferent, 0) + coalesce(n.efferent, 0)) DESC",
    "afferent": "n.afferent DESC NULLS LAST",
    "efferent": "n.efferent DESC NULLS LAST",
    "instability": "n.instability DESC NULLS LAST",
}
_MODULE_METRICS = {"coupling", "afferent", "efferent", "instability"}


class GraphQueryError(ConfigError):
    """A graph question that cannot be answered as asked (the CLI's exit code 2)."""


class UnknownName(GraphQueryError):
    def __init__(self, name: str, repository: str) -> None:
        self.name = name
        super().__init__(f"no definition matches {name!r} in repository {repository!r}")


class UnknownNode(GraphQueryError):
    def __init__(self, node_id: int) -> None:
        self.node_id = node_id
        super().__init__(f"no graph node with id {node_id}")


class AmbiguousName(GraphQueryError):
    """Several definitions match; `candidates` lists them (ask for a qualified name or a path)."""

    def __init__(self, name: str, candidates: list[Node]) -> None:
        self.name = name
        self.candidates = candidates
        shown = "; ".join(f"{c.path}:{c.start_line} {c.qualified_name} ({c.kind})" for c in candidates[:10])
        more = f" and {len(candidates) - 10} more" if len(candidates) > 10 else ""
        super().__init__(
            f"{name!r} matches {len(candidates)} definitions: {shown}{more}; "
            "give a qualified name (Class.method), PATH:NAME, PATH:LINE or a node id"
        )


class GraphNotBuilt(GraphQueryError):
    def __init__(self, repository: str) -> None:
        super().__init__(f"repository {repository!r} has no graph yet; run `mnemo graph build {repository}`")


@dataclass
class Node:
    id: int
    kind: str
    name: str
    qualified_name: str
    path: str
    language: str
    start_line: int | None
    end_line: int | None
    chunk_id: int | None = None
    exported: bool = False
    pagerank: float = 0.0
    in_degree: int = 0
    out_degree: int = 0
    complexity: int | None = None
    loc: int | None = None
    afferent: int | None = None
    efferent: int | None = None
    instability: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_NODE_SELECT = (
    "n.id, n.kind, n.name, n.qualified_name, n.path, n.language, n.start_line, n.end_line, n.chunk_id, "
    "n.exported, n.pagerank, n.in_degree, n.out_degree, n.complexity, n.loc, n.afferent, n.efferent, n.instability"
)


def _node(row: tuple) -> Node:
    return Node(*row)


@dataclass
class Link:
    """An edge seen from one end: the node at the other end (None for an external target)."""

    node: Node | None
    type: str
    resolution: str
    confidence: float
    line: int | None
    sites: int
    target: str | None = None  # the name as written, for external/unresolved/ambiguous calls

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node.to_dict() if self.node else None,
            "type": self.type, "resolution": self.resolution, "confidence": self.confidence,
            "line": self.line, "sites": self.sites, "target": self.target,
        }


@dataclass
class Reached:
    """A node found by `impact`: how many hops away, and the best confidence of a path to it."""

    node: Node
    depth: int
    via: str  # the edge type of the last hop
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node.to_dict(), "depth": self.depth, "via": self.via, "confidence": self.confidence}


@dataclass
class PathResult:
    """The shortest path from a to b (empty nodes: none within max_depth)."""

    nodes: list[Node] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.nodes)

    def to_dict(self) -> dict[str, Any]:
        return {"found": self.found, "nodes": [n.to_dict() for n in self.nodes], "edges": self.edges}


# -- helpers ----------------------------------------------------------------------------------


def _repository_id(conn: psycopg.Connection, repository: str | int) -> tuple[int, str]:
    if isinstance(repository, int):
        row = conn.execute("SELECT id, name FROM repositories WHERE id = %s", (repository,)).fetchone()
        if row is None:
            raise UnknownRepository(f"#{repository}")
        return row[0], row[1]
    repo = get_repository(conn, repository)
    return repo.id, repo.name


def _bounded(value: int, upper: int, what: str) -> int:
    value = int(value)
    if value < 1:
        raise GraphQueryError(f"{what} must be at least 1")
    return min(value, upper)


def _nodes_by_ids(conn: psycopg.Connection, ids) -> dict[int, Node]:
    ids = list(ids)
    if not ids:
        return {}
    rows = conn.execute(f"SELECT {_NODE_SELECT} FROM graph_nodes n WHERE n.id = ANY(%s)", (ids,)).fetchall()
    return {row[0]: _node(row) for row in rows}


_PATH_LINE = re.compile(r"^(?P<path>.+):(?P<line>\d+)$")


def _find(conn: psycopg.Connection, repository_id: int, name: str | int) -> list[Node]:
    """Every node `name` may mean, most specific reading first (see the module docstring)."""
    if isinstance(name, int) or (isinstance(name, str) and name.lstrip("#").isdigit()):
        node_id = int(str(name).lstrip("#"))
        row = conn.execute(
            f"SELECT {_NODE_SELECT} FROM graph_nodes n WHERE n.id = %s AND n.repository_id = %s",
            (node_id, repository_id),
        ).fetchone()
        return [_node(row)] if row else []
    text = name.strip()
    match = _PATH_LINE.match(text)
    if match:
        return _at_line(conn, repository_id, match["path"], int(match["line"]))
    if ":" in text:
        file_part, _, symbol = text.rpartition(":")
        return _select(
            conn,
            "n.repository_id = %s AND (n.path = %s OR n.path LIKE %s) AND n.kind <> 'module' "
            "AND (n.qualified_name = %s OR n.name = %s)",
            (repository_id, file_part, "%/" + _like(file_part), symbol, symbol),
        )
    for where, params in (
        ("n.repository_id = %s AND n.qualified_name = %s AND n.kind <> 'module'", (repository_id, text)),
        ("n.repository_id = %s AND n.name = %s AND n.kind <> 'module'", (repository_id, text)),
        ("n.repository_id = %s AND n.kind = 'module' AND (n.path = %s OR n.path LIKE %s)",
         (repository_id, text, "%/" + _like(text))),
    ):
        found = _select(conn, where, params)
        if found:
            return found
    return []


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _select(conn: psycopg.Connection, where: str, params: tuple, limit: int = 200) -> list[Node]:
    rows = conn.execute(
        f"SELECT {_NODE_SELECT} FROM graph_nodes n WHERE {where} ORDER BY n.path, n.start_line LIMIT {limit}",
        params,
    ).fetchall()
    return [_node(r) for r in rows]


def _at_line(conn: psycopg.Connection, repository_id: int, path: str, line: int) -> list[Node]:
    """The innermost definition around PATH:LINE (the module if none)."""
    rows = conn.execute(
        f"""SELECT {_NODE_SELECT} FROM graph_nodes n
            WHERE n.repository_id = %s AND (n.path = %s OR n.path LIKE %s)
              AND n.start_line <= %s AND n.end_line >= %s
            ORDER BY n.path, (n.kind = 'module'), n.end_line - n.start_line LIMIT 50""",
        (repository_id, path, "%/" + _like(path), line, line),
    ).fetchall()
    if not rows:
        return []
    by_path: dict[str, Node] = {}
    for row in rows:
        by_path.setdefault(row[4], _node(row))
    return list(by_path.values())


def _one(conn: psycopg.Connection, repository: str | int, name: str | int) -> tuple[int, Node]:
    repository_id, repo_name = _repository_id(conn, repository)
    found = _find(conn, repository_id, name)
    if not found:
        if isinstance(name, int) or str(name).lstrip("#").isdigit():
            raise UnknownNode(int(str(name).lstrip("#")))
        raise UnknownName(str(name), repo_name)
    if len(found) > 1:
        raise AmbiguousName(str(name), found)
    return repository_id, found[0]


# -- public API -------------------------------------------------------------------------------


def find_nodes(database: Database, repository: str | int, name: str | int) -> list[Node]:
    """Every definition (or module) `name` may mean; empty when none."""
    with database.connect() as conn:
        repository_id, _ = _repository_id(conn, repository)
        return _find(conn, repository_id, name)


def get_node(database: Database, repository: str | int, name_or_id: str | int) -> Node:
    """The one node `name_or_id` means; raises UnknownName/UnknownNode/AmbiguousName."""
    with database.connect() as conn:
        return _one(conn, repository, name_or_id)[1]


def callers(database: Database, repository: str | int, name_or_id: str | int, limit: int = 50) -> list[Link]:
    """Who calls this definition (incoming `calls` edges), the most certain first."""
    limit = _bounded(limit, MAX_LIMIT, "limit")
    with database.connect() as conn:
        _, node = _one(conn, repository, name_or_id)
        rows = conn.execute(
            f"""SELECT {_NODE_SELECT}, e.type, e.resolution, e.confidence, e.line, e.sites, e.target
                FROM graph_edges e JOIN graph_nodes n ON n.id = e.src
                WHERE e.dst = %s AND e.type = 'calls'
                ORDER BY e.confidence DESC, n.path, e.line LIMIT %s""",
            (node.id, limit),
        ).fetchall()
    return [Link(_node(r[:18]), *r[18:]) for r in rows]


def callees(database: Database, repository: str | int, name_or_id: str | int, limit: int = 50) -> list[Link]:
    """What this definition calls: local nodes, and external/builtin/unresolved names as text."""
    limit = _bounded(limit, MAX_LIMIT, "limit")
    with database.connect() as conn:
        _, node = _one(conn, repository, name_or_id)
        rows = conn.execute(
            """SELECT e.dst, e.type, e.resolution, e.confidence, e.line, e.sites, e.target
               FROM graph_edges e WHERE e.src = %s AND e.type = 'calls'
               ORDER BY e.dst IS NULL, e.line NULLS LAST, e.confidence DESC LIMIT %s""",
            (node.id, limit),
        ).fetchall()
        nodes = _nodes_by_ids(conn, [r[0] for r in rows if r[0] is not None])
    return [Link(nodes.get(r[0]) if r[0] is not None else None, *r[1:]) for r in rows]


def impact(
    database: Database, repository: str | int, name_or_id: str | int, depth: int = 3, limit: int = 200
) -> list[Reached]:
    """What may break if this changes: transitive callers, subclasses, implementors and (for a
    module) importers, up to `depth` hops. A class or module counts its members as changed too."""
    depth = _bounded(depth, MAX_DEPTH, "depth")
    limit = _bounded(limit, MAX_LIMIT, "limit")
    with database.connect() as conn:
        _, node = _one(conn, repository, name_or_id)
        seeds = {node.id}
        if node.kind in ("class", "interface", "module"):
            seeds |= _contained(conn, node.id)
        best: dict[int, tuple[int, str, float]] = {}
        frontier = {n: 1.0 for n in seeds}
        for level in range(1, depth + 1):
            if not frontier or len(best) >= limit:
                break
            rows = conn.execute(
                """SELECT e.src, e.dst, e.type, e.confidence FROM graph_edges e
                   WHERE e.dst = ANY(%s) AND e.type = ANY(%s)""",
                (list(frontier), list(IMPACT_TYPES)),
            ).fetchall()
            following: dict[int, float] = {}
            for src, dst, type_, confidence in rows:
                if src in seeds:
                    continue
                reach = frontier[dst] * confidence
                if src not in best:
                    if len(best) >= limit:
                        continue
                    best[src] = (level, type_, reach)
                    following[src] = reach
                elif best[src][0] == level and reach > best[src][2]:
                    best[src] = (level, type_, reach)
                    following[src] = reach
            frontier = following
        nodes = _nodes_by_ids(conn, best)
    reached = [Reached(nodes[i], d, via, round(c, 4)) for i, (d, via, c) in best.items() if i in nodes]
    reached.sort(key=lambda r: (r.depth, -r.confidence, r.node.path, r.node.start_line or 0))
    return reached


def _contained(conn: psycopg.Connection, node_id: int) -> set[int]:
    """Definitions inside a class or module (two levels: a module's classes' methods)."""
    rows = conn.execute(
        """WITH RECURSIVE inner_nodes(id, level) AS (
               SELECT dst, 1 FROM graph_edges WHERE src = %s AND type = 'contains'
               UNION
               SELECT e.dst, i.level + 1 FROM graph_edges e JOIN inner_nodes i ON e.src = i.id
               WHERE e.type = 'contains' AND i.level < 3)
           SELECT id FROM inner_nodes LIMIT 10000""",
        (node_id,),
    ).fetchall()
    return {r[0] for r in rows}


def path(
    database: Database, repository: str | int, a: str | int, b: str | int, max_depth: int = 6
) -> PathResult:
    """The shortest chain of calls (or inherits/implements/imports) from a to b."""
    max_depth = _bounded(max_depth, MAX_DEPTH, "max_depth")
    with database.connect() as conn:
        _, start = _one(conn, repository, a)
        _, goal = _one(conn, repository, b)
        if start.id == goal.id:
            return PathResult([start], [])
        parents: dict[int, tuple[int, tuple]] = {}
        frontier = [start.id]
        seen = {start.id}
        for _ in range(max_depth):
            if not frontier or goal.id in parents or len(seen) > MAX_VISITED:
                break
            rows = conn.execute(
                """SELECT e.src, e.dst, e.type, e.resolution, e.confidence, e.line FROM graph_edges e
                   WHERE e.src = ANY(%s) AND e.dst IS NOT NULL AND e.type = ANY(%s)
                   ORDER BY e.confidence DESC""",
                (frontier, list(PATH_TYPES)),
            ).fetchall()
            following = []
            for src, dst, type_, resolution, confidence, line in rows:
                if dst in seen:
                    continue
                seen.add(dst)
                parents[dst] = (src, (type_, resolution, confidence, line))
                following.append(dst)
            frontier = following
        if goal.id not in parents:
            return PathResult()
        chain, edges = [goal.id], []
        while chain[-1] != start.id:
            src, (type_, resolution, confidence, line) = parents[chain[-1]]
            edges.append({"src": src, "dst": chain[-1], "type": type_, "resolution": resolution,
                          "confidence": confidence, "line": line})
            chain.append(src)
        chain.reverse()
        edges.reverse()
        nodes = _nodes_by_ids(conn, chain)
    return PathResult([nodes[i] for i in chain], edges)


def top(
    database: Database, repository: str | int, by: str = "pagerank", limit: int = 20, kind: str | None = None
) -> list[Node]:
    """The nodes that matter most by a metric. kind=None: definitions (not modules), except for
    the module metrics (coupling, afferent, efferent, instability), which rank modules."""
    if by not in TOP_BY:
        raise GraphQueryError(f"unknown metric {by!r}; choose one of: {', '.join(TOP_BY)}")
    limit = _bounded(limit, MAX_LIMIT, "limit")
    with database.connect() as conn:
        repository_id, _ = _repository_id(conn, repository)
        if kind is None:
            kind_filter, params = (
                ("n.kind = 'module'", ()) if by in _MODULE_METRICS else ("n.kind <> 'module'", ())
            )
        else:
            kind_filter, params = "n.kind = %s", (kind,)
        rows = conn.execute(
            f"""SELECT {_NODE_SELECT} FROM graph_nodes n WHERE n.repository_id = %s AND {kind_filter}
                ORDER BY {TOP_BY[by]}, n.path, n.start_line LIMIT %s""",
            (repository_id, *params, limit),
        ).fetchall()
    return [_node(r) for r in rows]


def stats(database: Database, repository: str | int) -> dict[str, Any]:
    """Nodes and edges by type, isolated share, resolution rates, and the last build's figures."""
    from mnemo.graph.build import isolated_definitions

    with database.connect() as conn:
        repository_id, name = _repository_id(conn, repository)
        build = conn.execute(
            "SELECT built_at, duration_ms, stats FROM graph_builds WHERE repository_id = %s", (repository_id,)
        ).fetchone()
        if build is None:
            raise GraphNotBuilt(name)
        nodes = dict(conn.execute(
            "SELECT kind, count(*) FROM graph_nodes WHERE repository_id = %s GROUP BY kind ORDER BY kind",
            (repository_id,),
        ).fetchall())
        by_resolution: dict[str, dict[str, int]] = {}
        resolved: dict[str, int] = {}
        without_target: dict[str, int] = {}
        for type_, resolution, has_target, count in conn.execute(
            """SELECT type, resolution, dst IS NOT NULL, count(*) FROM graph_edges WHERE repository_id = %s
               GROUP BY 1, 2, 3 ORDER BY 1, 2, 3""",
            (repository_id,),
        ):
            by_resolution.setdefault(type_, {})
            by_resolution[type_][resolution] = by_resolution[type_].get(resolution, 0) + count
            bucket = resolved if has_target else without_target
            bucket[type_] = bucket.get(type_, 0) + count
        isolated = isolated_definitions(conn, repository_id)
    saved = build[2] or {}
    return {
        "repository": name,
        "built_at": build[0].isoformat(),
        "build_seconds": build[1] / 1000,
        "nodes": nodes,
        "definition_nodes": sum(v for k, v in nodes.items() if k != "module"),
        "module_nodes": nodes.get("module", 0),
        "edges": resolved,  # with a target node
        "edges_without_target": without_target,  # external, builtin, local, unresolved, ambiguous
        "edges_by_resolution": by_resolution,
        "isolated": isolated,
        "calls": saved.get("calls", {}),
        "pagerank": saved.get("pagerank", {}),
    }


def neighbourhood(
    database: Database, repository: str | int, node_id: int, depth: int = 1, limit: int = 300
) -> dict[str, Any]:
    """The nodes within `depth` hops of a node (both directions, every edge type) and the edges
    among them, for the UI's graph view."""
    depth = _bounded(depth, MAX_DEPTH, "depth")
    limit = _bounded(limit, MAX_LIMIT, "limit")
    with database.connect() as conn:
        repository_id, _ = _repository_id(conn, repository)
        row = conn.execute(
            "SELECT id FROM graph_nodes WHERE id = %s AND repository_id = %s", (int(node_id), repository_id)
        ).fetchone()
        if row is None:
            raise UnknownNode(int(node_id))
        seen = {int(node_id)}
        frontier = [int(node_id)]
        for _ in range(depth):
            if not frontier or len(seen) >= limit:
                break
            rows = conn.execute(
                """SELECT e.dst FROM graph_edges e WHERE e.src = ANY(%s) AND e.dst IS NOT NULL
                   UNION SELECT e.src FROM graph_edges e WHERE e.dst = ANY(%s)""",
                (frontier, frontier),
            ).fetchall()
            following = [r[0] for r in rows if r[0] not in seen][: max(limit - len(seen), 0)]
            seen.update(following)
            frontier = following
        return {"center": int(node_id), **_subgraph(conn, seen, types=None)}


def overview(database: Database, repository: str | int, limit: int = 200) -> dict[str, Any]:
    """The top definitions by PageRank and the edges among them (no `contains`)."""
    limit = _bounded(limit, MAX_LIMIT, "limit")
    with database.connect() as conn:
        repository_id, _ = _repository_id(conn, repository)
        ids = [r[0] for r in conn.execute(
            """SELECT id FROM graph_nodes WHERE repository_id = %s AND kind <> 'module'
               ORDER BY pagerank DESC, id LIMIT %s""",
            (repository_id, limit),
        )]
        return _subgraph(conn, set(ids), types=("calls", "inherits", "implements"))


def _subgraph(conn: psycopg.Connection, ids: set[int], types: tuple[str, ...] | None) -> dict[str, Any]:
    nodes = _nodes_by_ids(conn, ids)
    type_filter = "AND e.type = ANY(%s)" if types else ""
    params: tuple = (list(ids), list(ids), list(types)) if types else (list(ids), list(ids))
    rows = conn.execute(
        f"""SELECT e.id, e.src, e.dst, e.type, e.resolution, e.confidence, e.line, e.sites FROM graph_edges e
            WHERE e.src = ANY(%s) AND e.dst = ANY(%s) {type_filter} ORDER BY e.id""",
        params,
    ).fetchall()
    edges = [
        dict(zip(("id", "src", "dst", "type", "resolution", "confidence", "line", "sites"), r)) for r in rows
    ]
    ordered = sorted(nodes.values(), key=lambda n: -n.pagerank)
    return {"nodes": [n.to_dict() for n in ordered], "edges": edges}


def module_graph(database: Database, repository: str | int, limit: int = 300) -> dict[str, Any]:
    """Module nodes (the most coupled first) and module → module dependencies: `imports` when
    the file imports the other, `calls` counting the resolved edges between their definitions."""
    limit = _bounded(limit, MAX_LIMIT, "limit")
    with database.connect() as conn:
        repository_id, _ = _repository_id(conn, repository)
        rows = conn.execute(
            f"""SELECT {_NODE_SELECT} FROM graph_nodes n WHERE n.repository_id = %s AND n.kind = 'module'
                ORDER BY (coalesce(n.afferent, 0) + coalesce(n.efferent, 0)) DESC, n.pagerank DESC, n.path
                LIMIT %s""",
            (repository_id, limit),
        ).fetchall()
        modules = [_node(r) for r in rows]
        ids = [m.id for m in modules]
        edges = conn.execute(
            """SELECT sm.id, dm.id, bool_or(e.type = 'imports'),
                      count(*) FILTER (WHERE e.type = 'calls'), coalesce(sum(e.sites) FILTER (WHERE e.type = 'calls'), 0),
                      count(*) FILTER (WHERE e.type IN ('inherits', 'implements'))
               FROM graph_edges e
               JOIN graph_nodes s ON s.id = e.src
               JOIN graph_nodes d ON d.id = e.dst
               JOIN graph_nodes sm ON sm.file_id = s.file_id AND sm.kind = 'module'
               JOIN graph_nodes dm ON dm.file_id = d.file_id AND dm.kind = 'module'
               WHERE e.repository_id = %s AND e.type <> 'contains' AND s.file_id <> d.file_id
                 AND sm.id = ANY(%s) AND dm.id = ANY(%s)
               GROUP BY 1, 2 ORDER BY 1, 2""",
            (repository_id, ids, ids),
        ).fetchall()
    return {
        "nodes": [m.to_dict() for m in modules],
        "edges": [
            {"src": s, "dst": d, "imports": imp, "calls": calls, "call_sites": int(sites), "inherits": inh}
            for s, d, imp, calls, sites, inh in edges
        ],
    }
