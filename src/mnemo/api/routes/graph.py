"""The code graph over HTTP: bounded views for drawing (top nodes by PageRank, a node's
neighbourhood, the module graph), one node with its code, and the graph questions (callers,
callees, impact, path, top, stats).

Views return one shape the UI can draw directly:
    {"nodes": [{id, label, kind, path, module, pagerank, ...}], "edges": [{source, target, type, weight}],
     "total_nodes", "truncated"}
Every view is bounded by `limit` (≤ 500) and `depth` (≤ 5): a browser cannot hold or lay out a
100,000-node repository, and one request must not walk all of it.
"""

from __future__ import annotations

import posixpath
from typing import Any, Literal

from fastapi import APIRouter, Depends, Path, Query

from mnemo.store import reports as queries
from mnemo.api.convert import to_jsonable
from mnemo.api.deps import Depth, Limit, RepoName, SymbolName, database, resolve_repository
from mnemo.graph import query as gq
from mnemo.store.db import Database

router = APIRouter(prefix="/api/repositories/{name}", tags=["graph"])

NodeId = Path(..., ge=1, le=2**63 - 1, description="graph node id")
Metric = Literal["pagerank", "degree", "in_degree", "out_degree", "complexity", "loc", "coupling",
                 "afferent", "efferent", "instability"]
MAX_PATH_HOPS = 10


def _module_of(path: str) -> str:
    """The directory a node lives in: what "colour by module" groups on."""
    return posixpath.dirname(path) or "."


def _view_node(node: dict[str, Any], *, module_view: bool = False) -> dict[str, Any]:
    out = dict(node)
    out["label"] = posixpath.basename(node["path"]) if module_view or node["kind"] == "module" else node["qualified_name"]
    out["module"] = _module_of(node["path"])
    out["coupling"] = (node.get("afferent") or 0) + (node.get("efferent") or 0) if node["kind"] == "module" \
        else node.get("in_degree", 0) + node.get("out_degree", 0)
    return out


def _view_edges(edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": e.get("id"), "source": e["src"], "target": e["dst"], "type": e["type"],
         "weight": e.get("sites") or 1, "resolution": e.get("resolution"), "confidence": e.get("confidence")}
        for e in edges
    ]


def _count_nodes(db: Database, repository_id: int, *, modules: bool) -> int:
    with db.connect() as conn:
        op = "=" if modules else "<>"
        return conn.execute(
            f"SELECT count(*) FROM graph_nodes WHERE repository_id = %s AND kind {op} 'module'", (repository_id,)
        ).fetchone()[0]


@router.get("/graph", summary="Overview: the top definitions by PageRank and the edges among them")
def overview(name: RepoName, limit: Limit = 150, db: Database = Depends(database)) -> dict[str, Any]:
    repo = resolve_repository(db, name)
    data = gq.overview(db, name, limit=limit)
    total = _count_nodes(db, repo["id"], modules=False)
    nodes = [_view_node(n) for n in data["nodes"]]
    return to_jsonable({
        "view": "overview", "repository": name, "nodes": nodes, "edges": _view_edges(data["edges"]),
        "total_nodes": total, "truncated": total > len(nodes), "limit": limit,
    })


@router.get("/graph/modules", summary="Module view: files as nodes, imports and cross-file calls as edges")
def modules(name: RepoName, limit: Limit = 150, db: Database = Depends(database)) -> dict[str, Any]:
    repo = resolve_repository(db, name)
    data = gq.module_graph(db, name, limit=limit)
    total = _count_nodes(db, repo["id"], modules=True)
    nodes = [_view_node(n, module_view=True) for n in data["nodes"]]
    edges = [
        {"source": e["src"], "target": e["dst"], "type": "imports" if e["imports"] else ("calls" if e["calls"] else "inherits"),
         "weight": max(1, e["call_sites"]), "imports": e["imports"], "calls": e["calls"],
         "call_sites": e["call_sites"], "inherits": e["inherits"]}
        for e in data["edges"]
    ]
    return to_jsonable({
        "view": "modules", "repository": name, "nodes": nodes, "edges": edges,
        "total_nodes": total, "truncated": total > len(nodes), "limit": limit,
    })


@router.get("/graph/nodes/{node_id}/neighbourhood", summary="The nodes within `depth` hops of a node, and their edges")
def neighbourhood(
    name: RepoName, node_id: int = NodeId, depth: Depth = 1, limit: Limit = 200, db: Database = Depends(database)
) -> dict[str, Any]:
    resolve_repository(db, name)
    data = gq.neighbourhood(db, name, node_id, depth=depth, limit=limit)
    nodes = [_view_node(n) for n in data["nodes"]]
    return to_jsonable({
        "view": "neighbourhood", "repository": name, "center": data["center"], "depth": depth,
        "nodes": nodes, "edges": _view_edges(data["edges"]), "total_nodes": None,
        "truncated": len(nodes) >= limit, "limit": limit,
    })


def _link(link: Any) -> dict[str, Any]:
    """A caller or callee: the node at the other end, or the external name as written."""
    data = to_jsonable(link)
    node = data.pop("node")
    if node is None:
        return {"id": None, "name": data.get("target"), "qualified_name": data.get("target"), "external": True, **data}
    return {**node, "external": False, **data}


@router.get("/graph/nodes/{node_id}", summary="One node: its metrics, its code (from the index), callers and callees")
def node_detail(
    name: RepoName, node_id: int = NodeId, limit: Limit = 50, db: Database = Depends(database)
) -> dict[str, Any]:
    resolve_repository(db, name)
    node = gq.get_node(db, name, node_id)
    callers = gq.callers(db, name, node.id, limit=limit) if node.kind != "module" else []
    callees = gq.callees(db, name, node.id, limit=limit) if node.kind != "module" else []
    chunk = None
    if node.chunk_id is not None:
        with db.connect() as conn:
            chunk = queries.chunk(conn, node.chunk_id)
    return to_jsonable({
        "repository": name,
        "node": _view_node(node.to_dict()),
        "chunk": chunk,
        "callers": [_link(l) for l in callers],
        "callees": [_link(l) for l in callees],
    })


@router.get("/nodes", summary="Find the nodes a name may mean (name, Class.method, path:name, path:line, id)")
def find_nodes(name: RepoName, symbol: SymbolName, db: Database = Depends(database)) -> dict[str, Any]:
    resolve_repository(db, name)
    found = gq.find_nodes(db, name, symbol)
    return to_jsonable({"repository": name, "symbol": symbol, "nodes": [_view_node(n.to_dict()) for n in found]})


@router.get("/callers", summary="Who calls a definition")
def callers(name: RepoName, symbol: SymbolName, limit: Limit = 50, db: Database = Depends(database)) -> dict[str, Any]:
    resolve_repository(db, name)
    node = gq.get_node(db, name, symbol)
    links = gq.callers(db, name, node.id, limit=limit)
    return to_jsonable({"repository": name, "node": node.to_dict(), "callers": [_link(l) for l in links]})


@router.get("/callees", summary="What a definition calls (local nodes and external names)")
def callees(name: RepoName, symbol: SymbolName, limit: Limit = 50, db: Database = Depends(database)) -> dict[str, Any]:
    resolve_repository(db, name)
    node = gq.get_node(db, name, symbol)
    links = gq.callees(db, name, node.id, limit=limit)
    return to_jsonable({"repository": name, "node": node.to_dict(), "callees": [_link(l) for l in links]})


@router.get("/impact", summary="What may break if a definition changes: transitive callers, subclasses, importers")
def impact(
    name: RepoName, symbol: SymbolName, depth: Depth = 3, limit: Limit = 200, db: Database = Depends(database)
) -> dict[str, Any]:
    resolve_repository(db, name)
    node = gq.get_node(db, name, symbol)
    reached = gq.impact(db, name, node.id, depth=depth, limit=limit)
    items = [{**r.node.to_dict(), "depth": r.depth, "via": r.via, "confidence": r.confidence} for r in reached]
    return to_jsonable({"repository": name, "node": node.to_dict(), "depth": depth, "total": len(items), "nodes": items})


@router.get("/path", summary="The shortest chain of calls (or imports, inheritance) from one definition to another")
def path(
    name: RepoName,
    source: str = Query(..., alias="from", min_length=1, max_length=300),
    target: str = Query(..., alias="to", min_length=1, max_length=300),
    max_depth: int = Query(6, ge=1, le=MAX_PATH_HOPS, description=f"longest path searched, 1–{MAX_PATH_HOPS} hops"),
    db: Database = Depends(database),
) -> dict[str, Any]:
    resolve_repository(db, name)
    result = gq.path(db, name, source, target, max_depth=max_depth)
    return to_jsonable({"repository": name, **result.to_dict(), "hops": max(0, len(result.nodes) - 1)})


@router.get("/top", summary="The nodes that matter most by a metric")
def top(
    name: RepoName,
    by: Metric = "pagerank",
    limit: Limit = 20,
    kind: Literal["module", "function", "method", "class", "interface"] | None = None,
    db: Database = Depends(database),
) -> dict[str, Any]:
    resolve_repository(db, name)
    nodes = gq.top(db, name, by=by, limit=limit, kind=kind)
    return to_jsonable({"repository": name, "by": by, "nodes": [_view_node(n.to_dict()) for n in nodes]})


@router.get("/graph/stats", summary="Nodes and edges by type and resolution, and the last build's figures")
def stats(name: RepoName, db: Database = Depends(database)) -> dict[str, Any]:
    resolve_repository(db, name)
    return to_jsonable(gq.stats(db, name))

