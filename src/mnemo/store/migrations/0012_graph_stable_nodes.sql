-- 0012_graph_stable_nodes: a changed file's definitions keep their graph nodes.
--
-- Re-indexing a file replaces its chunks. With ON DELETE CASCADE its graph nodes went with them,
-- and every edge into them, so the incremental graph update had to re-resolve every file that
-- calls anything the file defines (558 files for one edit of a widely used helper). Now the
-- chunk's delete only clears the node's chunk_id: the node, its id and the edges into it wait
-- for the graph update, which re-attaches each node to its definition's new chunk (same kind,
-- qualified name and occurrence), deletes the nodes of definitions that are gone and re-resolves
-- only the callers of names whose definition changed (graph/incremental.py, graph/interface.py).
-- Between the index run and the update such a node has no chunk: it still stands for the last
-- build's graph, which readers see until the update commits. A deleted file still takes its
-- nodes with it (file_id cascades).
ALTER TABLE graph_nodes DROP CONSTRAINT graph_nodes_chunk_id_fkey;
ALTER TABLE graph_nodes ADD CONSTRAINT graph_nodes_chunk_id_fkey
    FOREIGN KEY (chunk_id) REFERENCES chunks(id) ON DELETE SET NULL;

-- What each file showed the rest of the repository at the last build, as digests by name
-- (graph/interface.py): the update compares them with the changed file's new ones. NULL (files
-- recorded before this migration): every name the file defines counts as changed.
ALTER TABLE graph_file_names ADD COLUMN digests jsonb;
