"""Read-only reports over the index that the CLI (`mnemo repos`, `mnemo runs`) and the REST API
share: repository statistics, one chunk with its file, indexing runs and their errors, metric
distributions.

Each query is a single SELECT over the schema's tables (0001_core, 0002_graph), so a schema
change shows up in the tests at once. Every function takes an open connection, so one request
uses one connection.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row

REPOSITORY_COLUMNS = "id, name, root, model, dimension, created_at, updated_at, last_indexed_at"


def _rows(conn: psycopg.Connection, sql: str, params: tuple | dict = ()) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _row(conn: psycopg.Connection, sql: str, params: tuple | dict = ()) -> dict[str, Any] | None:
    rows = _rows(conn, sql, params)
    return rows[0] if rows else None


def has_table(conn: psycopg.Connection, name: str) -> bool:
    return bool(conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0])


def repository_by_name(conn: psycopg.Connection, name: str) -> dict[str, Any] | None:
    return _row(conn, f"SELECT {REPOSITORY_COLUMNS} FROM repositories WHERE name = %s", (name,))


def _repository_filter(name: str | None, search: str | None) -> tuple[str, dict[str, Any]]:
    if name is not None:
        return "WHERE r.name = %(name)s", {"name": name}
    if search:
        # A case-insensitive substring of the name or root; LIKE's wildcards in the text are literal.
        pattern = "%" + search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return "WHERE (r.name ILIKE %(pattern)s OR r.root ILIKE %(pattern)s)", {"pattern": pattern}
    return "", {}


def count_repositories(conn: psycopg.Connection, search: str | None = None) -> int:
    """How many repositories match `search` (all without it): the total behind a page."""
    where, params = _repository_filter(None, search)
    return int(conn.execute(f"SELECT count(*) FROM repositories r {where}", params).fetchone()[0])


def repositories_with_stats(
    conn: psycopg.Connection, name: str | None = None, *, search: str | None = None,
    limit: int | None = None, offset: int = 0,
) -> list[dict[str, Any]]:
    """Each repository with counts of files (by status), chunks, graph nodes and edges, and its
    last run — what the UI's dropdown and the repositories endpoint show.

    `search` keeps the repositories whose name or root contains it; `limit`/`offset` page by name.
    The page is cut before the counts are made, so a page of 50 out of thousands of repositories
    costs 50 repositories' counts."""
    graph_cols = (
        ", (SELECT count(*) FROM graph_nodes n WHERE n.repository_id = r.id) AS nodes"
        ", (SELECT count(*) FROM graph_edges e WHERE e.repository_id = r.id AND e.dst IS NOT NULL) AS edges"
        ", (SELECT g.built_at FROM graph_builds g WHERE g.repository_id = r.id) AS graph_built_at"
        if has_table(conn, "graph_nodes")
        else ", NULL::bigint AS nodes, NULL::bigint AS edges, NULL::timestamptz AS graph_built_at"
    )
    where, params = _repository_filter(name, search)
    page = f"LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    rows = _rows(
        conn,
        f"""
        SELECT r.id, r.name, r.root, r.model, r.dimension, r.created_at, r.updated_at, r.last_indexed_at,
               (SELECT count(*) FROM files f WHERE f.repository_id = r.id) AS files,
               (SELECT count(*) FROM files f WHERE f.repository_id = r.id AND f.status = 'failed') AS files_failed,
               (SELECT count(*) FROM files f WHERE f.repository_id = r.id AND f.status = 'partial') AS files_partial,
               (SELECT count(*) FROM chunks c WHERE c.repository_id = r.id) AS chunks
               {graph_cols},
               (SELECT jsonb_build_object('id', ir.id, 'status', ir.status, 'mode', ir.mode,
                                          'started_at', ir.started_at, 'finished_at', ir.finished_at,
                                          'files_failed', ir.files_failed)
                  FROM index_runs ir WHERE ir.repository_id = r.id
                 ORDER BY ir.started_at DESC, ir.id DESC LIMIT 1) AS last_run
          FROM (SELECT * FROM repositories r {where} ORDER BY r.name {page}) r
         ORDER BY r.name
        """,
        params,
    )
    for row in rows:
        row["languages"] = {}
    if rows:
        ids = [r["id"] for r in rows]
        langs = _rows(
            conn,
            "SELECT repository_id, language, count(*) AS n FROM files WHERE repository_id = ANY(%s) "
            "GROUP BY repository_id, language ORDER BY n DESC",
            (ids,),
        )
        by_id = {r["id"]: r for r in rows}
        for lang in langs:
            by_id[lang["repository_id"]]["languages"][lang["language"]] = lang["n"]
    return rows


CHUNK_COLUMNS = (
    "c.id, c.repository_id, r.name AS repository, c.file_id, c.path, c.language, c.kind, c.name, "
    "c.qualified_name, c.signature, c.docstring, c.start_line, c.end_line, c.metadata"
)


def chunk(conn: psycopg.Connection, chunk_id: int, *, with_source: bool = True) -> dict[str, Any] | None:
    """One chunk with its source, as stored at indexing time (never read from disk)."""
    source = ", c.source" if with_source else ""
    return _row(
        conn,
        f"SELECT {CHUNK_COLUMNS}{source}, f.status AS file_status, f.indexed_at "
        "FROM chunks c JOIN repositories r ON r.id = c.repository_id JOIN files f ON f.id = c.file_id "
        "WHERE c.id = %s",
        (chunk_id,),
    )


def file_chunks(conn: psycopg.Connection, repository_id: int, path: str, limit: int) -> list[dict[str, Any]]:
    return _rows(
        conn,
        f"SELECT {CHUNK_COLUMNS} FROM chunks c JOIN repositories r ON r.id = c.repository_id "
        "WHERE c.repository_id = %s AND c.path = %s ORDER BY c.start_line, c.id LIMIT %s",
        (repository_id, path, limit),
    )


def files(
    conn: psycopg.Connection, repository_id: int, *, status: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    where = "AND status = %(status)s" if status else ""
    return _rows(
        conn,
        "SELECT id, path, language, size_bytes, status, last_error, chunk_count, indexed_at FROM files "
        f"WHERE repository_id = %(repo)s {where} ORDER BY path LIMIT %(limit)s OFFSET %(offset)s",
        {"repo": repository_id, "status": status, "limit": limit, "offset": offset},
    )


RUN_COLUMNS = (
    "id, repository_id, mode, status, started_at, finished_at, files_seen, files_indexed, "
    "files_unchanged, files_removed, files_failed, chunks_written, options, skipped"
)


def runs(conn: psycopg.Connection, repository_id: int | None, limit: int) -> list[dict[str, Any]]:
    """The last runs, newest first, each with its count of errors and warnings."""
    where = "WHERE ir.repository_id = %(repo)s" if repository_id is not None else ""
    return _rows(
        conn,
        f"""
        SELECT ir.{RUN_COLUMNS.replace(', ', ', ir.')}, r.name AS repository,
               extract(epoch FROM (coalesce(ir.finished_at, now()) - ir.started_at)) AS duration_s,
               (SELECT count(*) FROM index_errors e WHERE e.run_id = ir.id AND e.severity = 'error') AS errors,
               (SELECT count(*) FROM index_errors e WHERE e.run_id = ir.id AND e.severity = 'warning') AS warnings
          FROM index_runs ir JOIN repositories r ON r.id = ir.repository_id {where}
         ORDER BY ir.started_at DESC, ir.id DESC LIMIT %(limit)s
        """,
        {"repo": repository_id, "limit": limit},
    )


def run(conn: psycopg.Connection, run_id: int) -> dict[str, Any] | None:
    rows = _rows(
        conn,
        f"""
        SELECT ir.{RUN_COLUMNS.replace(', ', ', ir.')}, r.name AS repository,
               extract(epoch FROM (coalesce(ir.finished_at, now()) - ir.started_at)) AS duration_s,
               (SELECT count(*) FROM index_errors e WHERE e.run_id = ir.id AND e.severity = 'error') AS errors,
               (SELECT count(*) FROM index_errors e WHERE e.run_id = ir.id AND e.severity = 'warning') AS warnings
          FROM index_runs ir JOIN repositories r ON r.id = ir.repository_id WHERE ir.id = %s
        """,
        (run_id,),
    )
    return rows[0] if rows else None


def run_errors(conn: psycopg.Connection, run_id: int, limit: int, offset: int) -> list[dict[str, Any]]:
    return _rows(
        conn,
        "SELECT id, path, line, col, severity, message, created_at FROM index_errors "
        "WHERE run_id = %s ORDER BY severity, path, line NULLS FIRST, id LIMIT %s OFFSET %s",
        (run_id, limit, offset),
    )


def run_skips(conn: psycopg.Connection, run_id: int, limit: int = 100_000, offset: int = 0,
              reason: str | None = None) -> list[dict[str, Any]]:
    """The paths a run left out, with why (0007_hardening), by path."""
    return _rows(
        conn,
        "SELECT path, reason FROM index_skips WHERE run_id = %s AND (%s::text IS NULL OR reason = %s) "
        "ORDER BY path, id LIMIT %s OFFSET %s",
        (run_id, reason, reason, limit, offset),
    )


# -- metrics over the graph (0002_graph) -------------------------------------------------------

COMPLEXITY_BINS = [(1, 1), (2, 2), (3, 3), (4, 5), (6, 10), (11, 20), (21, 50), (51, None)]
COUPLING_BINS = [(0, 0), (1, 1), (2, 2), (3, 5), (6, 10), (11, 20), (21, 50), (51, None)]
# PageRank relative to the mean (1.0 = an average node): comparable across repository sizes.
PAGERANK_BINS = [(0, 0.5), (0.5, 1), (1, 2), (2, 5), (5, 10), (10, 50), (50, None)]

# Coupling is the graph stage's: a module's afferent + efferent modules (graph.query.TOP_BY).
COUPLING_SQL = "(coalesce(n.afferent, 0) + coalesce(n.efferent, 0))"


def _int_histogram(conn: psycopg.Connection, expr: str, where: str, repository_id: int,
                   bins: list[tuple[int, int | None]]) -> list[dict[str, Any]]:
    cases = " ".join(
        f"WHEN {expr} BETWEEN {lo} AND {hi} THEN {i}" if hi is not None else f"WHEN {expr} >= {lo} THEN {i}"
        for i, (lo, hi) in enumerate(bins)
    )
    rows = dict(conn.execute(
        f"SELECT CASE {cases} END AS bin, count(*) FROM graph_nodes n "
        f"WHERE n.repository_id = %s AND {where} GROUP BY 1",
        (repository_id,),
    ).fetchall())
    return [
        {"lo": lo, "hi": hi, "label": str(lo) if lo == hi else (f"{lo}+" if hi is None else f"{lo}–{hi}"),
         "count": int(rows.get(i, 0))}
        for i, (lo, hi) in enumerate(bins)
    ]


def _pagerank_histogram(conn: psycopg.Connection, repository_id: int) -> list[dict[str, Any]]:
    cases = " ".join(
        f"WHEN rel < {hi} THEN {i}" if hi is not None else f"ELSE {i}" for i, (lo, hi) in enumerate(PAGERANK_BINS)
    )
    rows = dict(conn.execute(
        f"""
        SELECT CASE {cases} END AS bin, count(*) FROM (
          SELECT n.pagerank / nullif(avg(n.pagerank) OVER (), 0) AS rel
            FROM graph_nodes n WHERE n.repository_id = %s) s
         GROUP BY 1
        """,
        (repository_id,),
    ).fetchall())
    return [
        {"lo": lo, "hi": hi, "label": f"≥{lo}× mean" if hi is None else f"{lo}–{hi}× mean", "count": int(rows.get(i, 0))}
        for i, (lo, hi) in enumerate(PAGERANK_BINS)
    ]


def metrics(conn: psycopg.Connection, repository_id: int) -> dict[str, Any]:
    """Distributions and counts for the dashboard. Definitions (not modules) carry complexity;
    coupling is a module's (afferent + efferent modules); PageRank covers every node."""
    totals = _row(
        conn,
        """
        SELECT (SELECT count(*) FROM files WHERE repository_id = %(r)s) AS files,
               (SELECT count(*) FROM files WHERE repository_id = %(r)s AND status = 'failed') AS files_failed,
               (SELECT count(*) FROM chunks WHERE repository_id = %(r)s) AS chunks,
               (SELECT count(*) FROM graph_nodes WHERE repository_id = %(r)s) AS nodes,
               (SELECT count(*) FROM graph_edges WHERE repository_id = %(r)s AND dst IS NOT NULL) AS edges,
               (SELECT count(*) FROM graph_edges WHERE repository_id = %(r)s AND dst IS NULL) AS unresolved_edges,
               (SELECT round(avg(complexity)::numeric, 2) FROM graph_nodes
                 WHERE repository_id = %(r)s AND kind <> 'module') AS mean_complexity,
               (SELECT max(complexity) FROM graph_nodes WHERE repository_id = %(r)s) AS max_complexity,
               (SELECT round(avg(coalesce(afferent, 0) + coalesce(efferent, 0))::numeric, 2) FROM graph_nodes
                 WHERE repository_id = %(r)s AND kind = 'module') AS mean_coupling,
               (SELECT built_at FROM graph_builds WHERE repository_id = %(r)s) AS graph_built_at
        """,
        {"r": repository_id},
    ) or {}
    by_kind = dict(conn.execute(
        "SELECT kind, count(*) FROM graph_nodes WHERE repository_id = %s GROUP BY kind ORDER BY 2 DESC",
        (repository_id,),
    ).fetchall())
    by_type = dict(conn.execute(
        "SELECT type, count(*) FROM graph_edges WHERE repository_id = %s AND dst IS NOT NULL "
        "GROUP BY type ORDER BY 2 DESC",
        (repository_id,),
    ).fetchall())
    by_resolution = dict(conn.execute(
        "SELECT resolution, sum(sites) FROM graph_edges WHERE repository_id = %s AND type = 'calls' "
        "GROUP BY resolution ORDER BY 2 DESC",
        (repository_id,),
    ).fetchall())

    return {
        "totals": totals,
        "nodes_by_kind": by_kind,
        "edges_by_type": by_type,
        "call_sites_by_resolution": {k: int(v) for k, v in by_resolution.items()},
        "distributions": {
            "complexity": {"bins": _int_histogram(conn, "n.complexity", "n.kind <> 'module'", repository_id,
                                                  COMPLEXITY_BINS), "unit": "cyclomatic complexity"},
            "coupling": {"bins": _int_histogram(conn, COUPLING_SQL, "n.kind = 'module'", repository_id, COUPLING_BINS),
                         "unit": "modules: afferent + efferent modules"},
            "pagerank": {"bins": _pagerank_histogram(conn, repository_id), "unit": "PageRank / mean PageRank"},
        },
    }
