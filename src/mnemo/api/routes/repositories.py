"""Repositories: list with statistics, one repository, its files, deletion."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from mnemo.store import reports as queries
from mnemo.api.convert import to_jsonable
from mnemo.api.deps import MAX_NAME, Limit, Offset, RepoName, database, resolve_repository
from mnemo.api.errors import ApiError
from mnemo.api.security import require_write
from mnemo.store import writes
from mnemo.store.db import Database

router = APIRouter(prefix="/api", tags=["repositories"])


@router.get("/repositories", summary="Indexed repositories with counts of files, chunks, nodes and edges")
def list_repositories(
    q: str | None = Query(None, max_length=MAX_NAME, description="keep names or roots containing this (any case)"),
    limit: Limit = 100,
    offset: Offset = 0,
    db: Database = Depends(database),
) -> dict[str, Any]:
    """One page of repositories by name; `total` says how many match, so a picker over hundreds
    of repositories fetches a page and a filter instead of all of them with their counts."""
    search = q.strip() if q else None
    with db.connect() as conn:
        rows = queries.repositories_with_stats(conn, search=search, limit=limit, offset=offset)
        total = queries.count_repositories(conn, search)
    return {"repositories": to_jsonable(rows), "total": total, "limit": limit, "offset": offset, "q": search}


@router.get("/repositories/{name}", summary="One repository with its statistics and last run")
def get_repository(name: RepoName, db: Database = Depends(database)) -> dict[str, Any]:
    resolve_repository(db, name)
    with db.connect() as conn:
        rows = queries.repositories_with_stats(conn, name)
    return to_jsonable(rows[0])


@router.get("/repositories/{name}/files", summary="Files of a repository, with their indexing status")
def list_files(
    name: RepoName,
    status: Literal["indexed", "partial", "failed"] | None = Query(None),
    limit: Limit = 100,
    offset: Offset = 0,
    db: Database = Depends(database),
) -> dict[str, Any]:
    repo = resolve_repository(db, name)
    with db.connect() as conn:
        rows = queries.files(conn, repo["id"], status=status, limit=limit, offset=offset)
    return {"repository": name, "files": to_jsonable(rows), "limit": limit, "offset": offset}


@router.get("/repositories/{name}/file", summary="The chunks of one file (from the index, not the disk)")
def file_chunks(
    name: RepoName,
    path: str = Query(..., min_length=1, max_length=4096, description="path relative to the repository root"),
    limit: Limit = 200,
    db: Database = Depends(database),
) -> dict[str, Any]:
    repo = resolve_repository(db, name)
    with db.connect() as conn:
        rows = queries.file_chunks(conn, repo["id"], path, limit)
    if not rows:
        raise ApiError(404, f"no indexed chunks for {path!r} in {name!r}")
    return {"repository": name, "path": path, "chunks": to_jsonable(rows)}


@router.delete(
    "/repositories/{name}",
    summary="Delete a repository and everything indexed from it",
    dependencies=[Depends(require_write)],
)
def delete_repository(name: RepoName, request: Request, db: Database = Depends(database)) -> dict[str, Any]:
    repo = resolve_repository(db, name)
    busy = ApiError(409, f"repository {name!r} is being indexed; wait for the run to finish, then delete it")
    if request.app.state.jobs.busy_with(repo["name"], repo["root"]):
        raise busy
    with db.connect(autocommit=True) as conn:
        # The indexer's per-repository lock: also refuses while a CLI run is writing it.
        if not writes.try_lock_repository(conn, repo["name"]):
            raise busy
        chunks = conn.execute("SELECT count(*) FROM chunks WHERE repository_id = %s", (repo["id"],)).fetchone()[0]
        writes.delete_repository(conn, repo["name"])
    return {"deleted": name, "id": repo["id"], "chunks": int(chunks)}
