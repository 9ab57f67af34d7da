"""Start indexing a directory in the background and follow its progress.

POST /api/index validates the path before anything runs: it must exist, be a directory and lie
inside one of the server's index roots (after resolving symlinks, so `..` or a link cannot
escape; the default root is the directory `mnemo serve` was started in, never the whole
filesystem). The repository name (given, or the directory's name) follows the CLI's rule, and
an existing repository is never re-pointed: indexing another directory under its name is a 409.
The job's progress is polled at /api/jobs/{id} or streamed as server-sent events from
/api/jobs/{id}/events; POST /api/jobs/{id}/cancel stops it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path as FsPath
from typing import Any, AsyncIterator

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from mnemo.api.deps import MAX_NAME, MAX_PATH
from mnemo.api.errors import ApiError
from mnemo.api.jobs import JobBusy, JobManager
from mnemo.api.security import Settings, require_write
from mnemo.names import repository_name_problem
from mnemo.store import reports

router = APIRouter(prefix="/api", tags=["indexing"])

JobId = Path(..., ge=1, le=2**31 - 1)


class IndexRequest(BaseModel):
    """What to index. `name` defaults to the directory's name (the pipeline decides)."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(..., min_length=1, max_length=MAX_PATH, description="absolute path of a directory on the server")
    name: str | None = Field(None, min_length=1, max_length=MAX_NAME)
    full: bool = Field(False, description="re-index every file, not only the changed ones")


def validate_root(raw: str, settings: Settings) -> FsPath:
    """The directory to index, resolved; 400 when it is not one we may index."""
    if "\x00" in raw:
        raise ApiError(422, "path: contains a NUL byte")
    candidate = FsPath(raw).expanduser()
    if not candidate.is_absolute():
        raise ApiError(400, f"path: {raw!r} is not absolute; give the directory's absolute path on the server")
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, RuntimeError, OSError):
        raise ApiError(400, f"path: {raw!r} does not exist") from None
    if not resolved.is_dir():
        raise ApiError(400, f"path: {raw!r} is not a directory")
    if not inside_roots(resolved, settings):
        raise ApiError(
            403, f"path: {raw!r} is outside the directories this server may index "
            "(start `mnemo serve` in, or pass --index-root, the directory that holds it)",
            allowed=[str(r) for r in settings.index_roots],
        )
    return resolved


def inside_roots(path: FsPath, settings: Settings) -> bool:
    allowed = [root.resolve() for root in settings.index_roots]
    return any(path == root or path.is_relative_to(root) for root in allowed)


def check_target(request: Request, root: FsPath, name: str | None, full: bool) -> str:
    """The repository name the job will write, after the CLI's rule; 409 when that name is an
    existing repository of another directory (re-pointing it would delete its files), 403 when
    the existing repository lies outside the index roots."""
    effective = name or root.name
    problem = repository_name_problem(effective)
    if problem:
        raise ApiError(422, f"name: {problem}" + ("" if name else f" (the directory's name {effective!r})"))
    with request.app.state.database.connect() as conn:
        existing = reports.repository_by_name(conn, effective)
    if existing is not None:
        stored = FsPath(existing["root"])
        if stored != root:
            raise ApiError(
                409, f"repository {effective!r} is indexed from {existing['root']}, not {root}; "
                "give this directory another name (or delete that repository first)",
                repository=effective, root=existing["root"],
            )
        if not inside_roots(stored, request.app.state.settings):
            raise ApiError(403, f"repository {effective!r} lies outside the directories this server may index")
    return effective


@router.post(
    "/index",
    status_code=202,
    summary="Start indexing a directory in the background; returns the job to follow",
    dependencies=[Depends(require_write)],
)
def start_index(body: IndexRequest, request: Request) -> JSONResponse:
    settings: Settings = request.app.state.settings
    root = validate_root(body.path, settings)
    check_target(request, root, body.name, body.full)
    jobs: JobManager = request.app.state.jobs
    try:
        job = jobs.start(root, body.name, body.full)
    except JobBusy as busy:
        raise ApiError(409, str(busy), job=busy.job.to_json()) from None
    snap = jobs.snapshot(job.id)
    data = snap[0] if snap else job.to_json()
    return JSONResponse(
        data, status_code=202, headers={"Location": f"/api/jobs/{job.id}"}
    )


@router.get("/jobs", summary="Indexing jobs started by this server, newest first")
def list_jobs(request: Request) -> dict[str, Any]:
    return {"jobs": request.app.state.jobs.list()}


@router.get("/jobs/{job_id}", summary="An indexing job's status and progress (poll this)")
def get_job(request: Request, job_id: int = JobId) -> dict[str, Any]:
    snap = request.app.state.jobs.snapshot(job_id)
    if snap is None:
        raise ApiError(404, f"no job with id {job_id} (jobs are kept in memory until the server restarts)")
    return snap[0]


@router.post(
    "/jobs/{job_id}/cancel",
    summary="Stop a running indexing job (the run is marked interrupted; committed files stay)",
    dependencies=[Depends(require_write)],
)
def cancel_job(request: Request, job_id: int = JobId) -> dict[str, Any]:
    jobs: JobManager = request.app.state.jobs
    if jobs.cancel(job_id) is None:
        raise ApiError(404, f"no job with id {job_id}")
    snap = jobs.snapshot(job_id)
    return snap[0] if snap else {"id": job_id}


@router.get(
    "/jobs/{job_id}/events",
    summary="Server-sent events: `progress` on each change, then one `done` with the final state",
    response_class=StreamingResponse,
)
async def job_events(request: Request, job_id: int = JobId) -> StreamingResponse:
    jobs: JobManager = request.app.state.jobs
    if jobs.snapshot(job_id) is None:
        raise ApiError(404, f"no job with id {job_id}")

    async def stream() -> AsyncIterator[bytes]:
        version = -1
        idle = 0.0
        while True:
            snap = jobs.snapshot(job_id)
            if snap is None:
                return
            data, current = snap
            if current != version:
                version = current
                idle = 0.0
                event = "done" if data["done"] else "progress"
                yield f"event: {event}\ndata: {json.dumps(data, default=str)}\n\n".encode()
                if data["done"]:
                    return
            elif idle >= 15:
                idle = 0.0
                yield b": keep-alive\n\n"
            if await request.is_disconnected():
                return
            await asyncio.to_thread(jobs.wait_for_change, job_id, version, 0.5)
            idle += 0.5

    return StreamingResponse(
        stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
