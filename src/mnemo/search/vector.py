"""Vector search: nearest chunks by cosine distance through the per-dimension HNSW index.

The query must repeat the index's expression and predicate exactly (see store/vector_index.py)
or the planner cannot use the index:
    WHERE vector_dims(embedding) = D … ORDER BY embedding::vector(D) <=> query::vector(D)
`hnsw.ef_search` (default 40) caps how many candidates one HNSW scan returns, so it is raised
to the number of rows wanted. With filters most nearest neighbours may be filtered out;
pgvector 0.8's iterative scan (`hnsw.iterative_scan = relaxed_order`) keeps walking the graph
until enough rows pass, and the outer ORDER BY restores the exact order that relaxed_order may
have loosened. Both settings are SET LOCAL: they end with this query's transaction.

Exact scan for one repository's scope. Many repositories share one database, and a search
usually names one: the graph over all chunks then has to skip the other repositories' nodes,
checking each candidate's heap row (30-150 ms for 5,000-20,000 chunks among 127,000, and short
lists when MAX_SCAN_TUPLES runs out). When the repositories searched hold at most
EXACT_MAX_ROWS chunks (search_collection's per-repository count, kept by the writers: no
counting per query), the distance to every one of their vectors is computed instead, from
search_vectors (migration 0011: the vectors inline, one index range per repository): exact
nearest neighbours, and 2-10x faster than the filtered graph (benchmarks/search_latency.py).
Unfiltered searches over many repositories keep the HNSW index.
"""

from __future__ import annotations

from array import array
from typing import TYPE_CHECKING, Any

import psycopg
from pgvector import Vector
from psycopg import sql

from mnemo.search.filters import Filters
from mnemo.store.vector_index import index_name

if TYPE_CHECKING:
    import numpy as np

MIN_EF_SEARCH = 64
MAX_EF_SEARCH = 1000  # pgvector's upper bound
MAX_SCAN_TUPLES = 40_000  # iterative scan budget for very selective filters (default 20,000)
EXACT_MAX_ROWS = 30_000  # scopes up to this many chunks are scanned exactly (see module docstring)


def search_vector(
    conn: psycopg.Connection, embedding: np.ndarray | array, dimension: int, filters: Filters, depth: int
) -> list[tuple[int, float]]:
    """Best-first (chunk_id, cosine similarity) of the `depth` nearest chunks."""
    dim = int(dimension)
    shape = getattr(embedding, "shape", (len(embedding),))
    if shape != (dim,):
        raise ValueError(f"query vector has shape {shape}, the index holds {dim}-d vectors")
    where, where_params = filters.where("c")
    if filters.repository_ids and scope_rows(conn, filters) <= EXACT_MAX_ROWS:
        return _exact(conn, embedding, dim, filters, depth)
    query = sql.SQL(
        """
        WITH nn AS MATERIALIZED (
            SELECT c.id, c.embedding::vector({dim}) <=> %s::vector({dim}) AS distance
            FROM chunks c
            WHERE vector_dims(c.embedding) = {dim}{where}
            ORDER BY distance
            LIMIT %s
        )
        SELECT id, 1.0 - distance FROM nn ORDER BY distance, id
        """
    ).format(dim=sql.Literal(dim), where=where)
    ef = max(MIN_EF_SEARCH, min(MAX_EF_SEARCH, depth))
    # Inside the caller's own transaction SET LOCAL would outlive this query (a savepoint's
    # RELEASE keeps it), so the previous values are put back afterwards.
    outer = conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE
    with conn.transaction():
        previous = conn.execute(_SETTINGS_NOW).fetchone() if outer else None
        conn.execute(_SET_SETTINGS, (str(ef), "relaxed_order", str(MAX_SCAN_TUPLES)))
        rows = conn.execute(query, [as_vector(embedding), *where_params, depth]).fetchall()
        if previous is not None:
            conn.execute(_SET_SETTINGS, previous)
    return [(int(r[0]), float(r[1])) for r in rows]


def scope_rows(conn: psycopg.Connection, filters: Filters) -> int:
    """Chunks in the filtered repositories (every repository when none is named), from the
    per-repository totals the writers keep (migration 0005's search_collection)."""
    if filters.repository_ids:
        row = conn.execute("SELECT coalesce(sum(docs), 0) FROM search_collection WHERE repository_id = ANY(%s)",
                           (list(filters.repository_ids),)).fetchone()
    else:
        row = conn.execute("SELECT coalesce(sum(docs), 0) FROM search_collection").fetchone()
    return int(row[0])


def _exact(
    conn: psycopg.Connection, embedding: np.ndarray | array, dim: int, filters: Filters, depth: int
) -> list[tuple[int, float]]:
    """Exact nearest neighbours among the filtered repositories' vectors (search_vectors).
    Filters beyond the repository join the chunk row of each vector, which is still far
    cheaper than the graph's walk for such a scope."""
    narrow, narrow_params = (
        Filters(languages=filters.languages, kinds=filters.kinds, path_regex=filters.path_regex).where("c")
        if filters.narrows_chunks else (sql.SQL(""), [])
    )
    join = sql.SQL(" JOIN chunks c ON c.id = v.chunk_id") if filters.narrows_chunks else sql.SQL("")
    query = sql.SQL(
        """
        SELECT v.chunk_id, 1.0 - (v.embedding <=> %s::vector) AS similarity
        FROM search_vectors v{join}
        WHERE v.repository_id = ANY(%s) AND vector_dims(v.embedding) = {dim}{narrow}
        ORDER BY v.embedding <=> %s::vector, v.chunk_id
        LIMIT %s
        """
    ).format(join=join, dim=sql.Literal(dim), narrow=narrow)
    vector = as_vector(embedding)
    rows = conn.execute(query, [vector, list(filters.repository_ids), *narrow_params, vector, depth]).fetchall()
    return [(int(r[0]), float(r[1])) for r in rows]


def as_vector(embedding: Any) -> Vector:
    """The query parameter: pgvector's Vector (float32) from a numpy array or an array('f')
    (the CLI's light static model: no numpy in that process)."""
    return Vector(embedding.tolist() if isinstance(embedding, array) else embedding)


_SETTINGS_NOW = (  # pgvector's defaults when its library is not loaded in this session yet
    "SELECT coalesce(current_setting('hnsw.ef_search', true), '40'),"
    " coalesce(current_setting('hnsw.iterative_scan', true), 'off'),"
    " coalesce(current_setting('hnsw.max_scan_tuples', true), '20000')"
)
_SET_SETTINGS = (
    "SELECT set_config('hnsw.ef_search', %s, true), set_config('hnsw.iterative_scan', %s, true),"
    " set_config('hnsw.max_scan_tuples', %s, true)"
)


def explain_vector_plan(conn: psycopg.Connection, dimension: int, filters: Filters, depth: int) -> str:
    """The planner's plan for a vector query (tests and benchmarks check it uses the index)."""
    dim = int(dimension)
    where, where_params = filters.where("c")
    query = sql.SQL(
        "EXPLAIN SELECT c.id FROM chunks c WHERE vector_dims(c.embedding) = {dim}{where} "
        "ORDER BY c.embedding::vector({dim}) <=> %s::vector({dim}) LIMIT %s"
    ).format(dim=sql.Literal(dim), where=where)
    probe = Vector([1.0] + [0.0] * (dim - 1))
    with conn.transaction():
        conn.execute("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)")
        rows = conn.execute(query, [*where_params, probe, depth]).fetchall()
    return "\n".join(r[0] for r in rows)


__all__ = ["search_vector", "explain_vector_plan", "index_name"]
