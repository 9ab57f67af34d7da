"""Fixtures for the API tests: the fixture repository indexed with the real pipeline and model
into a real PostgreSQL, and HTTP clients over the app (httpx through Starlette's TestClient).

Indexing takes a few seconds, so read-only tests share one indexed database per module
(`indexed`); tests that change data (delete, index) take a fresh one (`fresh_indexed`).
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from api_support import Indexed, copy_fixture, index_fixture, make_client
from mnemo.store import db as dbmod

_counter = itertools.count()


def _new_database(pg_server_uri: str, template_db: str) -> dbmod.Database:
    name = f"mnemo_api{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    return dbmod.Database.open(dbmod._with_database(pg_server_uri, name))


@pytest.fixture(scope="module")
def indexed(pg_server_uri: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    """The fixture repository indexed (and its graph built) once for the module. Read-only.

    Behind a connection pool, as `mnemo serve` runs it."""
    database = _new_database(pg_server_uri, template_db).pooled(max_size=4)
    root = copy_fixture(tmp_path_factory.mktemp("repo") / "fixture")
    summary = index_fixture(database, root)
    yield Indexed(database, root, "fixture", summary)
    database.close()


@pytest.fixture
def fresh_indexed(database: dbmod.Database, tmp_path: Path) -> Indexed:
    """The fixture repository indexed into this test's own database (tests that change data)."""
    root = copy_fixture(tmp_path / "fixture")
    summary = index_fixture(database, root)
    return Indexed(database, root, "fixture", summary)


@pytest.fixture
def client(indexed: Indexed) -> Iterator[TestClient]:
    with make_client(indexed.database) as c:
        yield c
