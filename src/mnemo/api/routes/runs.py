"""Indexing runs (the durable record in index_runs) and their errors."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query

from mnemo.store import reports as queries
from mnemo.api.convert import to_jsonable
from mnemo.api.deps import MAX_NAME, Limit, Offset, RepoName, database, resolve_repository
from mnemo.api.errors import ApiError
from mnemo.store.db import Database

router = APIRouter(prefix="/api", tags=["indexing"])


@router.get("/runs", summary="The last indexing runs, newest first, optionally of one repository")
def list_runs(
    repository: str | None = Query(None, min_length=1, max_length=MAX_NAME),
    limit: Limit = 20,
    db: Database = Depends(database),
) -> dict[str, Any]:
    repo_id = resolve_repository(db, repository)["id"] if repository else None
    with db.connect() as conn:
        rows = queries.runs(conn, repo_id, limit)
    return {"runs": to_jsonable(rows)}


@router.get("/repositories/{name}/runs", summary="The last indexing runs of a repository")
def repository_runs(name: RepoName, limit: Limit = 20, db: Database = Depends(database)) -> dict[str, Any]:
    repo = resolve_repository(db, name)
    with db.connect() as conn:
        rows = queries.runs(conn, repo["id"], limit)
    return {"repository": name, "runs": to_jsonable(rows)}


@router.get("/runs/{run_id}", summary="One run with its errors and warnings")
def get_run(
    run_id: int = Path(..., ge=1, le=2**63 - 1),
    limit: Limit = 100,
    offset: Offset = 0,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.connect() as conn:
        row = queries.run(conn, run_id)
        errors = queries.run_errors(conn, run_id, limit, offset) if row else []
    if row is None:
        raise ApiError(404, f"no indexing run with id {run_id}")
    data = to_jsonable(row)
    data["error_list"] = to_jsonable(errors)
    return data


@router.get("/runs/{run_id}/skipped", summary="Every path a run left out, with its reason (symlink, too large…)")
def run_skipped(
    run_id: int = Path(..., ge=1, le=2**63 - 1),
    reason: str | None = Query(None, min_length=1, max_length=MAX_NAME, description="only this reason"),
    limit: Limit = 100,
    offset: Offset = 0,
    db: Database = Depends(database),
) -> dict[str, Any]:
    with db.connect() as conn:
        row = queries.run(conn, run_id)
        if row is None:
            raise ApiError(404, f"no indexing run with id {run_id}")
        skipped = queries.run_skips(conn, run_id, limit, offset, reason)
    return {"run": run_id, "counts": to_jsonable(row.get("skipped") or {}), "skipped": to_jsonable(skipped),
            "limit": limit, "offset": offset}
