"""A ranked map of a repository within a token budget, the way Aider outlines a repository for
a language model: the files that matter most, each with its most important definitions as one
signature line, nested under their class.

Ranking: the stored PageRank (calls, imports, inheritance; see metrics.py). With a focus — files
or symbols the agent is working on — a *personalised* PageRank on the stored edges instead: the
random walk restarts at the focus nodes, so what they call, what calls them and their
neighbours' neighbours rise. Files are ordered by the sum of their shown definitions' scores.

Budget: tokens are estimated as characters / 4 (the usual rule for code with BPE tokenisers);
definitions are taken in score order while they fit, then printed grouped by file, in line
order. Bounded: at most `MAX_CANDIDATES` definitions are read, whatever the repository size.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from mnemo.config import ConfigError
from mnemo.graph import metrics, query
from mnemo.store.db import Database

MIN_TOKENS = 100
MAX_TOKENS = 32_000
MAX_CANDIDATES = 4000
MAX_FOCUS = 50
_LINE_CHARS = 160


class RepoMapError(ConfigError):
    """A map that cannot be made as asked (budget out of range, unknown focus)."""


@dataclass
class RepoMap:
    repository: str
    tokens: int  # the budget
    tokens_used: int  # estimated
    text: str
    files: list[dict[str, Any]] = field(default_factory=list)  # path, score, definitions shown
    focus: list[dict[str, Any]] = field(default_factory=list)  # what the focus resolved to
    definitions_shown: int = 0
    definitions_total: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "repository": self.repository, "tokens": self.tokens, "tokens_used": self.tokens_used,
            "definitions_shown": self.definitions_shown, "definitions_total": self.definitions_total,
            "focus": self.focus, "files": self.files, "text": self.text,
        }


def estimate_tokens(text: str) -> int:
    return (len(text) + 3) // 4


# -- personalised PageRank --------------------------------------------------------------------


class _MatrixCache:
    """The transition matrix of the last few graphs, keyed by (repository, build time): a warm
    server answers focused maps without reading the edges again."""

    def __init__(self, size: int = 2) -> None:
        self.size = size
        self._items: dict[tuple[int, Any], tuple[np.ndarray, sp.csr_matrix, np.ndarray]] = {}
        self._lock = threading.Lock()

    def get(self, conn, repository_id: int, built_at: Any):
        key = (repository_id, built_at)
        with self._lock:
            if key in self._items:
                return self._items[key]
        graph = metrics.load(conn, repository_id)
        n = graph.size
        out_weight = np.bincount(graph.src, weights=graph.weight, minlength=n)
        scale = np.divide(graph.weight, out_weight[graph.src], out=np.zeros_like(graph.weight),
                          where=out_weight[graph.src] > 0)
        transition = sp.csr_matrix((scale, (graph.dst, graph.src)), shape=(n, n))
        item = (graph.node_ids, transition, out_weight == 0)
        with self._lock:
            self._items[key] = item
            while len(self._items) > self.size:
                self._items.pop(next(iter(self._items)))
        return item


_matrices = _MatrixCache()


def personalised_pagerank(transition: sp.csr_matrix, dangling: np.ndarray, restart: np.ndarray,
                          damping: float = metrics.DAMPING, tol: float = metrics.TOLERANCE,
                          max_iter: int = metrics.MAX_ITERATIONS) -> np.ndarray:
    """PageRank whose random jumps (and dangling nodes' rank) go to `restart` (sums to 1)."""
    x = restart.copy()
    for _ in range(max_iter):
        previous = x
        x = damping * (transition @ previous + previous[dangling].sum() * restart) + (1.0 - damping) * restart
        if np.abs(x - previous).sum() < tol:
            break
    return x


# -- the map ----------------------------------------------------------------------------------


def _focus_nodes(conn, repository_id: int, focus: Sequence[str]) -> tuple[list[int], list[dict[str, Any]]]:
    ids: list[int] = []
    resolved: list[dict[str, Any]] = []
    for item in focus:
        item = str(item).strip()
        if not item:
            continue
        rows = conn.execute(
            "SELECT id FROM graph_nodes WHERE repository_id = %s AND (path = %s OR path LIKE %s) LIMIT 5000",
            (repository_id, item, "%/" + query._like(item)),
        ).fetchall()
        if rows:
            ids.extend(r[0] for r in rows)
            resolved.append({"focus": item, "as": "file", "nodes": len(rows)})
            continue
        found = query._find(conn, repository_id, item)
        if not found:
            raise RepoMapError(f"focus {item!r} matches no file or definition in the repository")
        ids.extend(n.id for n in found)
        resolved.append({"focus": item, "as": "symbol", "nodes": len(found),
                         "matches": [f"{n.path}:{n.start_line} {n.qualified_name}" for n in found[:5]]})
    return ids, resolved


_DEF_SELECT = """SELECT n.id, n.path, n.kind, n.qualified_name, n.parent, n.start_line, n.pagerank,
                        coalesce(nullif(c.signature, ''), n.qualified_name)
                 FROM graph_nodes n LEFT JOIN chunks c ON c.id = n.chunk_id"""


def repo_map(database: Database, repository: str, *, tokens: int = 1000, focus: Sequence[str] = ()) -> RepoMap:
    """The map of `repository` within about `tokens` tokens (see the module docstring)."""
    if not MIN_TOKENS <= int(tokens) <= MAX_TOKENS:
        raise RepoMapError(f"tokens must be from {MIN_TOKENS} to {MAX_TOKENS}, not {tokens}")
    if len(focus) > MAX_FOCUS:
        raise RepoMapError(f"at most {MAX_FOCUS} focus files or symbols, not {len(focus)}")
    tokens = int(tokens)
    candidates = min(MAX_CANDIDATES, 50 + tokens // 3)
    with database.connect() as conn:
        repository_id, name = query._repository_id(conn, repository)
        build = conn.execute("SELECT built_at FROM graph_builds WHERE repository_id = %s",
                             (repository_id,)).fetchone()
        if build is None:
            raise query.GraphNotBuilt(name)
        total = conn.execute("SELECT count(*) FROM graph_nodes WHERE repository_id = %s AND kind <> 'module'",
                             (repository_id,)).fetchone()[0]
        resolved: list[dict[str, Any]] = []
        if focus:
            focus_ids, resolved = _focus_nodes(conn, repository_id, focus)
            node_ids, transition, dangling = _matrices.get(conn, repository_id, build[0])
            restart = np.zeros(len(node_ids))
            where = np.searchsorted(node_ids, np.asarray(sorted(set(focus_ids)), dtype=np.int64))
            where = where[(where < len(node_ids))]
            restart[where] = 1.0
            restart /= restart.sum()
            scores = personalised_pagerank(transition, dangling, restart)
            k = min(len(scores), candidates * 2)
            top = np.argpartition(-scores, k - 1)[:k] if k else np.zeros(0, dtype=np.int64)
            score_of = {int(node_ids[i]): float(scores[i]) for i in top}
            rows = conn.execute(f"{_DEF_SELECT} WHERE n.id = ANY(%s) AND n.kind <> 'module'",
                                (list(score_of),)).fetchall()
            rows = sorted(rows, key=lambda r: -score_of[r[0]])[:candidates]
            rows = [(*r[:6], score_of[r[0]], r[7]) for r in rows]
        else:
            rows = conn.execute(
                f"""{_DEF_SELECT} WHERE n.repository_id = %s AND n.kind <> 'module'
                    ORDER BY n.pagerank DESC, n.path, n.start_line LIMIT %s""",
                (repository_id, candidates),
            ).fetchall()
    return _render(name, tokens, rows, resolved, total)


def _signature_line(kind: str, signature: str) -> str:
    line = " ".join(signature.split())
    if len(line) > _LINE_CHARS:
        line = line[: _LINE_CHARS - 1] + "…"
    return line


def _render(name: str, tokens: int, rows: list[tuple], focus: list[dict[str, Any]], total: int) -> RepoMap:
    chosen: dict[str, list[tuple]] = {}
    used = 0
    for row in rows:  # best first
        node_id, path, kind, qname, parent, start, score, signature = row
        line = f"{'  ' if parent else ''}{start:>5}│ {_signature_line(kind, signature)}\n"
        cost = estimate_tokens(line) + (0 if path in chosen else estimate_tokens(path + ":\n"))
        if used + cost > tokens:
            continue  # a shorter line further down may still fit
        used += cost
        chosen.setdefault(path, []).append((start or 0, line, float(score or 0.0)))
    files = sorted(chosen.items(), key=lambda kv: (-sum(s for _, _, s in kv[1]), kv[0]))
    parts: list[str] = []
    summary: list[dict[str, Any]] = []
    for path, items in files:
        items.sort()
        parts.append(path + ":\n")
        parts.extend(line for _, line, _ in items)
        summary.append({"path": path, "score": round(sum(s for _, _, s in items), 6), "definitions": len(items)})
    text = "".join(parts)
    shown = sum(len(v) for v in chosen.values())
    return RepoMap(name, tokens, estimate_tokens(text), text, summary, focus, shown, total)
