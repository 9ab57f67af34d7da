-- Core schema: repositories, files, chunks with embeddings, indexing runs and their errors.
-- Embeddings use an unsized `vector` column: each repository records its model and dimension,
-- and an HNSW index per dimension is created on demand (store.writes.ensure_vector_index),
-- so two models' vectors never share an index and a repository never mixes models.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE repositories (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE,
    root            text NOT NULL,
    model           text NOT NULL,
    dimension       integer NOT NULL CHECK (dimension > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    last_indexed_at timestamptz
);

CREATE TABLE files (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repository_id bigint NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    path          text NOT NULL,                 -- POSIX, relative to the repository root
    language      text NOT NULL,
    content_hash  text,                          -- hash of the content whose chunks are stored
    failed_hash   text,                          -- hash of the content that last failed, if any
    size_bytes    integer NOT NULL,
    status        text NOT NULL CHECK (status IN ('indexed', 'partial', 'failed')),
    last_error    text,
    imports       jsonb NOT NULL DEFAULT '[]',
    exports       jsonb NOT NULL DEFAULT '[]',
    module_calls  jsonb NOT NULL DEFAULT '[]',
    chunk_count   integer NOT NULL DEFAULT 0,
    indexed_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (repository_id, path)
);

CREATE TABLE chunks (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repository_id  bigint NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    file_id        bigint NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    path           text NOT NULL,                 -- the file's path, kept here for search and display
    language       text NOT NULL,
    kind           text NOT NULL,
    name           text NOT NULL,
    qualified_name text NOT NULL,
    signature      text NOT NULL DEFAULT '',
    docstring      text,
    source         text NOT NULL,
    start_line     integer NOT NULL,
    end_line       integer NOT NULL CHECK (end_line >= start_line),
    metadata       jsonb NOT NULL DEFAULT '{}',
    embedding      vector NOT NULL
);
CREATE INDEX chunks_file_idx ON chunks (file_id);
CREATE INDEX chunks_repo_kind_idx ON chunks (repository_id, kind);
CREATE INDEX chunks_repo_name_idx ON chunks (repository_id, name);

CREATE TABLE index_runs (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repository_id   bigint NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    mode            text NOT NULL CHECK (mode IN ('incremental', 'full')),
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'interrupted')),
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    files_seen      integer NOT NULL DEFAULT 0,
    files_indexed   integer NOT NULL DEFAULT 0,
    files_unchanged integer NOT NULL DEFAULT 0,
    files_removed   integer NOT NULL DEFAULT 0,
    files_failed    integer NOT NULL DEFAULT 0,
    chunks_written  integer NOT NULL DEFAULT 0,
    options         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX index_runs_repo_idx ON index_runs (repository_id, started_at DESC);

CREATE TABLE index_errors (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id        bigint NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
    repository_id bigint NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    path          text NOT NULL,
    line          integer,
    col           integer,
    severity      text NOT NULL CHECK (severity IN ('error', 'warning')),
    message       text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX index_errors_run_idx ON index_errors (run_id);
