"""The FastAPI application: REST API under /api (OpenAPI at /api/docs), the UI at /.

`create_app` takes an open `Database` — the same one the CLI uses — so tests hand it a fresh
test database and `mnemo serve` hands it the user's. Routes are thin: they validate input,
call the stages (pipeline, graph, search) and shape JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from fastapi import Depends, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from mnemo import __version__
from mnemo.store import reports as queries
from mnemo.api.deps import MAX_DEPTH, MAX_LIMIT, MAX_QUERY_BYTES, database
from mnemo.api.errors import install_handlers
from mnemo.api.jobs import JobManager, Runner
from mnemo.api.security import RequestGuard, Settings
from mnemo.api.web import INSTALL_COMMAND, install_web, missing_vendor_files, WEB_DIR
from mnemo.store.db import Database

DESCRIPTION = """
Mnemo's REST API: indexed repositories, semantic and lexical search, chunks with their source,
the code graph (callers, callees, impact, paths, PageRank, coupling, complexity) and indexing.

Every error is JSON: `{"error": "<what went wrong>"}` with a 4xx status for bad input.
With a token set (always, when the server listens beyond loopback) every /api request needs
`Authorization: Bearer <MNEMO_API_TOKEN>`, reads included. Indexing is confined to the
server's index roots (`GET /api/health` lists them).
Limits: `limit` ≤ 500, `depth` ≤ 5, query text ≤ 10 kB, request bodies ≤ 64 kB, path globs
≤ 256 characters with at most 16 wildcards; NUL bytes anywhere are refused (422).
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
    index_roots: POST /api/index accepts only directories inside these; default: the current
        directory (where `mnemo serve` was started), never the whole filesystem.
    extra_hosts: Host header names accepted besides loopback names and IP literals (the
        names the server is reached by: a reverse proxy's, a LAN name).
    runner: what indexing jobs call (tests substitute one); default: the pipeline + graph build.
    """
    roots = [Path.cwd()] if index_roots is None else list(index_roots)
    settings = Settings(
        token=token or None,
        loopback_only=loopback_only,
        index_roots=tuple(Path(p).expanduser().resolve() for p in roots),
        extra_hosts=frozenset(h.lower() for h in extra_hosts),
    )
    settings.check()

    app = FastAPI(
        title="Mnemo",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served below from the swagger-ui-bundle package: no CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.database = database_
    app.state.jobs = JobManager(database_, runner)
    app.state.web_dir = (web_dir or WEB_DIR).resolve()
    install_handlers(app)

    app.add_middleware(RequestGuard, settings=settings)
    install_docs(app)

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
            "write_requires_token": settings.token_required,
            "token_required": settings.token_required,
            "loopback_only": settings.loopback_only,
            "index_roots": [str(r) for r in settings.index_roots],
            "limits": {"limit": MAX_LIMIT, "depth": MAX_DEPTH, "query_bytes": MAX_QUERY_BYTES},
            "ui_assets": {"installed": not missing, "missing": missing, "install": INSTALL_COMMAND},
        }

    install_web(app, app.state.web_dir)
    return app


DOCS_ASSETS = {"swagger-ui-bundle.js": "text/javascript", "swagger-ui.css": "text/css"}
_DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mnemo API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script></body></html>
"""
_DOCS_INIT = 'window.ui = SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true});\n'


def install_docs(app: FastAPI) -> None:
    """/api/docs from the swagger-ui-bundle package's files (works offline, passes the CSP:
    no inline script, nothing from a CDN)."""
    import swagger_ui_bundle

    assets = Path(swagger_ui_bundle.swagger_ui_path)

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> Response:
        return HTMLResponse(_DOCS_PAGE)

    @app.get("/api/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> Response:
        if name == "init.js":
            return Response(_DOCS_INIT, media_type="text/javascript")
        media = DOCS_ASSETS.get(name)  # a fixed table: never a path taken from the request
        if media is None:
            return JSONResponse({"error": f"no docs asset {name!r}"}, status_code=404)
        return FileResponse(assets / name, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
