"""The schema is created and upgraded by versioned migrations, with a version check."""

from __future__ import annotations

import psycopg
import pytest

from mnemo.store import db as dbmod


def test_migrations_create_schema_and_extensions(database: dbmod.Database) -> None:
    with database.connect() as conn:
        exts = {r[0] for r in conn.execute("SELECT extname FROM pg_extension")}
        assert {"vector", "pg_trgm"} <= exts
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        assert {"repositories", "files", "chunks", "index_runs", "index_errors", "schema_migrations"} <= tables
        assert dbmod.applied_versions(conn) == [m.version for m in dbmod.migrations()]


def test_migrate_is_idempotent(database_url: str) -> None:
    assert dbmod.migrate(database_url) == []


def test_newer_schema_is_refused(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')")
    with pytest.raises(dbmod.DatabaseError, match="newer than this Mnemo"):
        dbmod.migrate(database_url)
    with pytest.raises(dbmod.DatabaseError, match="does not match"):
        dbmod.Database.open(database_url, migrate_schema=False)


def test_unreachable_server_is_a_clear_error() -> None:
    with pytest.raises(dbmod.DatabaseError, match="cannot connect"):
        dbmod.connect("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


def test_pooled_database_reuses_connections_with_plain_transaction_semantics(database_url: str) -> None:
    db = dbmod.Database(database_url).pooled(max_size=1)
    try:
        with db.connect() as conn:
            conn.execute("CREATE TABLE t (x int)")
            conn.execute("INSERT INTO t VALUES (1)")
            first_pid = conn.info.backend_pid
        with pytest.raises(ZeroDivisionError):
            with db.connect() as conn:
                conn.execute("INSERT INTO t VALUES (2)")
                1 / 0
        with db.connect() as conn:
            assert conn.execute("SELECT array_agg(x) FROM t").fetchone()[0] == [1]  # committed, then rolled back
            assert conn.info.backend_pid == first_pid  # the same server connection, reused
        with db.connect(autocommit=True) as conn:
            assert conn.info.backend_pid != first_pid  # session-state connections are never pooled
    finally:
        db.close()


def test_an_applied_migration_edited_afterwards_is_refused(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    with pytest.raises(dbmod.DatabaseError, match="0001_core differs"):
        dbmod.Database.open(database_url)
