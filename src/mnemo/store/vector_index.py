"""The HNSW index over chunk embeddings, one per embedding dimension.

`chunks.embedding` is an unsized `vector` so repositories with different models can share the
database; an HNSW index needs a fixed size, so each dimension gets a partial expression index.
A query must use the same expression and predicate to use it:
    WHERE vector_dims(embedding) = 384 ORDER BY embedding::vector(384) <=> %s::vector(384)
"""

from __future__ import annotations

import psycopg


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
