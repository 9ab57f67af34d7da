-- Per-file facts for the graph's receiver-type pass (mnemo.extract.find_facts): declared types of
-- parameters, variables and fields, constructor assignments, aliases and return types, as a JSON
-- list of [kind, name, how, text, line] records. Written in the file's own transaction with its
-- chunks; read by mnemo.graph.build at graph time. Files indexed before this migration have '[]'
-- (no facts: their calls resolve as before) until they are indexed again.
ALTER TABLE files ADD COLUMN facts jsonb NOT NULL DEFAULT '[]';

-- New edge labels: 'typed' (a call on a receiver whose type the facts give), 'dispatch' (a call
-- through an interface or abstract method, to an implementation: lower confidence).
ALTER TABLE graph_edges DROP CONSTRAINT IF EXISTS graph_edges_resolution_check;
ALTER TABLE graph_edges ADD CONSTRAINT graph_edges_resolution_check CHECK (resolution IN (
    'scope', 'import', 'this', 'qualified', 'same_file', 'unique_name', 'ambiguous', 'typed', 'dispatch',
    'structure', 'external', 'builtin', 'local', 'unresolved'));
