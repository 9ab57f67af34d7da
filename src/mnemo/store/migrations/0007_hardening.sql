-- Hardening: how each file was decoded, every skipped path with its reason, and a graph
-- freshness keyed on the repository's content rather than on timestamps.

-- The encoding a file was read in ("utf-8", "utf-8-sig", "utf-16-le", "cp1252"…); NULL before 0007.
ALTER TABLE files ADD COLUMN encoding text;

-- Per-reason counts of a run's skipped paths ({"too large": 2, "symlink": 1, …}).
ALTER TABLE index_runs ADD COLUMN skipped jsonb NOT NULL DEFAULT '{}';

-- Every path a run left out, with why (a directory ends in "/" and stands for its contents).
CREATE TABLE index_skips (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id        bigint NOT NULL REFERENCES index_runs(id) ON DELETE CASCADE,
    repository_id bigint NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    path          text NOT NULL,
    reason        text NOT NULL
);
CREATE INDEX index_skips_run_idx ON index_skips (run_id, path);

-- The content a graph was built from: a digest of the repository's (path, hash, status) set.
-- A deletion changes no timestamp but changes this set, so a graph build killed after a file was
-- removed is seen as stale by the next run. Set by a trigger whenever a build is recorded, so
-- the graph builder need not know about it; compared by graph.build.graph_is_current.
ALTER TABLE graph_builds ADD COLUMN files_digest text;

CREATE FUNCTION mnemo_files_digest(repo bigint) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT md5(coalesce(string_agg(path || ':' || coalesce(content_hash, '') || ':' || status, E'\n'
                                   ORDER BY path), ''))
    FROM files WHERE repository_id = repo
$$;

CREATE FUNCTION mnemo_graph_builds_digest() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.files_digest := mnemo_files_digest(NEW.repository_id);
    RETURN NEW;
END
$$;

CREATE TRIGGER graph_builds_digest BEFORE INSERT OR UPDATE ON graph_builds
    FOR EACH ROW EXECUTE FUNCTION mnemo_graph_builds_digest();
