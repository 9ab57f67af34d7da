"""Metrics for the dashboard: distributions and top lists of complexity, coupling, PageRank,
and nodes and edges by type."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from mnemo.store import reports as queries
from mnemo.api.convert import to_jsonable
from mnemo.api.deps import RepoName, database, resolve_repository
from mnemo.api.routes.graph import _view_node
from mnemo.graph import query as gq
from mnemo.store.db import Database

router = APIRouter(prefix="/api", tags=["graph"])


@router.get("/repositories/{name}/metrics", summary="Distributions and top-N lists of the graph's metrics")
def metrics(
    name: RepoName,
    top: int = Query(10, ge=1, le=100, description="length of each top list"),
    db: Database = Depends(database),
) -> dict[str, Any]:
    repo = resolve_repository(db, name)
    with db.connect() as conn:
        data = queries.metrics(conn, repo["id"])
    # Top lists come from the graph stage, so the CLI's `mnemo graph top` and the UI agree.
    data["top"] = {
        by: [_view_node(n.to_dict()) for n in gq.top(db, name, by=by, limit=top)]
        for by in ("complexity", "coupling", "pagerank")
    }
    data["repository"] = name
    return to_jsonable(data)
