-- Exact vector search within a repository: each chunk's embedding again, in a narrow table whose
-- rows keep the vector inline, kept in step with chunks by triggers in the writing transaction.
--
-- Why: a search usually names one repository, and many repositories share one database. The
-- HNSW graph over all chunks (store/vector_index.py) then has to skip the other repositories'
-- nodes, checking each candidate's heap row: 30-150 ms for a repository of 5,000-20,000 chunks
-- among 127,000 (benchmarks/search_latency.py). Computing the distance to every chunk of the
-- repository is exact and would be cheaper, but in `chunks` a vector (1.5 kB, pgvector's storage
-- is EXTERNAL) lies out of line in the TOAST table, one TOAST look-up per row: 120 ms for 16,000
-- rows. Here a row is the chunk id, its repository and the vector stored PLAIN (inline, ~1.6 kB,
-- under the 2 kB TOAST threshold), and the rows of one repository are read through one index
-- range: 13 ms for the same 16,000 rows, 0.6 ms for 500 (search/vector.py decides which way).
-- The price: the vectors are stored twice (~200 MB per 127,000 chunks of 384-d vectors).

CREATE TABLE search_vectors (
    chunk_id      bigint PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    repository_id bigint NOT NULL,
    embedding     vector NOT NULL
);
ALTER TABLE search_vectors ALTER COLUMN embedding SET STORAGE PLAIN;
CREATE INDEX search_vectors_repository_idx ON search_vectors (repository_id);

CREATE FUNCTION mnemo_search_vectors_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_vectors (chunk_id, repository_id, embedding)
  SELECT n.id, n.repository_id, n.embedding FROM new_chunks n;
  RETURN NULL;
END $$;

CREATE TRIGGER chunks_search_vectors_inserted AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS new_chunks FOR EACH STATEMENT EXECUTE FUNCTION mnemo_search_vectors_inserted();

-- Mnemo's writers never update a stored vector (a changed chunk is deleted and inserted), but a
-- row that does change its embedding keeps its copy in step.
CREATE FUNCTION mnemo_search_vectors_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO search_vectors (chunk_id, repository_id, embedding) VALUES (NEW.id, NEW.repository_id, NEW.embedding)
  ON CONFLICT (chunk_id) DO UPDATE SET repository_id = EXCLUDED.repository_id, embedding = EXCLUDED.embedding;
  RETURN NULL;
END $$;

CREATE TRIGGER chunks_search_vectors_updated AFTER UPDATE OF embedding, repository_id ON chunks
    FOR EACH ROW WHEN (OLD.embedding IS DISTINCT FROM NEW.embedding OR OLD.repository_id <> NEW.repository_id)
    EXECUTE FUNCTION mnemo_search_vectors_updated();

-- Chunks stored before this migration, in repository order (one repository's rows together).
INSERT INTO search_vectors (chunk_id, repository_id, embedding)
SELECT id, repository_id, embedding FROM chunks ORDER BY repository_id, id;
