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
import dataclasses
import math
import re
import threading
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    import numpy as np

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
        lexical: list[tuple[int, float]] = []
        vector: list[tuple[int, float]] = []
        if mode == "lexical":
            lexical = search_lexical(conn, plan, filters, depth, settings.lexical)
        else:
            model, dimension = _one_model(repos)
            query_vector = _QueryEmbedding(plan.text, model, dimension, embedder)
            query_vector.start()  # embeds while the lexical query runs
            lexical = search_lexical(conn, plan, filters, depth, settings.lexical) if mode == "hybrid" else []
            vector = search_vector(conn, query_vector.result(), dimension, filters, depth)
        lines = settings.tiny_penalty != 1.0
        ranked, sources, origin = order(
            lexical, vector, plan, intent, settings, mode, depth,
            lambda ids: _fetch_candidates(conn, ids, lines), lambda tails: _fetch_heads(conn, tails, lines),
            lambda ids: fetch_wrappers(conn, ids),
        )
        return _results(ranked[:limit], sources, origin, plan, explain, {r.id: r.name for r in repos})


def fuse(
    lexical: Sequence[tuple[int, float]], vector: Sequence[tuple[int, float]], plan: QueryPlan,
    intent: rank.Intent, settings: rank.RankSettings, mode: str,
) -> tuple[list[fusion.Fused], set[int]]:
    """One best-first list from the mode's retrieval lists, and the pinned ids (definitions named
    exactly as an identifier query asks: they stay first)."""
    if mode == "lexical":
        fused = fusion.single(lexical, lexical=True)
    elif mode == "vector":
        fused = fusion.single(vector, lexical=False)
    else:
        fused = fusion.fuse(lexical, vector, intent.kind, settings,
                            prefer="lexical" if plan.is_identifier else "vector")
    pinned: set[int] = set()
    if plan.is_identifier and mode != "vector":
        pinned = {cid for cid, score in lexical if is_exact_name_score(score)}
    return fused, pinned


CandidateFetch = Callable[[list[int]], dict[int, tuple["rank.Candidate", str]]]
HeadFetch = Callable[[list["rank.Candidate"]], list[tuple["rank.Candidate", str]]]
WrapperFetch = Callable[[list[int]], set[int]]


def order(
    lexical: Sequence[tuple[int, float]], vector: Sequence[tuple[int, float]], plan: QueryPlan,
    intent: rank.Intent, settings: rank.RankSettings, mode: str, depth: int,
    fetch: CandidateFetch, fetch_heads: HeadFetch, fetch_wrappers: WrapperFetch | None = None,
) -> tuple[list[rank.Candidate], dict[int, str], dict[int, fusion.Fused]]:
    """Fuse, then rerank: the whole ordering after retrieval, with the candidates' rows supplied
    by `fetch` (chunk id -> an unscored Candidate and its source), `fetch_heads` (the head
    parts of split definitions, for the tails among the candidates) and `fetch_wrappers` (the
    candidates that wrap a same-named definition of another file, rank.wrappers; asked only
    outside lexical mode, when that rule is on). search() passes database reads; the semble
    benchmark passes rows it recorded, to replay rankings without SQL."""
    fused, pinned = fuse(lexical, vector, plan, intent, settings, mode)
    # Pinned exact names are kept beyond the cut: fused scores can sink a definition that only
    # the name lookup found below `depth`, and for an identifier query it is the answer.
    fused = fused[:depth] + [f for f in fused[depth:] if f.chunk_id in pinned]
    found = fetch([f.chunk_id for f in fused])
    sources: dict[int, str] = {}
    candidates: list[rank.Candidate] = []
    for i, f in enumerate(fused):
        got = found.get(f.chunk_id)
        if got is None:
            continue  # deleted by a concurrent re-index since the ranking query
        template, sources[f.chunk_id] = got
        candidates.append(dataclasses.replace(template, score=f.score, order=i, pinned=f.chunk_id in pinned,
                                              contributions={}, features=_features(f)))
    if fetch_wrappers is not None and mode != "lexical" and candidates and (
            settings.wrapper_penalty != 1.0 or settings.tier_wrapper):
        wrapping = fetch_wrappers([c.chunk_id for c in candidates])
        for c in candidates:
            c.wraps = c.chunk_id in wrapping
    heads: dict[tuple[int, str, str, str], rank.Candidate] = {}
    tails = [c for c in candidates if c.parts > 1 and c.part != 1]
    if tails and settings.split_head:
        for head, source in fetch_heads(tails):
            sources[head.chunk_id] = source
            heads.setdefault(rank.places.split_key(head), dataclasses.replace(head, contributions={}))
    ranked = rank.rerank(candidates, intent, settings, heads)
    return ranked, sources, {f.chunk_id: f for f in fused}


def _features(f: fusion.Fused) -> dict[str, float]:
    out = {}
    if f.lexical_rank is not None:
        out["lexical_rank"], out["lexical_score"] = float(f.lexical_rank), float(f.lexical_score or 0.0)
    if f.vector_rank is not None:
        out["vector_rank"], out["vector_similarity"] = float(f.vector_rank), float(f.vector_similarity or 0.0)
    return out


@contextlib.contextmanager
def _connection(database: Any) -> Iterator[psycopg.Connection]:
    """An open connection is used as it is and left open; a PooledDatabase (`mnemo serve`, the
    MCP server) lends one of its open connections (opening one costs 5-15 ms, as much as a warm
    search), in autocommit for the search's read-only statements; a plain Database (one CLI
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
        self._value: np.ndarray | array | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mnemo-query-embedding", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._embed()
        except BaseException as exc:  # re-raised on the caller's thread
            self._error = exc

    def _embed(self) -> np.ndarray | array:
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
        vector = _flat_float32(embedder.embed_query(self._text))
        if len(vector) != self._dimension or not all(math.isfinite(v) for v in vector):
            raise ModelMismatch(f"model {embedder.model_name!r} returned an unusable query vector")
        return vector

    def result(self) -> np.ndarray | array:
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def _flat_float32(vector: Any) -> np.ndarray | array:
    """A query vector as one flat float32 sequence: the CLI's light static model gives an
    array('f') (no numpy in that process), the other embedders numpy arrays."""
    if isinstance(vector, array) and vector.typecode == "f":
        return vector
    import numpy as np

    return np.asarray(vector, dtype=np.float32).reshape(-1)


_ROW_COLUMNS = (
    "id, repository_id, path, start_line, end_line, name, qualified_name, kind, language, source,"
    " coalesce((metadata->>'part')::int, 1), coalesce((metadata->>'parts')::int, 1),"
    " CASE WHEN kind = 'module' THEN signature END"
)


def _candidate(row: tuple, lines: bool = True) -> tuple[rank.Candidate, str]:
    """An unscored Candidate from a `_ROW_COLUMNS` row, and the chunk's source. `lines`: count its
    code lines (only the tiny-chunk penalty reads them; with it off they read CODE_LINES_CAP)."""
    (chunk_id, repo_id, path, start_line, end_line, name, qname, kind, language, source, part, parts, listed) = row
    return rank.Candidate(chunk_id, 0.0, 0, repo_id, path, start_line, end_line, kind, name, qname, language,
                          part, parts, code_lines(source) if lines else CODE_LINES_CAP,
                          tuple(listed.split(", ")) if listed else ()), source


CODE_LINES_CAP = 16
"""Code lines are counted up to this many: the reranker only asks whether a chunk is tiny (at most
`tiny_lines`), and counting every line of 200 candidates' sources cost a few ms per search."""


def code_lines(source: str, cap: int = CODE_LINES_CAP) -> int:
    """Lines that are neither blank nor comment-only, counted up to `cap`."""
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


def _fetch_candidates(conn: Any, ids: list[int], lines: bool = True) -> dict[int, tuple[rank.Candidate, str]]:
    rows = conn.execute(f"SELECT {_ROW_COLUMNS} FROM chunks WHERE id = ANY(%s)", (ids,)).fetchall()
    return {r[0]: _candidate(r, lines) for r in rows}


def fetch_wrappers(conn: Any, ids: list[int]) -> set[int]:
    """The chunk ids among `ids` whose definition calls, extends or implements a same-named
    definition of another file, from the code graph (rank.wrappers); none without a graph."""
    return {row[0] for row in conn.execute(rank.wrappers.WRAPPERS_SQL, (ids,)).fetchall()}


def _fetch_heads(conn: Any, tails: list[rank.Candidate], lines: bool = True) -> list[tuple[rank.Candidate, str]]:
    rows = conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM chunks WHERE file_id IN (SELECT file_id FROM chunks WHERE id = ANY(%s))"
        " AND (metadata->>'part')::int = 1",
        ([c.chunk_id for c in tails],),
    ).fetchall()
    return [_candidate(r, lines) for r in rows]


def _results(
    ranked: list[rank.Candidate], sources: dict[int, str], origin: dict[int, fusion.Fused], plan: QueryPlan,
    explain: bool, repo_names: dict[int, str],
) -> list[SearchResult]:
    """SearchResults (with snippets) for the ranked candidates."""
    words = plan.highlight_words()
    results: list[SearchResult] = []
    for c in ranked:
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
