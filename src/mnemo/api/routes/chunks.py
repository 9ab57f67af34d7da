"""One chunk: its source and metadata, from the database.

Source is what was stored when the file was indexed; the API never opens files on disk for it,
so no request can read a file the index does not already hold.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path

from mnemo.store import reports as queries
from mnemo.api.convert import to_jsonable
from mnemo.api.deps import database
from mnemo.api.errors import ApiError
from mnemo.store.db import Database

router = APIRouter(prefix="/api", tags=["chunks"])

ChunkId = Path(..., ge=1, le=2**63 - 1, description="chunk id (from search results or graph nodes)")


@router.get("/chunks/{chunk_id}", summary="A chunk with its source code and metadata")
def get_chunk(chunk_id: int = ChunkId, db: Database = Depends(database)) -> dict[str, Any]:
    with db.connect() as conn:
        row = queries.chunk(conn, chunk_id)
        node = _node_for_chunk(conn, chunk_id) if row else None
    if row is None:
        raise ApiError(404, f"no chunk with id {chunk_id}")
    data = to_jsonable(row)
    data["node_id"] = node
    return data


def _node_for_chunk(conn: Any, chunk_id: int) -> Any:
    """The graph node built from this chunk, so the UI can jump from code to graph."""
    if not queries.has_table(conn, "graph_nodes"):
        return None
    # A split definition's node points at part 1; later parts find it by file and name.
    row = conn.execute(
        "SELECT n.id FROM graph_nodes n JOIN chunks c ON c.file_id = n.file_id "
        "WHERE c.id = %s AND (n.chunk_id = c.id OR n.qualified_name = c.qualified_name) "
        "ORDER BY (n.chunk_id = c.id) DESC, n.id LIMIT 1",
        (chunk_id,),
    ).fetchone()
    return row[0] if row else None
