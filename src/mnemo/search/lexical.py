"""Lexical search: PostgreSQL full-text search over the code-aware document of each chunk
(`chunks.search_tsv`, migration 0003), ranked BM25-like, plus trigram and exact name matches.

Ranking. ts_rank alone has no inverse document frequency: "queryset" and "self" would count
the same. So each term is ranked on its own and weighted by an IDF taken from the planner's
statistics (`pg_stats.most_common_elems` of search_tsv, collected by ANALYZE/autovacuum —
free to read, no per-query counting):
    score = Σ_term idf(term) · ts_rank({D,C,B,A}, search_tsv, term, 1)
ts_rank's per-term sum over occurrences decays like 1/i², so a term's contribution saturates
with its frequency as BM25's does, and normalisation 1 divides by 1 + log(document length).
Terms found in more than COMMON_FRACTION of all chunks (`self`, `return`) are dropped unless
nothing else is left: they match half the index and cost time without telling documents apart.
Without statistics every term weighs 1.

Identifier queries add name evidence: an exact (case-insensitive) match of the name or the
qualified name ranks first, then trigram similarity (pg_trgm) lifts near-misses (`parse_confg`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import psycopg
from psycopg import sql

from mnemo.search.filters import Filters
from mnemo.search.query import QueryPlan, Term

RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # ts_rank's {D, C, B, A}: source, docstring, signature+path, names
COMMON_FRACTION = 0.25
MATCH_BUDGET = 2_000
EXACT_NAME_BONUS = 10.0  # more than any text score: the definition itself comes first
TRIGRAM_WEIGHT = 2.0
MAX_IDF = 12.0


@dataclass(frozen=True)
class LexicalSettings:
    """The ranking's knobs, in one place so the quality benchmark can compare variants.

    Measured and rejected on the dev split (benchmarks/search_quality.py --sweep): matching
    English stems as prefixes ('emits' → 'emit':*) cost 0.06 NDCG@10; normalisation 2 (divide
    by length) halved it; other class weights moved it by less than 0.01.
    """

    weights: str = RANK_WEIGHTS
    normalization: int = 1  # ts_rank: 0 none, 1 divide by 1 + log(length), 2 divide by length
    common_fraction: float = COMMON_FRACTION
    match_budget: int | None = MATCH_BUDGET  # see weigh_terms; None: every term selects candidates


DEFAULT_SETTINGS = LexicalSettings()


def is_exact_name_score(score: float) -> bool:
    """True for a lexical score that includes the exact-name bonus."""
    return score >= EXACT_NAME_BONUS


@dataclass(frozen=True)
class WeightedTerm:
    term: Term
    idf: float
    fraction: float | None  # share of chunks holding the term, None when unknown
    selects: bool = True  # a chunk holding it is a candidate (else the term only adds to scores)

    @property
    def query(self) -> str:
        return self.term.tsquery()


def term_statistics(conn: psycopg.Connection, lexemes: list[str]) -> tuple[dict[str, float], float, float] | None:
    """(fraction of chunks holding each lexeme that is among the most common, an upper bound
    for every other lexeme, the table's estimated row count), or None without statistics."""
    row = conn.execute(
        """
        SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, c.reltuples
        FROM pg_stats s JOIN pg_class c ON c.oid = 'chunks'::regclass
        WHERE s.schemaname = current_schema() AND s.tablename = 'chunks' AND s.attname = 'search_tsv'
        """
    ).fetchone()
    if row is None or row[0] is None or row[1] is None:
        return None
    elems, freqs, reltuples = row
    n = len(elems)
    if n == 0 or len(freqs) < n + 2:
        return None
    wanted = set(lexemes)
    found = {e: float(f) for e, f in zip(elems, freqs[:n]) if e in wanted}
    # pg_stats stores the minimum, maximum and null fraction after the n frequencies.
    return found, float(freqs[n]), max(float(reltuples or 0.0), 1.0)


def weigh_terms(
    conn: psycopg.Connection, plan: QueryPlan, settings: LexicalSettings = DEFAULT_SETTINGS
) -> list[WeightedTerm]:
    """The plan's terms with an IDF each; too-common terms dropped (see module docstring).

    Candidate selection (WAND-like): every scored term costs a ts_rank call per candidate row,
    and candidates are the chunks holding ANY selecting term, so one common word can make a
    query rank thousands of rows. The rarest terms select candidates until their estimated
    matches reach `match_budget` rows; the others still add to the scores of those candidates.
    A chunk holding only common words would rank low anyway (low IDF). search_lexical widens to
    every term when the narrow selection returns too few rows (e.g. under a selective filter).
    """
    if not plan.terms:
        return []
    stats = term_statistics(conn, sorted({lex for t in plan.terms for lex in t.lexemes}))
    if stats is None:
        return [WeightedTerm(t, 1.0, None) for t in plan.terms]
    found, min_freq, rows = stats
    weighted = []
    for t in plan.terms:
        # A term matches when any alternative does: its fraction is at most the sum, at least
        # the largest; for a phrase the rarest part bounds it. Use the whole word if known.
        if t.whole and t.whole in found:
            fraction = found[t.whole]
        elif len(t.parts) > 1:
            fraction = min(found.get(p, min_freq / 2) for p in t.parts)
            if t.whole:
                fraction = min(1.0, fraction + found.get(t.whole, min_freq / 2))
        else:
            fraction = found.get(t.parts[0], min_freq / 2)
        fraction = max(fraction, 1e-6)
        idf = min(MAX_IDF, math.log(1.0 + (1.0 - fraction) / fraction))
        weighted.append(WeightedTerm(t, max(idf, 0.05), fraction))
    useful = [w for w in weighted if w.fraction is None or w.fraction <= settings.common_fraction]
    if not useful:
        useful = sorted(weighted, key=lambda w: -w.idf)[:3]  # all common: keep the rarest few
    if settings.match_budget is None or plan.is_identifier:
        return useful
    selecting: set[int] = set()
    estimate = 0.0
    for i in sorted(range(len(useful)), key=lambda i: useful[i].fraction or 0.0):
        expected = (useful[i].fraction or 0.0) * rows
        if selecting and estimate + expected > settings.match_budget:
            break
        selecting.add(i)
        estimate += expected
    return [WeightedTerm(w.term, w.idf, w.fraction, i in selecting) for i, w in enumerate(useful)]


def search_lexical(
    conn: psycopg.Connection,
    plan: QueryPlan,
    filters: Filters,
    depth: int,
    settings: LexicalSettings = DEFAULT_SETTINGS,
) -> list[tuple[int, float]]:
    """Best-first (chunk_id, score) of the `depth` best lexical matches."""
    terms = weigh_terms(conn, plan, settings)
    identifier = plan.identifier[:200] if plan.identifier else None
    if not terms and not identifier:
        return []
    narrowed = any(not w.selects for w in terms)
    rows = _run(conn, terms, identifier, filters, depth, settings, narrowed)
    if narrowed and len(rows) < depth:
        rows = _run(conn, terms, identifier, filters, depth, settings, False)
    scored = [(chunk_id, float(name_score or 0.0) + float(text_score or 0.0)) for chunk_id, name_score, text_score in rows]
    scored.sort(key=lambda r: (-r[1], r[0]))
    return scored[:depth]


def _run(
    conn: psycopg.Connection,
    terms: list[WeightedTerm],
    identifier: str | None,
    filters: Filters,
    depth: int,
    settings: LexicalSettings,
    narrowed: bool,
) -> list[tuple[int, float, float]]:
    """One lexical query: (chunk_id, name score, text score) rows."""
    where, where_params = filters.where("c")
    branches: list[sql.Composable] = []
    params: list[object] = []
    if terms:
        any_query = " | ".join(w.query for w in terms if w.selects or not narrowed)
        branches.append(
            sql.SQL(
                """
                (SELECT c.id,
                        (SELECT sum(ts_rank({weights}::float4[], c.search_tsv, t.q, {norm}) * t.idf)
                           FROM terms t) AS text_score,
                        0.0::float8 AS name_score
                 FROM chunks c
                 WHERE c.search_tsv @@ to_tsquery('simple', %s){where}
                 ORDER BY text_score DESC
                 LIMIT %s)
                """
            ).format(weights=sql.Literal(settings.weights), norm=sql.Literal(settings.normalization), where=where)
        )
        params += [any_query, *where_params, depth]
    if identifier:
        # Exact names first (`lower(name)` index), then names and qualified names that look
        # alike (trigram indexes). `QuerySet.filter` also matches the qualified name exactly —
        # through the trigram index, as a LIKE pattern with every metacharacter escaped.
        segments = [p for p in re.split(r"\.|::|->|#|/", identifier) if p]
        last = segments[-1] if segments else identifier
        exact_qualified = sql.SQL("")
        if len(segments) > 1:
            exact_qualified = sql.SQL(
                """
                UNION ALL
                (SELECT c.id, 0.0::float8, {bonus}::float8
                 FROM chunks c
                 WHERE c.qualified_name ILIKE %s AND lower(c.name) = lower(%s){where}
                 LIMIT %s)
                """
            ).format(bonus=sql.Literal(EXACT_NAME_BONUS), where=where)
        branches.append(
            sql.SQL(
                """
                (SELECT c.id, 0.0::float8 AS text_score, {bonus}::float8 * {whole}::float8 AS name_score
                 FROM chunks c
                 WHERE lower(c.name) = lower(%s){where}
                 LIMIT %s)
                {exact_qualified}
                UNION ALL
                (SELECT c.id, 0.0::float8,
                        {trigram}::float8 * greatest(similarity(c.name, %s), similarity(c.qualified_name, %s))
                 FROM chunks c
                 WHERE (c.name %% %s OR c.qualified_name %% %s){where}
                 ORDER BY 3 DESC
                 LIMIT %s)
                """
            ).format(
                bonus=sql.Literal(EXACT_NAME_BONUS),
                # `QuerySet.filter`: a bare `filter` elsewhere is a weaker match than the whole.
                whole=sql.Literal(1.0 if len(segments) <= 1 else 0.5),
                trigram=sql.Literal(TRIGRAM_WEIGHT),
                where=where,
                exact_qualified=exact_qualified,
            )
        )
        params += [last, *where_params, depth]
        if len(segments) > 1:
            params += [_like_literal(".".join(segments)), last, *where_params, depth]
        params += [identifier, identifier, identifier, identifier, *where_params, depth]
    query = sql.SQL(
        """
        WITH terms AS MATERIALIZED (
            SELECT to_tsquery('simple', u.qt) AS q, u.idf FROM unnest(%s::text[], %s::float8[]) AS u(qt, idf)
        )
        SELECT u.id, max(u.name_score) AS name_score, max(u.text_score) AS text_score
        FROM ({branches}) AS u
        GROUP BY u.id
        """
    ).format(branches=sql.SQL(" UNION ALL ").join(branches))
    term_params: list[object] = [[w.query for w in terms], [w.idf for w in terms]]
    rows = conn.execute(query, term_params + params).fetchall()
    if identifier and terms:
        # Name-only candidates lack a text score; compute it for them so ties break on content.
        missing = [r[0] for r in rows if not r[2]]
        text_scores = _text_scores(conn, terms, missing, settings) if missing else {}
        rows = [(r[0], r[1], r[2] or text_scores.get(r[0], 0.0)) for r in rows]
    return rows


def _like_literal(text: str) -> str:
    """`text` as a LIKE pattern that matches only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_scores(
    conn: psycopg.Connection, terms: list[WeightedTerm], ids: list[int], settings: LexicalSettings
) -> dict[int, float]:
    rows = conn.execute(
        sql.SQL(
            """
            WITH terms AS MATERIALIZED (
                SELECT to_tsquery('simple', u.qt) AS q, u.idf FROM unnest(%s::text[], %s::float8[]) AS u(qt, idf)
            )
            SELECT c.id, (SELECT sum(ts_rank({weights}::float4[], c.search_tsv, t.q, {norm}) * t.idf) FROM terms t)
            FROM chunks c WHERE c.id = ANY(%s)
            """
        ).format(weights=sql.Literal(settings.weights), norm=sql.Literal(settings.normalization)),
        ([w.query for w in terms], [w.idf for w in terms], ids),
    ).fetchall()
    return {r[0]: float(r[1] or 0.0) for r in rows}
