"""Hybrid code search: "where is the code that does X?".

Public API (used by `mnemo search` and the REST layer):

    search(database, "retry a request with backoff", repositories=["api"], mode="hybrid",
           limit=10, language=None, kind=None, path_glob=None, explain=False, embedder=None)
        -> list[SearchResult]

Modes: `lexical` (full-text + names, search.lexical), `vector` (HNSW cosine, search.vector),
`hybrid` (both, fused by weighted reciprocal rank fusion, search.fusion). Errors a person can
fix are ConfigError subclasses (the CLI's exit code 2): UnknownRepository, EmptyIndex,
ModelMismatch, InvalidQuery, InvalidFilter.

Scores: hybrid → the fused RRF score; lexical → the lexical score; vector → cosine similarity.
Scores order results within one response; they are not comparable across modes or queries.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import psycopg

from mnemo.config import ConfigError
from mnemo.search import fusion, rank
from mnemo.search.filters import Filters, InvalidFilter, check_kinds, glob_to_regex, normalise_values
from mnemo.search.lexical import is_exact_name_score, search_lexical
from mnemo.search.query import QueryPlan, analyse
from mnemo.search.snippet import make_snippet
from mnemo.search.vector import search_vector
from mnemo.store import reads
from mnemo.store.db import PooledDatabase
from mnemo.store.reads import Repository, UnknownRepository

MODES = ("hybrid", "lexical", "vector")
MAX_LIMIT = 1000
MIN_DEPTH = 50  # candidates taken from each list before fusion (rank.settings.depth raises it)
_COMMENT_LINE = re.compile(r"^\s*(#|//|/\*|\*|--|;|\"\"\"|\'\'\')")

__all__ = [
    "MODES", "SearchResult", "SearchError", "EmptyIndex", "ModelMismatch", "InvalidQuery", "InvalidFilter",
    "UnknownRepository", "search",
]


class SearchError(ConfigError):
    """A search that cannot run as asked; the message says why and what to do."""


class EmptyIndex(SearchError):
    """Nothing to search: no repository indexed, or the chosen ones hold no chunks."""


class ModelMismatch(SearchError):
    """The repositories searched together embed with different models (or the given embedder
    is not the repositories' model): their vectors are not comparable."""


class InvalidQuery(SearchError):
    """An empty query, an unknown mode or an out-of-range limit."""


@dataclass
class SearchResult:
    """One hit: a definition and where it is. Lines are 1-based and inclusive."""

    repository: str
    file_path: str  # POSIX, relative to the repository root
    start_line: int
    end_line: int
    name: str
    qualified_name: str
    kind: str
    language: str
    score: float
    snippet: str
    snippet_start_line: int
    chunk_id: int
    highlights: list[tuple[int, int]] = field(default_factory=list)  # [start, end) in snippet
    lexical_rank: int | None = None  # explain only: 1-based rank in the lexical list
    vector_rank: int | None = None  # explain only: 1-based rank in the vector list
    lexical_score: float | None = None  # explain only
    vector_similarity: float | None = None  # explain only: cosine similarity
    rules: dict[str, float] = field(default_factory=dict)  # explain only: reranking rule → score factor

    def to_json(self, *, explain: bool = False) -> dict[str, Any]:
        data = asdict(self)
        data["highlights"] = [list(h) for h in self.highlights]
        if not explain:
            for key in ("lexical_rank", "vector_rank", "lexical_score", "vector_similarity", "rules"):
                data.pop(key)
        return data


def search(
    database: Any,
    query: str,
    *,
    repositories: Sequence[str] | None = None,
    mode: str = "hybrid",
    limit: int = 10,
    language: str | Sequence[str] | None = None,
    kind: str | Sequence[str] | None = None,
    path_glob: str | None = None,
    explain: bool = False,
    embedder: Any = None,
    ranking: Any = None,
) -> list[SearchResult]:
    """Search the index; see the module docstring.

    `database`: a `Database` (a connection is opened and closed per call) or an open psycopg
    connection with pgvector registered (used as is: a server can pass a pooled one).
    `repositories`: names to search (None: all, which must then share one model for vector and
    hybrid modes). `language`, `kind`: one value, a comma-separated string or a list.
    `path_glob`: see filters.glob_to_regex. `embedder`: an Embedder to embed the query with
    (default: `mnemo.embed.load_embedder(repository model)`, cached per process). `ranking`: a
    RankSettings or a dict of overrides (rank.settings_from) — the benchmark's knobs.
    """
    if mode not in MODES:
        raise InvalidQuery(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidQuery(f"limit must be an integer from 1 to {MAX_LIMIT}, not {limit!r}")
    plan = analyse(query)
    if not plan.text:
        raise InvalidQuery("empty query: say what you are looking for")
    settings = rank.settings_from(ranking).for_mode(mode)
    intent = rank.classify(plan)
    kinds = check_kinds(normalise_values(kind))
    languages = tuple(v.lower() for v in normalise_values(language))
    path_regex = glob_to_regex(path_glob) if path_glob else None
    depth = max(MIN_DEPTH, settings.depth, 3 * limit)

    with _connection(database) as conn:
        repos = _resolve(conn, repositories)
        filters = Filters(tuple(r.id for r in repos), languages, kinds, path_regex)
        pinned: set[int] = set()
        if mode == "lexical":
            lexical = search_lexical(conn, plan, filters, depth, settings.lexical)
            fused = fusion.single(lexical, lexical=True)
        else:
            model, dimension = _one_model(repos)
            query_vector = _QueryEmbedding(plan.text, model, dimension, embedder)
            query_vector.start()  # embeds while the lexical query runs
            lexical = search_lexical(conn, plan, filters, depth, settings.lexical) if mode == "hybrid" else []
            vector = search_vector(conn, query_vector.result(), dimension, filters, depth)
            if mode == "vector":
                fused = fusion.single(vector, lexical=False)
            else:
                fused = fusion.reciprocal_rank_fusion(
                    lexical, vector, weights=settings.weights(intent.kind), k=settings.rrf_k,
                    prefer="lexical" if plan.is_identifier else "vector",
                )
        if plan.is_identifier and mode != "vector":
            pinned = {cid for cid, score in lexical if is_exact_name_score(score)}
        return _materialise(conn, fused[:depth], plan, intent, settings, pinned, limit, explain,
                            {r.id: r.name for r in repos})


@contextlib.contextmanager
def _connection(database: Any) -> Iterator[psycopg.Connection]:
    """An open connection is used as it is and left open; a PooledDatabase (`mnemo serve`, the
    MCP server) lends one of its open connections for the search's one read-only transaction
    (opening a connection costs 5-15 ms, a third of a warm search); a plain Database (one CLI
    process, one search) gives a fresh autocommit connection, closed afterwards."""
    if isinstance(database, psycopg.Connection):
        yield database
        return
    if isinstance(database, PooledDatabase):
        with database.connect() as conn:
            conn.autocommit = True  # read-only statements: no BEGIN/COMMIT round trips
            try:
                yield conn
            finally:
                conn.autocommit = False  # as the pool lends it to writers
        return
    with database.connect(autocommit=True) as conn:
        yield conn


def _resolve(conn: Any, names: Sequence[str] | None) -> list[Repository]:
    """The repositories to search; EmptyIndex when none of them holds a chunk."""
    if names is not None:
        names = [n for n in normalise_values(names)]
        if not names:
            names = None
    repos = reads.get_repositories(conn, names)
    if not repos:
        raise EmptyIndex("nothing is indexed yet; run `mnemo index PATH` first")
    filled = reads.repositories_with_chunks(conn, [r.id for r in repos])
    if not filled:
        which = ", ".join(repr(r.name) for r in repos)
        raise EmptyIndex(
            f"repository {which} has no indexed chunks; run `mnemo index` on it"
            if len(repos) == 1
            else f"repositories {which} have no indexed chunks; run `mnemo index` on them"
        )
    return [r for r in repos if r.id in filled]


def _one_model(repos: list[Repository]) -> tuple[str, int]:
    models = {(r.model, r.dimension) for r in repos}
    if len(models) > 1:
        listing = "; ".join(f"{r.name}: {r.model} ({r.dimension}-d)" for r in repos)
        raise ModelMismatch(
            "these repositories use different embedding models, whose vectors cannot be compared "
            f"({listing}); search them separately with --repository, or use --mode lexical"
        )
    return models.pop()


class _QueryEmbedding:
    """Embeds the query on a worker thread: the model releases the GIL, so the lexical SQL
    (also GIL-free while waiting on the server) overlaps it instead of following it."""

    def __init__(self, text: str, model: str, dimension: int, embedder: Any) -> None:
        self._text, self._model, self._dimension, self._embedder = text, model, dimension, embedder
        self._value: np.ndarray | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mnemo-query-embedding", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._embed()
        except BaseException as exc:  # re-raised on the caller's thread
            self._error = exc

    def _embed(self) -> np.ndarray:
        embedder = self._embedder
        if embedder is None:
            from mnemo.embed import load_embedder

            embedder = load_embedder(self._model)
        else:
            from mnemo.embed import canonical_model_name

            if canonical_model_name(embedder.model_name) != canonical_model_name(self._model):
                raise ModelMismatch(
                    f"the query embedder is {embedder.model_name!r} but the repositories were indexed with "
                    f"{self._model!r}"
                )
        if int(embedder.dimension) != self._dimension:
            raise ModelMismatch(
                f"model {embedder.model_name!r} makes {embedder.dimension}-d vectors but the index holds "
                f"{self._dimension}-d vectors"
            )
        vector = np.asarray(embedder.embed_query(self._text), dtype=np.float32).reshape(-1)
        if vector.shape != (self._dimension,) or not np.all(np.isfinite(vector)):
            raise ModelMismatch(f"model {embedder.model_name!r} returned an unusable query vector")
        return vector

    def result(self) -> np.ndarray:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


_ROW_COLUMNS = (
    "id, repository_id, path, start_line, end_line, name, qualified_name, kind, language, source,"
    " coalesce((metadata->>'part')::int, 1), coalesce((metadata->>'parts')::int, 1)"
)


CODE_LINES_CAP = 16
"""Code lines are counted up to this many: the reranker only asks whether a chunk is tiny (at most
`tiny_lines`), and counting every line of 200 candidates' sources cost a few ms per search."""


def _code_lines(source: str, cap: int = CODE_LINES_CAP) -> int:
    """Lines of `source` that are neither blank nor comment-only, counted up to `cap`."""
    n = start = 0
    size = len(source)
    while n < cap and start <= size:
        end = source.find("\n", start)
        if end < 0:
            end = size
        line = source[start:end]
        if line.strip() and not _COMMENT_LINE.match(line):
            n += 1
        start = end + 1
    return n


def _candidate(row: tuple, score: float, order: int, pinned: bool, count_lines: bool = True) -> tuple[rank.Candidate, str]:
    """The reranker's view of a row. `count_lines`: only the tiny-chunk penalty reads code_lines;
    with that penalty off (factor 1) they are not counted and read as CODE_LINES_CAP."""
    (chunk_id, repo_id, path, start_line, end_line, name, qname, kind, language, source, part, parts) = row
    code_lines = _code_lines(source) if count_lines else CODE_LINES_CAP
    return rank.Candidate(chunk_id, score, order, repo_id, path, start_line, end_line, kind, name, qname, language,
                          part, parts, code_lines, pinned), source


def _materialise(
    conn: Any, fused: list[fusion.Fused], plan: QueryPlan, intent: rank.Intent, settings: rank.RankSettings,
    pinned: set[int], limit: int, explain: bool, repo_names: dict[int, str],
) -> list[SearchResult]:
    """Fetch the candidates' rows, rerank them (search.rank) and build the best `limit` results."""
    rows = conn.execute(f"SELECT {_ROW_COLUMNS} FROM chunks WHERE id = ANY(%s)", ([f.chunk_id for f in fused],)).fetchall()
    by_id = {r[0]: r for r in rows}
    sources: dict[int, str] = {}
    candidates: list[rank.Candidate] = []
    count_lines = settings.tiny_penalty != 1.0
    origin = {f.chunk_id: f for f in fused}
    for order, f in enumerate(fused):
        row = by_id.get(f.chunk_id)
        if row is None:
            continue  # deleted by a concurrent re-index since the ranking query
        cand, sources[f.chunk_id] = _candidate(row, f.score, order, f.chunk_id in pinned, count_lines)
        candidates.append(cand)
    heads: dict[tuple[int, str, str, str], rank.Candidate] = {}
    tails = [c for c in candidates if c.parts > 1 and c.part != 1]
    if tails and settings.split_head:
        head_rows = conn.execute(
            f"SELECT {_ROW_COLUMNS} FROM chunks WHERE file_id IN (SELECT file_id FROM chunks WHERE id = ANY(%s))"
            " AND (metadata->>'part')::int = 1",
            ([c.chunk_id for c in tails],),
        ).fetchall()
        for row in head_rows:
            head, sources[row[0]] = _candidate(row, 0.0, 0, False, count_lines)
            heads.setdefault(rank.places.split_key(head), head)
    ranked = rank.rerank(candidates, intent, settings, heads)
    words = plan.highlight_words()
    results: list[SearchResult] = []
    for c in ranked[:limit]:
        f = origin.get(c.chunk_id)
        snip = make_snippet(sources[c.chunk_id], c.start_line, words)
        results.append(
            SearchResult(
                repository=repo_names.get(c.repository_id, str(c.repository_id)),
                file_path=c.path,
                start_line=c.start_line,
                end_line=c.end_line,
                name=c.name,
                qualified_name=c.qualified_name,
                kind=c.kind,
                language=c.language,
                score=round(float(c.score), 6),
                snippet=snip.text,
                snippet_start_line=snip.start_line,
                chunk_id=c.chunk_id,
                highlights=snip.highlights,
                lexical_rank=f.lexical_rank if explain and f else None,
                vector_rank=f.vector_rank if explain and f else None,
                lexical_score=round(f.lexical_score, 6) if explain and f and f.lexical_score is not None else None,
                vector_similarity=(
                    round(f.vector_similarity, 6) if explain and f and f.vector_similarity is not None else None
                ),
                rules=dict(c.contributions) if explain else {},
            )
        )
    return results
