"""What each MCP tool does, as plain Python over Mnemo's API (search, graph.query, changes,
repomap, store.reports): JSON-ready dicts in, JSON-ready dicts out, bounded.

Kept apart from the protocol (server.py) so the logic can be called and tested without a
client. Errors a caller can fix are ConfigError subclasses with a message that names the bad
field; the server turns them into MCP tool errors. Every answer about a repository first brings
the index up to date (live.Freshness) and says how fresh it is under "freshness".
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from mnemo.config import ConfigError
from mnemo.graph import query
from mnemo.live import Freshness, last_options
from mnemo.store import reports
from mnemo.store.db import Database
from mnemo.store.reads import all_repositories, get_repository

SEARCH_LIMIT = 50
LINK_LIMIT = 200
IMPACT_LIMIT = 500
SOURCE_LINES = 400
SNIPPET_CHARS = 1200


class ToolInputError(ConfigError):
    """Bad input to a tool: the message names the field and what is allowed."""


class Tools:
    """The tools of one server process: one database, one loaded model, one freshness memory."""

    def __init__(self, database: Database, *, repository: str | None = None, refresh: bool = True,
                 load_model: bool = True) -> None:
        self.database = database
        self.default_repository = repository
        self.freshness = Freshness(database, enabled=refresh, embedder=self._embedder)
        self._model_thread: threading.Thread | None = None
        if load_model:
            self._model_thread = threading.Thread(target=self._preload, name="mnemo-model", daemon=True)
            self._model_thread.start()

    # -- shared ------------------------------------------------------------------------------
    def _preload(self) -> None:
        """Load the model of the repositories in the background, once per process."""
        from mnemo.embed import load_embedder

        try:
            with self.database.connect() as conn:
                models = {r.model for r in all_repositories(conn)}
            for model in sorted(models) or [None]:
                load_embedder(model)
        except Exception:  # noqa: BLE001 - a failure shows again, with its message, on first use
            pass

    def _embedder(self, model: str):
        from mnemo.embed import load_embedder

        return load_embedder(model)

    def repository(self, name: str | None) -> str:
        """The repository named, the server's default, or the only one there is."""
        name = (name or "").strip() or self.default_repository
        with self.database.connect() as conn:
            if name:
                return get_repository(conn, name).name
            names = [r.name for r in all_repositories(conn)]
        if len(names) == 1:
            return names[0]
        if not names:
            raise ToolInputError("nothing is indexed yet; call reindex with a path, or run `mnemo index PATH`")
        raise ToolInputError(f"several repositories exist ({', '.join(names[:20])}); pass 'repository'")

    def _fresh(self, name: str | None) -> tuple[str, dict[str, Any]]:
        repo = self.repository(name)
        return repo, self.freshness.ensure(repo).to_dict()

    # -- tools -------------------------------------------------------------------------------
    def search(self, query_text: str, repository: str | None = None, mode: str = "hybrid", limit: int = 10,
               language: str | None = None, kind: str | None = None, path: str | None = None) -> dict[str, Any]:
        from mnemo.search import search

        if not query_text or not query_text.strip():
            raise ToolInputError("query: must not be empty")
        if not 1 <= limit <= SEARCH_LIMIT:
            raise ToolInputError(f"limit: must be from 1 to {SEARCH_LIMIT}, not {limit}")
        repo, fresh = self._fresh(repository)
        results = search(self.database, query_text, repositories=[repo], mode=mode, limit=limit,
                         language=language, kind=kind, path_glob=path)
        return {
            "repository": repo, "query": query_text, "mode": mode, "freshness": fresh,
            "results": [
                {"path": r.file_path, "start_line": r.start_line, "end_line": r.end_line, "name": r.name,
                 "qualified_name": r.qualified_name, "kind": r.kind, "language": r.language,
                 "score": round(r.score, 6), "snippet": r.snippet[:SNIPPET_CHARS],
                 "snippet_start_line": r.snippet_start_line}
                for r in results
            ],
        }

    def symbol(self, name: str, repository: str | None = None, source_lines: int = 80) -> dict[str, Any]:
        if not name or not name.strip():
            raise ToolInputError("name: must not be empty (a name, Class.method, PATH:NAME or PATH:LINE)")
        if not 0 <= source_lines <= SOURCE_LINES:
            raise ToolInputError(f"source_lines: must be from 0 to {SOURCE_LINES}, not {source_lines}")
        repo, fresh = self._fresh(repository)
        found = query.find_nodes(self.database, repo, name.strip())
        if not found:
            raise query.UnknownName(name, repo)
        if len(found) > 1:
            return {"repository": repo, "freshness": fresh, "ambiguous": True,
                    "candidates": [_brief(n) for n in found[:50]], "candidate_count": len(found),
                    "hint": "call again with a candidate's 'ref' (PATH:LINE) or its qualified name"}
        node = found[0]
        data: dict[str, Any] = {"repository": repo, "freshness": fresh, "ambiguous": False, **_brief(node),
                                "metrics": _metrics(node)}
        with self.database.connect() as conn:
            row = conn.execute(
                """SELECT count(*) FILTER (WHERE e.dst = %(id)s AND e.type = 'calls'),
                          count(*) FILTER (WHERE e.src = %(id)s AND e.type = 'calls'),
                          count(*) FILTER (WHERE e.src = %(id)s AND e.type = 'calls' AND e.dst IS NOT NULL)
                   FROM graph_edges e WHERE e.dst = %(id)s OR e.src = %(id)s""",
                {"id": node.id},
            ).fetchone()
            data.update(callers=row[0], callees=row[1], callees_resolved=row[2])
            chunk = reports.chunk(conn, node.chunk_id) if node.chunk_id else None
        if chunk:
            lines = (chunk.get("source") or "").splitlines()
            data.update(signature=chunk.get("signature"), docstring=chunk.get("docstring"),
                        source="\n".join(lines[:source_lines]), source_truncated=len(lines) > source_lines)
        return data

    def links(self, direction: str, name: str, repository: str | None = None, limit: int = 50) -> dict[str, Any]:
        if not 1 <= limit <= LINK_LIMIT:
            raise ToolInputError(f"limit: must be from 1 to {LINK_LIMIT}, not {limit}")
        _require_name(name)
        repo, fresh = self._fresh(repository)
        node = query.get_node(self.database, repo, name.strip())
        fetch = query.callers if direction == "callers" else query.callees
        links = fetch(self.database, repo, node.id, limit=limit)
        return {
            "repository": repo, "freshness": fresh, "symbol": _brief(node),
            direction: [
                {**(_brief(link.node) if link.node else {"target": link.target}),
                 "resolution": link.resolution, "confidence": round(link.confidence, 4), "line": link.line,
                 "sites": link.sites}
                for link in links
            ],
            "truncated": len(links) >= limit,
        }

    def impact(self, name: str, repository: str | None = None, depth: int = 3, limit: int = 100) -> dict[str, Any]:
        if not 1 <= depth <= query.MAX_DEPTH:
            raise ToolInputError(f"depth: must be from 1 to {query.MAX_DEPTH}, not {depth}")
        if not 1 <= limit <= IMPACT_LIMIT:
            raise ToolInputError(f"limit: must be from 1 to {IMPACT_LIMIT}, not {limit}")
        _require_name(name)
        repo, fresh = self._fresh(repository)
        node = query.get_node(self.database, repo, name.strip())
        reached = query.impact(self.database, repo, node.id, depth=depth, limit=limit)
        from mnemo.graph.changes import is_test_path

        files = sorted({r.node.path for r in reached} | {node.path})
        return {
            "repository": repo, "freshness": fresh, "symbol": _brief(node), "depth": depth,
            "impact": [{**_brief(r.node), "depth": r.depth, "via": r.via, "confidence": r.confidence}
                       for r in reached],
            "affected_files": files, "tests": [p for p in files if is_test_path(p)],
            "truncated": len(reached) >= limit,
        }

    def changes(self, repository: str | None = None, base: str | None = None, head: str | None = None,
                depth: int = 3, limit: int = 200) -> dict[str, Any]:
        from mnemo.graph.changes import blast_radius

        if not 1 <= depth <= query.MAX_DEPTH:
            raise ToolInputError(f"depth: must be from 1 to {query.MAX_DEPTH}, not {depth}")
        if not 1 <= limit <= IMPACT_LIMIT:
            raise ToolInputError(f"limit: must be from 1 to {IMPACT_LIMIT}, not {limit}")
        for field_name, value in (("base", base), ("head", head)):
            if value is not None and (not value.strip() or value.startswith("-") or any(c.isspace() for c in value)):
                raise ToolInputError(f"{field_name}: {value!r} is not a revision (e.g. HEAD~1, main, a commit id)")
        repo, fresh = self._fresh(repository)
        root = self._root(repo)
        result = blast_radius(self.database, repo, root, base=base, head=head, depth=depth, limit=limit)
        return {"repository": repo, "freshness": fresh, **result.to_dict()}

    def repo_map(self, repository: str | None = None, tokens: int = 1000,
                 focus: list[str] | None = None) -> dict[str, Any]:
        from mnemo.graph.repomap import repo_map

        repo, fresh = self._fresh(repository)
        result = repo_map(self.database, repo, tokens=tokens, focus=focus or ())
        return {"freshness": fresh, **result.to_dict()}

    def index_status(self, repository: str | None = None) -> dict[str, Any]:
        with self.database.connect() as conn:
            if repository:
                get_repository(conn, repository)
            rows = reports.repositories_with_stats(conn, repository or None)
        out = []
        for r in rows:
            root = Path(r["root"])
            pending = self.freshness.pending(r["name"]) if root.is_dir() else None
            out.append({
                "name": r["name"], "root": r["root"], "root_exists": root.is_dir(), "model": r["model"],
                "files": r["files"], "files_failed": r["files_failed"], "chunks": r["chunks"],
                "graph_nodes": r["nodes"], "graph_edges": r["edges"],
                "graph_built_at": r["graph_built_at"].isoformat() if r["graph_built_at"] else None,
                "last_indexed_at": r["last_indexed_at"].isoformat() if r["last_indexed_at"] else None,
                "last_run": r["last_run"], "languages": r["languages"],
                "pending_changes": pending,
                "refresh": "automatic before each answer" if self.freshness.enabled else "off (call reindex)",
            })
        return {"repositories": out, "default": self.default_repository}

    def reindex(self, repository: str | None = None, path: str | None = None, full: bool = False) -> dict[str, Any]:
        from mnemo.pipeline import IndexOptions, index_repository

        if path:
            root = Path(path).expanduser()
            if not root.is_dir():
                raise ToolInputError(f"path: {path!r} is not a directory")
            name = (repository or "").strip() or root.resolve().name
            with self.database.connect() as conn:
                known = {r.name: r for r in all_repositories(conn)}
            options = last_options(self.database, known[name].id).index_options(name, full=full) \
                if name in known else IndexOptions(name=name, full=full)
        else:
            name = self.repository(repository)
            root = self._root(name)
            with self.database.connect() as conn:
                repo_id = get_repository(conn, name).id
            options = last_options(self.database, repo_id).index_options(name, full=full)
        summary = index_repository(self.database, root, options)
        return {
            "repository": name, "root": str(root.resolve()), "mode": summary.mode, "status": summary.status,
            **summary.counts(), "wall_s": round(summary.wall_s, 3), "graph_s": round(summary.graph_s, 3),
            "graph_error": summary.graph_error,
            "errors": [str(e) for e in summary.errors[:20]],
        }

    def _root(self, repo: str) -> Path:
        with self.database.connect() as conn:
            root = Path(get_repository(conn, repo).root)
        if not root.is_dir():
            raise ToolInputError(f"repository {repo!r}: its root {root} is not on this machine")
        return root


def _require_name(name: str) -> None:
    if not name or not name.strip():
        raise ToolInputError("name: must not be empty (a name, Class.method, PATH:NAME, PATH:LINE or a node id)")


def _brief(node: query.Node) -> dict[str, Any]:
    return {"id": node.id, "kind": node.kind, "name": node.name, "qualified_name": node.qualified_name,
            "path": node.path, "start_line": node.start_line, "end_line": node.end_line,
            "ref": f"{node.path}:{node.start_line}" if node.start_line else node.path}


def _metrics(node: query.Node) -> dict[str, Any]:
    return {"pagerank": round(node.pagerank, 6), "in_degree": node.in_degree, "out_degree": node.out_degree,
            "complexity": node.complexity, "loc": node.loc}
