"""Helpers shared by the API and browser tests: the fixture repository and how to index it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from mnemo.api import create_app
from mnemo.store import db as dbmod

FIXTURE_REPO = Path(__file__).parent / "fixture_repo"
BASE_URL = "http://127.0.0.1:3002"


@dataclass
class Indexed:
    database: dbmod.Database
    root: Path
    name: str
    summary: Any


def copy_fixture(dest: Path) -> Path:
    """A copy of the fixture repository (tests may change files; the original stays put)."""
    shutil.copytree(FIXTURE_REPO, dest)
    return dest


def index_fixture(database: dbmod.Database, root: Path, name: str = "fixture") -> Any:
    """Index with the real pipeline and packaged model; the pipeline builds the graph too."""
    from mnemo.pipeline import IndexOptions, index_repository

    return index_repository(database, root, IndexOptions(name=name))


def make_client(database: dbmod.Database, base_url: str = BASE_URL, **kwargs: Any) -> TestClient:
    """A client over a new app; kwargs go to create_app (token, loopback_only, index_roots…).

    The tests index directories under the temporary directory, so that is the default index
    root here (the server's own default is the directory it starts in)."""
    import tempfile

    kwargs.setdefault("index_roots", [Path(tempfile.gettempdir())])
    return TestClient(create_app(database, **kwargs), base_url=base_url)


def graph_available() -> bool:
    try:
        import mnemo.graph.query  # noqa: F401
    except ImportError:
        return False
    return True


def search_available() -> bool:
    try:
        from mnemo.search import search  # noqa: F401
    except ImportError:
        return False
    return True
