-- 0009_graph_file_names: what each file defined when its graph was last built.
--
-- An incremental graph update (graph/incremental.py) must know what a changed or deleted file
-- USED to define: the callers of a removed or renamed definition need re-resolving, yet by the
-- time the graph phase runs the file's old nodes are gone (chunks cascade to graph_nodes).
-- Keyed by path, not file id, so a deleted file's row outlives its files row until the update.
CREATE TABLE graph_file_names (
    repository_id bigint NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
    path          text NOT NULL,
    names         text[] NOT NULL,
    PRIMARY KEY (repository_id, path)
);
