"""The vector cache: embeddings keyed by (model, model hash, hash of the embedded text).

Why: embedding is the cost of indexing. An edited file keeps most of its chunks' texts, a
`--full` run with the same model keeps nearly all of them, and two repositories with the same
code (a fork, a vendored copy) share them. Each is embedded once per model.

Bounded by the chunks: a cache row lives while a chunk of a repository with that model holds its
text hash. `write_file` and `remove_files` collect the rows their old chunks no longer need, in the
same transaction (`collect`); a full run and `delete_repository` sweep a model's rows (`sweep`),
an anti-join over the chunks' text-hash index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import psycopg

from mnemo.store.values import flatten, placeholders

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class CacheKey:
    """Which vectors may be reused: the same model name and the same weights."""

    model: str
    model_hash: str = ""


def lookup(conn: psycopg.Connection, key: CacheKey, hashes: Sequence[bytes]) -> dict[bytes, np.ndarray]:
    """The cached vectors of these text hashes (those the cache holds)."""
    if not hashes:
        return {}
    # binary results: pgvector's binary loader is one numpy.frombuffer per vector, where the
    # text format was parsed in Python (8.5% of a cold run on babylon)
    with conn.cursor(binary=True) as cur:
        rows = cur.execute(
            "SELECT text_hash, embedding FROM embedding_cache "
            "WHERE model = %s AND model_hash = %s AND text_hash = ANY(%s)",
            (key.model, key.model_hash, list(hashes)),
        ).fetchall()
    return {bytes(h): _array(v) for h, v in rows}


def store(conn: psycopg.Connection, key: CacheKey, hashes: Sequence[bytes], vectors: Iterable[np.ndarray],
          batch_rows: int = 1000) -> None:
    """Remember these vectors (inside the caller's transaction); existing rows are kept."""
    rows: dict[bytes, np.ndarray] = {}
    for h, v in zip(hashes, vectors):
        if h is not None:
            rows.setdefault(h, v)
    items = list(rows.items())
    for start in range(0, len(items), batch_rows):
        part = items[start : start + batch_rows]
        conn.execute(  # one statement per batch (values.py says why)
            "INSERT INTO embedding_cache (model, model_hash, text_hash, embedding) VALUES "
            + placeholders(len(part), 4) + " ON CONFLICT DO NOTHING",
            flatten((key.model, key.model_hash, h, v) for h, v in part),
        )


_UNUSED = """
    NOT EXISTS (SELECT 1 FROM chunks c JOIN repositories r ON r.id = c.repository_id
                WHERE c.text_hash = e.text_hash AND r.model = e.model AND coalesce(r.model_hash, '') = e.model_hash)
"""


def collect(conn: psycopg.Connection, key: CacheKey, hashes: Iterable[bytes | None]) -> int:
    """Delete the rows of these text hashes that no chunk of the model still holds."""
    candidates = sorted({bytes(h) for h in hashes if h is not None})
    if not candidates:
        return 0
    cur = conn.execute(
        "DELETE FROM embedding_cache e WHERE e.model = %s AND e.model_hash = %s AND e.text_hash = ANY(%s) AND"
        + _UNUSED,
        (key.model, key.model_hash, candidates),
    )
    return cur.rowcount


def collect_from_table(conn: psycopg.Connection, key: CacheKey, table: str) -> int:
    """`collect` for hashes held in a (temporary) table of one `text_hash` column."""
    cur = conn.execute(
        f"DELETE FROM embedding_cache e WHERE e.model = %s AND e.model_hash = %s AND e.text_hash IN "
        f"(SELECT text_hash FROM {table}) AND" + _UNUSED,
        (key.model, key.model_hash),
    )
    return cur.rowcount


def sweep(conn: psycopg.Connection, key: CacheKey) -> int:
    """Delete every row of this model that no chunk holds (after a full run, a deletion)."""
    with conn.transaction():
        cur = conn.execute(
            "DELETE FROM embedding_cache e WHERE e.model = %s AND e.model_hash = %s AND" + _UNUSED,
            (key.model, key.model_hash),
        )
    return cur.rowcount


def size(conn: psycopg.Connection, key: CacheKey | None = None) -> int:
    if key is None:
        return conn.execute("SELECT count(*) FROM embedding_cache").fetchone()[0]
    return conn.execute(
        "SELECT count(*) FROM embedding_cache WHERE model = %s AND model_hash = %s", (key.model, key.model_hash)
    ).fetchone()[0]


def _array(value) -> np.ndarray:
    import numpy as np  # not at the top: the CLI's search path (store.reads) loads no numpy

    to_numpy = getattr(value, "to_numpy", None)
    return np.asarray(to_numpy() if to_numpy else value, dtype=np.float32)
