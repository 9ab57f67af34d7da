-- Vectors reused: a repository records the hash of its model's weights, each chunk the hash of
-- the text it embedded, and a cache keyed by (model, model hash, text hash) keeps every vector
-- some chunk still uses. An edited file re-embeds only the chunks whose text changed; `--full`
-- with the same model reuses every unchanged vector; another model (or the same name with
-- other weights) has another key and reuses nothing.
-- Garbage collection follows the chunks: when a file's chunks are replaced or removed, the
-- cache rows of their text hashes that no chunk of a repository with that model still holds
-- are deleted (store/embedding_cache.py); a full run sweeps the model's rows at its end.
ALTER TABLE repositories ADD COLUMN model_hash text;   -- NULL: indexed before hashes were recorded
ALTER TABLE chunks ADD COLUMN text_hash bytea;         -- NULL: embedded before the cache existed
CREATE INDEX chunks_text_hash_idx ON chunks (text_hash) WHERE text_hash IS NOT NULL;

CREATE TABLE embedding_cache (
    model      text NOT NULL,
    model_hash text NOT NULL DEFAULT '',
    text_hash  bytea NOT NULL,
    embedding  vector NOT NULL,
    PRIMARY KEY (model, model_hash, text_hash)
);
