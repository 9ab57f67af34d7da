"""The code graph: nodes from stored chunks, resolved edges, metrics, queries.

build.py     build_graph(database, repository_id): the bulk phase at the end of `mnemo index`
resolve.py   scope, import and export resolution (pure), with
               rules.py    per-language data: builtins, self/super names, module conventions
               modules.py  module specifiers → files (relative, index files, tsconfig paths/baseUrl,
                           Python packages and source roots)
               scope.py    the caller's own local names (parameters, variables, nested functions)
incremental.py  update_graph: re-resolve only what changed files can reach, with
               interface.py  what a file shows the others, as digests by name (dirty names)
metrics.py   PageRank, degrees, coupling as numpy operations over the edge arrays
query.py     callers, callees, impact, path, top, stats, neighbourhood, overview, module graph
"""
