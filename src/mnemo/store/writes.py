"""What the indexer reads and writes: repositories, per-file state, one transaction per file,
runs and their errors.

Every function takes an open psycopg connection; the caller decides the transaction
boundaries except `write_file`, `record_failed_file` and `remove_files`, which are each one
transaction of their own — the unit of atomicity the pipeline promises.

Text from the indexed tree (paths, messages) goes through `storable` first: PostgreSQL's text
type takes neither NUL bytes nor the surrogates of undecodable file names, and a message that
cannot be stored must not turn one bad file into a failed run.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg

from mnemo.display import storable
from mnemo.models import ParsedFile, SourceFile
from mnemo.store import embedding_cache
from mnemo.store.embedding_cache import CacheKey
from mnemo.store.values import flatten, placeholders
from mnemo.store.vector_index import ensure_vector_index

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class Repository:
    id: int
    name: str
    root: str
    model: str
    dimension: int
    model_hash: str | None = None  # the model's weights hash; None until first recorded


@dataclass(frozen=True)
class FileState:
    """What the database knows of one file, enough to decide whether to re-index it."""

    content_hash: str | None
    failed_hash: str | None
    status: str
    last_error: str | None


def try_lock_repository(conn: psycopg.Connection, name: str) -> bool:
    """Take the session-level advisory lock that makes index runs on one repository exclusive.

    Held until the connection closes, so a killed process releases it with its connection.
    """
    row = conn.execute("SELECT pg_try_advisory_lock(hashtextextended('mnemo.index:' || %s, 0))", (name,)).fetchone()
    return bool(row[0])


def lock_repository(conn: psycopg.Connection, name: str) -> None:
    """Wait for the repository's index lock."""
    conn.execute("SELECT pg_advisory_lock(hashtextextended('mnemo.index:' || %s, 0))", (name,))


def repository_by_name(conn: psycopg.Connection, name: str) -> Repository | None:
    row = conn.execute(
        "SELECT id, name, root, model, dimension, model_hash FROM repositories WHERE name = %s", (name,)
    ).fetchone()
    return Repository(*row) if row else None


def create_repository(conn: psycopg.Connection, name: str, root: str, model: str, dimension: int,
                      model_hash: str | None = None) -> Repository:
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO repositories (name, root, model, dimension, model_hash) VALUES (%s, %s, %s, %s, %s) "
            "RETURNING id",
            (name, root, model, dimension, model_hash or None),
        ).fetchone()
        ensure_vector_index(conn, dimension)
    return Repository(row[0], name, root, model, dimension, model_hash or None)


def reset_repository(conn: psycopg.Connection, repo: Repository, *, root: str, model: str, dimension: int,
                     model_hash: str | None = None) -> Repository:
    """The clean slate of a full re-index: drop the repository's files and chunks (and, through
    foreign keys, everything derived from them), keep its runs, record the model now in use.
    The embedding cache is kept: the run reuses the vectors of unchanged texts, then sweeps."""
    with conn.transaction():
        conn.execute("DELETE FROM files WHERE repository_id = %s", (repo.id,))
        conn.execute(
            "UPDATE repositories SET root = %s, model = %s, dimension = %s, model_hash = %s, updated_at = now() "
            "WHERE id = %s",
            (root, model, dimension, model_hash or None, repo.id),
        )
        ensure_vector_index(conn, dimension)
    return Repository(repo.id, repo.name, root, model, dimension, model_hash or None)


def update_root(conn: psycopg.Connection, repo: Repository, root: str) -> Repository:
    if repo.root != root:
        with conn.transaction():
            conn.execute("UPDATE repositories SET root = %s, updated_at = now() WHERE id = %s", (root, repo.id))
    return Repository(repo.id, repo.name, root, repo.model, repo.dimension, repo.model_hash)


def set_model_hash(conn: psycopg.Connection, repo: Repository, model_hash: str) -> Repository:
    """Record the weights hash of a repository indexed before hashes were recorded."""
    with conn.transaction():
        conn.execute("UPDATE repositories SET model_hash = %s WHERE id = %s", (model_hash, repo.id))
    return Repository(repo.id, repo.name, repo.root, repo.model, repo.dimension, model_hash)


def file_states(conn: psycopg.Connection, repository_id: int) -> dict[str, FileState]:
    """Path → state for every file of the repository: O(files) small tuples, never chunks."""
    rows = conn.execute(
        "SELECT path, content_hash, failed_hash, status, last_error FROM files WHERE repository_id = %s",
        (repository_id,),
    )
    return {path: FileState(*rest) for path, *rest in rows}


_CHUNK_COLUMNS = (
    "repository_id, file_id, path, language, kind, name, qualified_name, signature, docstring, "
    "source, start_line, end_line, metadata, embedding, text_hash"
)


def write_file(
    conn: psycopg.Connection,
    repo: Repository,
    source: SourceFile,
    content_hash: str,
    parsed: ParsedFile,
    vectors: np.ndarray,
    *,
    status: str = "indexed",
    warning: str | None = None,
    encoding: str | None = None,
    batch_rows: int = 1000,
    text_hashes: Sequence[bytes] | None = None,
    cache: CacheKey | None = None,
) -> int:
    """Replace the file's rows with `parsed`, in ONE transaction. Returns the file's id.

    Either the file's new chunks are all stored, or (on any error, re-raised) the previous
    state is left exactly as it was. Chunks are sent `batch_rows` at a time, so a file of
    20,000 functions never builds one 20,000-row parameter list. `text_hashes` (one per chunk: the hash of the text its
    vector embeds) lets later runs reuse the vectors: with `cache`, they are remembered under that
    model, and the cache rows only the replaced chunks held are collected (store/embedding_cache.py).
    """
    if len(vectors) != len(parsed.chunks):
        raise ValueError(f"{source.rel_path}: {len(parsed.chunks)} chunks but {len(vectors)} vectors")
    hashes = list(text_hashes) if text_hashes is not None else [None] * len(parsed.chunks)
    if len(hashes) != len(parsed.chunks):
        raise ValueError(f"{source.rel_path}: {len(parsed.chunks)} chunks but {len(hashes)} text hashes")
    with conn.transaction():
        file_id = conn.execute(
            """
            INSERT INTO files (repository_id, path, language, content_hash, failed_hash, size_bytes, status,
                               last_error, imports, exports, module_calls, facts, chunk_count, indexed_at,
                               encoding)
            VALUES (%s, %s, %s, %s, NULL, %s, %s, %s, %s, %s, %s, %s, %s, now(), %s)
            ON CONFLICT (repository_id, path) DO UPDATE SET
                language = EXCLUDED.language, content_hash = EXCLUDED.content_hash, failed_hash = NULL,
                size_bytes = EXCLUDED.size_bytes, status = EXCLUDED.status, last_error = EXCLUDED.last_error,
                imports = EXCLUDED.imports, exports = EXCLUDED.exports, module_calls = EXCLUDED.module_calls,
                facts = EXCLUDED.facts, chunk_count = EXCLUDED.chunk_count, indexed_at = now(),
                encoding = EXCLUDED.encoding
            RETURNING id
            """,
            (
                repo.id, storable(source.rel_path), source.language, content_hash, source.size, status,
                storable(warning) if warning else None,
                _json([i.to_json() for i in parsed.imports]),
                _json([e.to_json() for e in parsed.exports]),
                _json([c.to_json() for c in parsed.module_calls]),
                _json(parsed.facts),
                len(parsed.chunks),
                encoding,
            ),
        ).fetchone()[0]
        old = conn.execute("DELETE FROM chunks WHERE file_id = %s RETURNING text_hash", (file_id,)).fetchall()
        path = storable(source.rel_path)
        for start in range(0, len(parsed.chunks), batch_rows):
            rows = [
                (
                    repo.id, file_id, path, source.language, c.kind, c.name, c.qualified_name,
                    c.signature, c.docstring, c.source, c.start_line, c.end_line,
                    _json(c.metadata()), vector, h,
                )
                for c, vector, h in zip(parsed.chunks[start : start + batch_rows],
                                        vectors[start : start + batch_rows],
                                        hashes[start : start + batch_rows])
            ]
            # one multi-row statement, not one per row: the BM25 trigger (0005) is per statement,
            # so it runs once per batch instead of once per chunk
            conn.execute(f"INSERT INTO chunks ({_CHUNK_COLUMNS}) VALUES " + placeholders(len(rows), 15),
                         flatten(rows))
        if cache is not None:
            embedding_cache.store(conn, cache, hashes, vectors, batch_rows=batch_rows)  # bounded like the chunks
            kept = set(hashes)
            embedding_cache.collect(conn, cache, (h for (h,) in old if h is not None and bytes(h) not in kept))
    return file_id


def record_failed_file(
    conn: psycopg.Connection, repo: Repository, source: SourceFile, content_hash: str, error: str
) -> None:
    """Mark a file failed, in one transaction. Chunks stored from an earlier good version stay
    (nothing already stored is lost); `failed_hash` lets the next run skip the same bad content."""
    with conn.transaction():
        conn.execute(
            """
            INSERT INTO files (repository_id, path, language, content_hash, failed_hash, size_bytes, status, last_error)
            VALUES (%s, %s, %s, NULL, %s, %s, 'failed', %s)
            ON CONFLICT (repository_id, path) DO UPDATE SET
                failed_hash = EXCLUDED.failed_hash, status = 'failed', last_error = EXCLUDED.last_error,
                indexed_at = now()
            """,
            (repo.id, storable(source.rel_path), source.language, content_hash, source.size, storable(error)),
        )


def remove_files(conn: psycopg.Connection, repository_id: int, paths: Sequence[str],
                 cache: CacheKey | None = None) -> int:
    """Delete files gone from disk, with their chunks, in one transaction; with `cache`, also the
    cache rows only their chunks held (their hashes go through a temporary table, not Python)."""
    if not paths:
        return 0
    with conn.transaction():
        if cache is not None:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS gone_text_hashes (text_hash bytea) ON COMMIT DELETE ROWS")
            conn.execute(
                "WITH gone AS (DELETE FROM chunks WHERE file_id IN "
                "  (SELECT id FROM files WHERE repository_id = %s AND path = ANY(%s)) RETURNING text_hash) "
                "INSERT INTO gone_text_hashes SELECT DISTINCT text_hash FROM gone WHERE text_hash IS NOT NULL",
                (repository_id, list(paths)),
            )
        cur = conn.execute(
            "DELETE FROM files WHERE repository_id = %s AND path = ANY(%s)", (repository_id, list(paths))
        )
        removed = cur.rowcount
        if cache is not None:
            embedding_cache.collect_from_table(conn, cache, "gone_text_hashes")
    return removed


def start_run(conn: psycopg.Connection, repository_id: int, mode: str, options: dict[str, Any]) -> int:
    """Record a run as 'running'; runs left 'running' by a killed process become 'interrupted'.

    Call it while holding the repository's lock: then no other run can really be running.
    """
    with conn.transaction():
        conn.execute(
            "UPDATE index_runs SET status = 'interrupted', finished_at = now() "
            "WHERE repository_id = %s AND status = 'running'",
            (repository_id,),
        )
        row = conn.execute(
            "INSERT INTO index_runs (repository_id, mode, options) VALUES (%s, %s, %s) RETURNING id",
            (repository_id, mode, _json(options)),
        ).fetchone()
    return row[0]


def add_error(
    conn: psycopg.Connection,
    run_id: int,
    repository_id: int,
    path: str,
    message: str,
    *,
    line: int | None = None,
    column: int | None = None,
    severity: str = "error",
) -> None:
    with conn.transaction():
        conn.execute(
            "INSERT INTO index_errors (run_id, repository_id, path, line, col, severity, message) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (run_id, repository_id, storable(path), line, column, severity, storable(message)),
        )


def record_skips(conn: psycopg.Connection, run_id: int, repository_id: int,
                 skips: Sequence[tuple[str, str]], batch_rows: int = 1000) -> None:
    """Store the run's skipped (path, reason) pairs, `batch_rows` per statement."""
    with conn.transaction(), conn.cursor() as cur:
        for start in range(0, len(skips), batch_rows):
            cur.executemany(
                "INSERT INTO index_skips (run_id, repository_id, path, reason) VALUES (%s, %s, %s, %s)",
                [(run_id, repository_id, storable(path), storable(reason))
                 for path, reason in skips[start : start + batch_rows]],
            )


def finish_run(conn: psycopg.Connection, run_id: int, status: str, counts: dict[str, int],
               skipped: dict[str, int] | None = None) -> None:
    columns = ("files_seen", "files_indexed", "files_unchanged", "files_removed", "files_failed", "chunks_written")
    with conn.transaction():
        conn.execute(
            "UPDATE index_runs SET status = %s, finished_at = now(), skipped = %s, "
            + ", ".join(f"{c} = %s" for c in columns)
            + " WHERE id = %s",
            (status, _json(skipped or {}), *(counts.get(c, 0) for c in columns), run_id),
        )
        conn.execute(
            "UPDATE repositories SET last_indexed_at = now(), updated_at = now() "
            "WHERE id = (SELECT repository_id FROM index_runs WHERE id = %s)",
            (run_id,),
        )


ANALYZE_SHARE = 0.1  # as autovacuum's default analyze scale factor, but at once


def refresh_statistics(conn: psycopg.Connection, changed_files: int) -> bool:
    """ANALYZE chunks and files when a run changed a real share of them; return whether it did.

    The planner picks plans from these statistics (and the ts_rank scorer weighs words by
    pg_stats), so a first index or a big re-index should not wait for autovacuum. But ANALYZE
    samples the whole table whatever changed: on a database of 35,000 chunks it took 0.9 s,
    most of a one-file edit's refresh. So it runs when the run changed at least ANALYZE_SHARE of
    the files table (or the table was never analysed); smaller changes are autovacuum's.
    """
    rows = conn.execute("SELECT reltuples FROM pg_class WHERE oid = 'files'::regclass").fetchone()[0]
    if rows > 0 and changed_files < ANALYZE_SHARE * rows:
        return False
    conn.execute("ANALYZE chunks")
    conn.execute("ANALYZE files")
    return True


def delete_repository(conn: psycopg.Connection, name: str) -> bool:
    """Delete a repository with everything indexed for it, then the cache rows it alone held."""
    with conn.transaction():
        row = conn.execute("DELETE FROM repositories WHERE name = %s RETURNING model, model_hash", (name,)).fetchone()
    if row is None:
        return False
    embedding_cache.sweep(conn, CacheKey(row[0], row[1] or ""))
    return True


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

