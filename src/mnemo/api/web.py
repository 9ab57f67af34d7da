"""Serving the single-page UI: index.html, its own ES modules and CSS, and the npm packages'
dist files (Cytoscape.js, Chart.js) under /vendor.

The vendor files are served from `src/mnemo/web/node_modules` (installed by
`npm ci --prefix src/mnemo/web`), through a fixed table of names — never a path taken from
the request — so /vendor cannot be used to read other files. When node_modules is missing, the
page itself says how to install it instead of showing a blank graph.
"""

from __future__ import annotations

import html
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
INSTALL_COMMAND = "npm ci --prefix src/mnemo/web"

# URL name → path inside node_modules. Only these are served.
VENDOR_FILES: dict[str, str] = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
}


def missing_vendor_files(web_dir: Path) -> list[str]:
    return [rel for rel in VENDOR_FILES.values() if not (web_dir / "node_modules" / rel).is_file()]


def _banner(missing: list[str]) -> str:
    items = "".join(f"<li><code>node_modules/{html.escape(m)}</code></li>" for m in missing)
    return (
        '<div id="vendor-missing" class="fatal" role="alert"><strong>The UI\'s JavaScript libraries are not '
        f"installed.</strong> Missing:<ul>{items}</ul>From the repository root run "
        f"<pre>{html.escape(INSTALL_COMMAND)}</pre> then reload this page. The REST API works without "
        'them: see <a href="/api/docs">/api/docs</a>.</div>'
    )


def install_web(app: FastAPI, web_dir: Path | None = None) -> None:
    """Mount the UI at / on `app`."""
    web_dir = (web_dir or WEB_DIR).resolve()
    static_dir = web_dir / "static"
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def index() -> Response:
        page = static_dir / "index.html"
        if not page.is_file():
            return HTMLResponse("<h1>Mnemo</h1><p>The UI files are missing from this installation.</p>", 500)
        text = page.read_text(encoding="utf-8")
        missing = missing_vendor_files(web_dir)
        if missing:
            text = text.replace("<!--vendor-status-->", _banner(missing), 1)
        return HTMLResponse(text, headers={"Cache-Control": "no-store"})

    @router.get("/vendor/{name}")
    def vendor(name: str) -> Response:
        rel = VENDOR_FILES.get(name)
        if rel is None:
            return JSONResponse({"error": f"no vendor file {name!r}"}, status_code=404)
        path = web_dir / "node_modules" / rel
        if not path.is_file():
            return JSONResponse(
                {"error": f"{rel} is not installed; run `{INSTALL_COMMAND}`", "install": INSTALL_COMMAND},
                status_code=404,
            )
        return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "public, max-age=3600"})

    app.include_router(router)
    if static_dir.is_dir():
        # StaticFiles resolves each request under static_dir and refuses paths that leave it.
        app.mount("/static", StaticFiles(directory=static_dir), name="static")
