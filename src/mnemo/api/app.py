"""The FastAPI application: REST API under /api (OpenAPI at /api/docs), the UI at /.

`create_app` takes an open `Database` — the same one the CLI uses — so tests hand it a fresh
test database and `mnemo serve` hands it the user's. Routes are thin: they validate input,
call the stages (pipeline, graph, search) and shape JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from mnemo import __version__
from mnemo.store import reports as queries
from mnemo.api.deps import MAX_DEPTH, MAX_LIMIT, MAX_QUERY_BYTES, database
from mnemo.api.errors import install_handlers
from mnemo.api.jobs import JobManager, Runner
from mnemo.api.security import Settings, host_allowed
from mnemo.api.web import INSTALL_COMMAND, install_web, missing_vendor_files, WEB_DIR
from mnemo.store.db import Database

DESCRIPTION = """
Mnemo's REST API: indexed repositories, semantic and lexical search, chunks with their source,
the code graph (callers, callees, impact, paths, PageRank, coupling, complexity) and indexing.

Every error is JSON: `{"error": "<what went wrong>"}` with a 4xx status for bad input.
Requests that change data (POST, DELETE) need `Authorization: Bearer <MNEMO_API_TOKEN>` unless
the server listens on loopback only and no token is set.
Limits: `limit` ≤ 500, `depth` ≤ 5, query text ≤ 10 kB.
"""


def create_app(
    database_: Database,
    *,
    token: str | None = None,
    loopback_only: bool = True,
    index_roots: Iterable[Path] | None = None,
    extra_hosts: Iterable[str] = (),
    runner: Runner | None = None,
    web_dir: Path | None = None,
) -> FastAPI:
    """Build the app over `database_`.

    token: required on mutating requests when set (and always when not loopback_only).
    loopback_only: whether the server listens on loopback only; False without a token raises
        `InsecureServer`, so a misconfigured server never starts.
    index_roots: when given, POST /api/index accepts only directories inside these.
    extra_hosts: Host header names accepted besides loopback names (a reverse proxy's).
    runner: what indexing jobs call (tests substitute one); default: the pipeline + graph build.
    """
    settings = Settings(
        token=token or None,
        loopback_only=loopback_only,
        index_roots=tuple(Path(p) for p in index_roots) if index_roots is not None else None,
        extra_hosts=frozenset(h.lower() for h in extra_hosts),
    )
    settings.check()

    app = FastAPI(
        title="Mnemo",
        version=__version__,
        description=DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database_
    app.state.jobs = JobManager(database_, runner)
    app.state.web_dir = (web_dir or WEB_DIR).resolve()
    install_handlers(app)

    @app.middleware("http")
    async def guard_host(request: Request, call_next: Any) -> Any:
        # DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends Host: evil.example.
        if not host_allowed(settings, request.headers.get("host")):
            return JSONResponse(
                {"error": "this server answers only to loopback host names (127.0.0.1, localhost)"},
                status_code=421,
            )
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    from mnemo.api.routes import chunks, graph, jobs, metrics, repositories, runs, search

    for module in (repositories, chunks, runs, jobs, graph, metrics, search):
        app.include_router(module.router)

    @app.get("/api/health", tags=["meta"], summary="Server status, limits and what is available")
    def health(db: Database = Depends(database)) -> dict[str, Any]:
        with db.connect() as conn:
            conn.execute("SELECT 1")
            graph_tables = queries.has_table(conn, "graph_nodes")
        missing = missing_vendor_files(app.state.web_dir)
        return {
            "status": "ok",
            "version": __version__,
            "graph_tables": graph_tables,
            "write_requires_token": settings.token is not None or not settings.loopback_only,
            "loopback_only": settings.loopback_only,
            "limits": {"limit": MAX_LIMIT, "depth": MAX_DEPTH, "query_bytes": MAX_QUERY_BYTES},
            "ui_assets": {"installed": not missing, "missing": missing, "install": INSTALL_COMMAND},
        }

    install_web(app, app.state.web_dir)
    return app
