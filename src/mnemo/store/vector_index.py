"""The HNSW index over chunk embeddings, one per embedding dimension.

`chunks.embedding` is an unsized `vector` so repositories with different models can share the
database; an HNSW index needs a fixed size, so each dimension gets a partial expression index.
A query must use the same expression and predicate to use it:
    WHERE vector_dims(embedding) = 384 ORDER BY embedding::vector(384) <=> %s::vector(384)

Bulk loads: keeping the graph current row by row was half of PostgreSQL's work per stored
chunk (measured on @babylonjs/core: 31,000 chunks), and building it once over the finished
table is ~5x cheaper than those inserts. So a run that writes many chunks into a dimension that
holds few others (`bulk_load_pays`) drops the index first and builds it at its end
(`VectorIndexBulkLoad`); meanwhile a vector search is exact (a scan), never wrong. A run killed
before the end leaves no index: every run calls `ensure_vector_index` when it starts, so the
next one builds it.
"""

from __future__ import annotations

import logging

import psycopg

log = logging.getLogger("mnemo.store.vector_index")

BULK_MIN_FILES = 500  # below this a run keeps the index current: edits and small repositories
CHUNKS_PER_FILE_ESTIMATE = 3  # conservative (rxjs: 3.7, babylon: 9.3): underestimates the run
BUILD_MEMORY = "256MB"  # maintenance_work_mem for the build: the graph of ~150k 384-d vectors in memory


def index_name(dimension: int) -> str:
    return f"chunks_embedding_{int(dimension)}_hnsw"


def ensure_vector_index(conn: psycopg.Connection, dimension: int) -> None:
    """Create the HNSW (cosine) index for this dimension if missing. Cheap when it exists."""
    dim = int(dimension)
    conn.execute(
        f"CREATE INDEX IF NOT EXISTS {index_name(dim)} ON chunks "
        f"USING hnsw ((embedding::vector({dim})) vector_cosine_ops) "
        f"WHERE vector_dims(embedding) = {dim}"
    )


def has_vector_index(conn: psycopg.Connection, dimension: int) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (index_name(dimension),)).fetchone()[0]


def bulk_load_pays(conn: psycopg.Connection, dimension: int, files_to_write: int) -> bool:
    """Whether dropping and rebuilding the index costs less than maintaining it: the run writes
    many files (an estimated chunk count) and the dimension's other chunks, which the build
    reads again, are fewer than those."""
    if files_to_write < BULK_MIN_FILES:
        return False
    dim = int(dimension)
    existing = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM chunks WHERE vector_dims(embedding) = {dim} LIMIT %s) s",
        (files_to_write * CHUNKS_PER_FILE_ESTIMATE + 1,),
    ).fetchone()[0]
    return existing <= files_to_write * CHUNKS_PER_FILE_ESTIMATE


class VectorIndexBulkLoad:
    """Drop a dimension's HNSW index for the duration of a bulk write; build it at `finish`.

    `conn` must be in autocommit mode (each step its own transaction). `finish` is safe to call
    more than once and on any exit path: the index is built unless it already exists."""

    def __init__(self, conn: psycopg.Connection, dimension: int) -> None:
        self.conn = conn
        self.dimension = int(dimension)
        self.active = False

    def start(self) -> None:
        self.conn.execute(f"DROP INDEX IF EXISTS {index_name(self.dimension)}")
        self.active = True

    def finish(self) -> None:
        if not self.active:
            return
        self.active = False
        with self.conn.transaction():
            self.conn.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
            ensure_vector_index(self.conn, self.dimension)
