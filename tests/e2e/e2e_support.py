"""What the browser tests share: Chromium's path and flags, a live server, screenshots."""

from __future__ import annotations

import itertools
import os
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))  # api_support: the fixture repository

from mnemo.store import db as dbmod  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
_counter = itertools.count()


def _skip_reason() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (/usr/bin/chromium missing): apt-get install -y chromium"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed: pip install playwright (no browser download needed)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """uvicorn serving create_app(database) on 127.0.0.1 in a background thread."""

    def __init__(self, database: dbmod.Database, **app_kwargs: Any) -> None:
        import uvicorn

        import tempfile

        from mnemo.api import create_app

        # The tests index copies under the temporary directory: that is this server's index root.
        app_kwargs.setdefault("index_roots", [Path(tempfile.gettempdir())])
        self.app = create_app(database, **app_kwargs)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="mnemo-e2e-server", daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.state.jobs.join(30)


def new_database(pg_server_uri: str, template_db: str) -> dbmod.Database:
    name = f"mnemo_e2e{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    return dbmod.Database.open(dbmod._with_database(pg_server_uri, name))


def screenshot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ (kept by CI as an artefact)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=False)
    return path
