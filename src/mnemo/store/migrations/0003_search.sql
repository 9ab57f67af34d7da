-- Search: a code-aware full-text document per chunk, and trigram indexes for fuzzy identifiers.
--
-- PostgreSQL's text-search parser reads code badly: `self.parse_config` is one "host" token,
-- `django/db/models.py` one "file" token, and `parseConfig` one word. mnemo_code_words() turns
-- code into plain words first: every run of non-alphanumerics becomes a space (so `.`, `/`, `_`
-- and `-` separate words), and every word with an internal camelCase, acronym or digit boundary
-- is repeated split into its parts: `parseConfig` → `parseConfig … parse Config`,
-- `HTTPServer2` → `HTTPServer2 … HTTP Server 2`. A query for the whole identifier and a query
-- in words both match. Words without a boundary are not repeated (keeps the document small).
-- search.query.code_words() is the Python mirror used on queries; keep the two in step.
--
-- search_tsv is a STORED generated column, so the writer needs no change and a row's document
-- can never be stale. Weights: A name and qualified name, B signature and path, C docstring,
-- D source. The 'simple' configuration lower-cases and nothing else: no stemming (identifiers
-- are not English) and no stop words (`get`, `set`, `is` are meaningful in code); the query side
-- drops English filler words and terms too common to discriminate.

CREATE FUNCTION mnemo_code_words(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT w || ' ' ||
    regexp_replace(regexp_replace(regexp_replace(regexp_replace(
      -- keep only words that have a boundary: drop lower, Capitalised, UPPER and all-digit words
      regexp_replace(w, '\m([[:upper:]]?[[:lower:]]+|[[:upper:]]+|[[:digit:]]+)\M', '', 'g'),
      '([[:lower:][:digit:]])([[:upper:]])', '\1 \2', 'g'),      -- parseConfig → parse Config
      '([[:upper:]])([[:upper:]][[:lower:]])', '\1 \2', 'g'),    -- HTTPServer → HTTP Server
      '([[:alpha:]])([[:digit:]])', '\1 \2', 'g'),               -- utf8 → utf 8
      '([[:digit:]])([[:alpha:]])', '\1 \2', 'g')                -- 2d → 2 d
  FROM (SELECT regexp_replace(t, '[^[:alnum:]]+', ' ', 'g') AS w) s
$$;

ALTER TABLE chunks ADD COLUMN search_tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('simple'::regconfig, mnemo_code_words(name || ' ' || qualified_name)), 'A')
 || setweight(to_tsvector('simple'::regconfig, mnemo_code_words(signature || ' ' || path)), 'B')
 || setweight(to_tsvector('simple'::regconfig, mnemo_code_words(coalesce(docstring, ''))), 'C')
 || setweight(to_tsvector('simple'::regconfig, mnemo_code_words(source)), 'D')
) STORED;

-- Keep the document in the row (compressed) and let the toaster move the embedding, source and
-- metadata out of line instead: ranking reads search_tsv for every candidate row, and a
-- TOAST fetch per row made lexical queries on a 113k-chunk index ~2x slower.
ALTER TABLE chunks ALTER COLUMN search_tsv SET STORAGE MAIN;

CREATE INDEX chunks_search_tsv_idx ON chunks USING gin (search_tsv);
-- Fuzzy identifier lookups (`parse_confg`, `QuerySet.filter`): `%` / similarity() use these.
CREATE INDEX chunks_name_trgm_idx ON chunks USING gin (name gin_trgm_ops);
CREATE INDEX chunks_qualified_name_trgm_idx ON chunks USING gin (qualified_name gin_trgm_ops);
-- Exact identifier lookups are case-insensitive.
CREATE INDEX chunks_lower_name_idx ON chunks (lower(name));
