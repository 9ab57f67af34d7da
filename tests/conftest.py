"""Shared fixtures: a real embedded PostgreSQL (pgvector, pg_trgm) for the whole test session,
and a fresh, migrated database for each test that asks for one.

A test database is cloned from a template that was migrated once, so each test starts from the
real schema in ~50 ms and tests never see each other's rows.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import psycopg
import pytest

from mnemo.store import db as dbmod

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_server_uri(tmp_path_factory: pytest.TempPathFactory) -> str:
    """URI of a PostgreSQL server for this test session (embedded unless MNEMO_TEST_DATABASE_URL)."""
    external = os.environ.get("MNEMO_TEST_DATABASE_URL")
    if external:
        return external
    # A short path: the server's Unix socket lives in its data directory (108-byte limit).
    base = Path(tempfile.mkdtemp(prefix="mnemo-pg-"))
    server = dbmod.embedded_server(base / "pgdata", cleanup_mode="delete")
    return server.get_uri()


@pytest.fixture(scope="session")
def template_db(pg_server_uri: str) -> str:
    """Name of a database migrated to the current schema, used as a template."""
    name = f"mnemo_tpl_{os.getpid()}"
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    dbmod.migrate(dbmod._with_database(pg_server_uri, name))
    return name


@pytest.fixture
def database_url(pg_server_uri: str, template_db: str) -> str:
    """URL of a fresh, migrated, empty database for one test."""
    name = f"mnemo_t{os.getpid()}_{next(_counter)}"
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    return dbmod._with_database(pg_server_uri, name)


@pytest.fixture
def database(database_url: str) -> dbmod.Database:
    """A `Database` over a fresh, migrated, empty database."""
    return dbmod.Database.open(database_url)


@pytest.fixture(scope="session")
def embedder():
    """The real default model (the static table distilled from the packaged all-MiniLM-L6-v2;
    built once under the models directory on first use), loaded once for the session."""
    from mnemo.embed import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def torch_embedder():
    """The packaged all-MiniLM-L6-v2 transformer on torch, loaded once for the session."""
    from mnemo.embed import TORCH_MODEL, load_embedder

    return load_embedder(TORCH_MODEL)
