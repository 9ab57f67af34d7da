-- BM25 for lexical search: a posting per (chunk, term) with its frequency in each field, each
-- chunk's field lengths, and per-repository collection totals, all maintained in the writing
-- transaction.
--
-- Why: ts_rank (migration 0003) has no inverse document frequency, no document-length
-- normalisation and a fixed saturation; BM25 has all three (search.lexical). The postings are
-- derived from chunks.search_tsv itself — the code-aware document of 0003 — so the terms BM25
-- counts are exactly the lexemes the full-text index matches, with no second tokenizer to keep
-- in step. Field = the tsvector weight a position carries: A name + qualified name, B signature
-- + path, C docstring, D source. Frequencies are stored per field so the field weights are a
-- query-time choice (BM25F-style: tf = Σ w_f tf_f, length = Σ w_f len_f).
--
-- Maintenance: statement-level triggers on chunks. INSERT derives the new rows' postings and
-- lengths and adds them to the collection totals; DELETE subtracts the totals (postings and
-- lengths go by ON DELETE CASCADE). A file's re-index is one transaction (store.writes
-- .write_file), so its postings and the totals change with its chunks or not at all. Document
-- frequencies are not stored: they are counted from the postings at query time, restricted to
-- the repositories searched (an index scan over the postings the query reads anyway), which
-- keeps writers from contending on one hot row per common word.

CREATE FUNCTION mnemo_search_postings(doc tsvector)
RETURNS TABLE (term text, tf_name int, tf_head int, tf_doc int, tf_body int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT u.lexeme,
         cardinality(array_positions(u.weights, 'A')),
         cardinality(array_positions(u.weights, 'B')),
         cardinality(array_positions(u.weights, 'C')),
         cardinality(array_positions(u.weights, 'D'))
  FROM unnest(doc) AS u
$$;

CREATE TABLE search_terms (
    term          text   NOT NULL,
    repository_id bigint NOT NULL,
    chunk_id      bigint NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
    tf_name       smallint NOT NULL,
    tf_head       smallint NOT NULL,
    tf_doc        smallint NOT NULL,
    tf_body       smallint NOT NULL
);
-- The query reads the postings of its terms in the searched repositories: one index range each.
CREATE INDEX search_terms_term_idx ON search_terms (term, repository_id)
    INCLUDE (chunk_id, tf_name, tf_head, tf_doc, tf_body);
CREATE INDEX search_terms_chunk_idx ON search_terms (chunk_id);  -- the cascade's delete path

CREATE TABLE search_docs (
    chunk_id      bigint PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,
    repository_id bigint NOT NULL,
    len_name      integer NOT NULL,
    len_head      integer NOT NULL,
    len_doc       integer NOT NULL,
    len_body      integer NOT NULL
);

-- No foreign key: a repository's delete cascades to its chunks, whose trigger then updates this
-- row after the repository row is gone. Rows of deleted repositories drop to zero documents.
CREATE TABLE search_collection (
    repository_id bigint PRIMARY KEY,
    docs          bigint NOT NULL,
    len_name      bigint NOT NULL,
    len_head      bigint NOT NULL,
    len_doc       bigint NOT NULL,
    len_body      bigint NOT NULL
);

CREATE FUNCTION mnemo_search_chunks_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH p AS MATERIALIZED (
    SELECT n.id, n.repository_id, x.*
    FROM new_chunks n CROSS JOIN LATERAL mnemo_search_postings(n.search_tsv) x
  ), terms AS (
    INSERT INTO search_terms (term, repository_id, chunk_id, tf_name, tf_head, tf_doc, tf_body)
    SELECT term, repository_id, id, least(tf_name, 32767), least(tf_head, 32767), least(tf_doc, 32767),
           least(tf_body, 32767)
    FROM p
  ), docs AS (
    INSERT INTO search_docs (chunk_id, repository_id, len_name, len_head, len_doc, len_body)
    SELECT n.id, n.repository_id, coalesce(sum(p.tf_name), 0), coalesce(sum(p.tf_head), 0),
           coalesce(sum(p.tf_doc), 0), coalesce(sum(p.tf_body), 0)
    FROM new_chunks n LEFT JOIN p ON p.id = n.id
    GROUP BY n.id, n.repository_id
    RETURNING *
  )
  INSERT INTO search_collection AS s (repository_id, docs, len_name, len_head, len_doc, len_body)
  SELECT repository_id, count(*), sum(len_name), sum(len_head), sum(len_doc), sum(len_body)
  FROM docs GROUP BY repository_id
  ON CONFLICT (repository_id) DO UPDATE SET
    docs = s.docs + EXCLUDED.docs, len_name = s.len_name + EXCLUDED.len_name,
    len_head = s.len_head + EXCLUDED.len_head, len_doc = s.len_doc + EXCLUDED.len_doc,
    len_body = s.len_body + EXCLUDED.len_body;
  RETURN NULL;
END $$;

-- The deleted rows' lengths are recomputed from their documents (search_docs rows are already
-- gone by the time an AFTER statement trigger runs, being cascaded in the same statement).
CREATE FUNCTION mnemo_search_chunks_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  WITH gone AS (
    SELECT o.repository_id, count(DISTINCT o.id) AS docs,
           coalesce(sum(p.tf_name), 0) AS len_name, coalesce(sum(p.tf_head), 0) AS len_head,
           coalesce(sum(p.tf_doc), 0) AS len_doc, coalesce(sum(p.tf_body), 0) AS len_body
    FROM old_chunks o LEFT JOIN LATERAL mnemo_search_postings(o.search_tsv) p ON true
    GROUP BY o.repository_id
  )
  UPDATE search_collection s SET
    docs = s.docs - g.docs, len_name = s.len_name - g.len_name, len_head = s.len_head - g.len_head,
    len_doc = s.len_doc - g.len_doc, len_body = s.len_body - g.len_body
  FROM gone g WHERE s.repository_id = g.repository_id;
  RETURN NULL;
END $$;

CREATE TRIGGER chunks_search_inserted AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS new_chunks FOR EACH STATEMENT EXECUTE FUNCTION mnemo_search_chunks_inserted();
CREATE TRIGGER chunks_search_deleted AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_chunks FOR EACH STATEMENT EXECUTE FUNCTION mnemo_search_chunks_deleted();

-- Chunks stored before this migration: their postings, lengths and totals, as the trigger
-- would have written them.
WITH p AS MATERIALIZED (
  SELECT n.id, n.repository_id, x.* FROM chunks n CROSS JOIN LATERAL mnemo_search_postings(n.search_tsv) x
), terms AS (
  INSERT INTO search_terms (term, repository_id, chunk_id, tf_name, tf_head, tf_doc, tf_body)
  SELECT term, repository_id, id, least(tf_name, 32767), least(tf_head, 32767), least(tf_doc, 32767),
         least(tf_body, 32767) FROM p
), docs AS (
  INSERT INTO search_docs (chunk_id, repository_id, len_name, len_head, len_doc, len_body)
  SELECT n.id, n.repository_id, coalesce(sum(p.tf_name), 0), coalesce(sum(p.tf_head), 0),
         coalesce(sum(p.tf_doc), 0), coalesce(sum(p.tf_body), 0)
  FROM chunks n LEFT JOIN p ON p.id = n.id GROUP BY n.id, n.repository_id
  RETURNING *
)
INSERT INTO search_collection (repository_id, docs, len_name, len_head, len_doc, len_body)
SELECT repository_id, count(*), sum(len_name), sum(len_head), sum(len_doc), sum(len_body)
FROM docs GROUP BY repository_id;
