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
Without statistics every term weighs 1. Candidates are the chunks holding any term, or — when
that would be more than MATCH_BUDGET rows — two terms or one rare term (candidate_query).

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
    match_budget: int | None = MATCH_BUDGET  # see candidate_query; None: any term selects
    candidates: str = "pairs"  # over budget: "pairs" (two terms, or one rare) or "rarest" terms only


DEFAULT_SETTINGS = LexicalSettings()


def is_exact_name_score(score: float) -> bool:
    """True for a lexical score that includes the exact-name bonus."""
    return score >= EXACT_NAME_BONUS


@dataclass(frozen=True)
class WeightedTerm:
    term: Term
    idf: float
    fraction: float | None  # share of chunks holding the term, None when unknown

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
) -> tuple[list[WeightedTerm], float | None]:
    """The plan's terms with an IDF each, too-common terms dropped (see module docstring), and
    the table's estimated row count (None without statistics)."""
    if not plan.terms:
        return [], None
    stats = term_statistics(conn, sorted({lex for t in plan.terms for lex in t.lexemes}))
    if stats is None:
        return [WeightedTerm(t, 1.0, None) for t in plan.terms], None
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
    return useful, rows


def candidate_query(
    terms: list[WeightedTerm], rows: float | None, settings: LexicalSettings, identifier: bool
) -> str | None:
    """A narrower tsquery selecting the candidates, or None to select chunks holding any term.

    Every scored term costs a ts_rank call per candidate row, and "any term" can mean
    thousands of rows once one common word is in the query. When the expected number of
    candidates exceeds `match_budget`, candidates must hold two of the terms — or one term
    rare enough to stand alone (expected in at most budget/10 chunks). Every term still adds
    to the score. search_lexical widens to any term when this finds too few rows.
    """
    if settings.match_budget is None or rows is None or identifier or len(terms) < 2:
        return None
    expected = {id(w): (w.fraction or 0.0) * rows for w in terms}
    if sum(expected.values()) <= settings.match_budget:
        return None
    rarest = sorted(terms, key=lambda w: expected[id(w)])[:8]
    if settings.candidates == "rarest":
        chosen, total = [], 0.0
        for w in rarest:
            if chosen and total + expected[id(w)] > settings.match_budget:
                break
            chosen.append(w.query)
            total += expected[id(w)]
        return " | ".join(chosen)
    alone = [w.query for w in rarest if expected[id(w)] <= settings.match_budget / 10]
    pairs = [f"({a.query} & {b.query})" for i, a in enumerate(rarest) for b in rarest[i + 1 :]
             if a.query not in alone and b.query not in alone]
    return " | ".join(alone + pairs) or None


def search_lexical(
    conn: psycopg.Connection,
    plan: QueryPlan,
    filters: Filters,
    depth: int,
    settings: LexicalSettings = DEFAULT_SETTINGS,
) -> list[tuple[int, float]]:
    """Best-first (chunk_id, score) of the `depth` best lexical matches."""
    terms, table_rows = weigh_terms(conn, plan, settings)
    identifier = plan.identifier[:200] if plan.identifier else None
    if not terms and not identifier:
        return []
    any_term = " | ".join(w.query for w in terms)
    narrow = candidate_query(terms, table_rows, settings, plan.is_identifier)
    rows = _run(conn, terms, narrow or any_term, identifier, filters, depth, settings)
    if narrow and len(rows) < depth:
        rows = _run(conn, terms, any_term, identifier, filters, depth, settings)
    scored = [(chunk_id, float(name_score or 0.0) + float(text_score or 0.0)) for chunk_id, name_score, text_score in rows]
    scored.sort(key=lambda r: (-r[1], r[0]))
    return scored[:depth]


def _run(
    conn: psycopg.Connection,
    terms: list[WeightedTerm],
    candidates: str,
    identifier: str | None,
    filters: Filters,
    depth: int,
    settings: LexicalSettings,
) -> list[tuple[int, float, float]]:
    """One lexical query: (chunk_id, name score, text score) rows."""
    where, where_params = filters.where("c")
    branches: list[sql.Composable] = []
    params: list[object] = []
    if terms:
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
        params += [candidates, *where_params, depth]
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
