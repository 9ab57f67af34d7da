"""The code graph: nodes from stored chunks, resolved edges, metrics, queries.

build.py     build_graph(database, repository_id): the bulk phase at the end of `mnemo index`
resolve.py   scope, import and export resolution (pure; rules per language in rules.py,
             module specifiers → files in modules.py)
metrics.py   PageRank, degrees, coupling on scipy.sparse
query.py     callers, callees, impact, path, top, stats, neighbourhood, overview, module graph
"""
