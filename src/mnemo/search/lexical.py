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

import dataclasses
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
EXACT_NAME_BONUS = 1000.0  # more than any text score: the definition itself comes first
TRIGRAM_WEIGHT = 4.0
BM25_K1 = 1.2
BM25_B = 0.75
FIELD_WEIGHTS = (3.0, 1.0, 1.0, 1.0)
MAX_IDF = 12.0
COMMON_POSTINGS = 3_000


@dataclass(frozen=True)
class LexicalSettings:
    """The ranking's knobs, in one place so the quality benchmark can compare variants.

    Measured and rejected on the dev split (benchmarks/search_quality.py --sweep): matching
    English stems as prefixes ('emits' → 'emit':*) cost 0.06 NDCG@10; normalisation 2 (divide
    by length) halved it; other class weights moved it by less than 0.01.
    """

    scorer: str = "bm25"  # "bm25" (search_terms postings, migration 0005) or "tsrank" (0003's ts_rank)
    k1: float = BM25_K1
    b: float = BM25_B
    field_weights: tuple[float, float, float, float] = FIELD_WEIGHTS  # name, signature+path, docstring, source
    weights: str = RANK_WEIGHTS  # tsrank only
    normalization: int = 1  # tsrank only: 0 none, 1 divide by 1 + log(length), 2 divide by length
    common_fraction: float = COMMON_FRACTION
    match_budget: int | None = MATCH_BUDGET  # see candidate_query; None: any term selects
    candidates: str = "pairs"  # over budget: "pairs" (two terms, or one rare) or "rarest" terms only
    # bm25: a term with more postings than this in scope adds to the chunks holding a rarer term but
    # selects none of its own (see bm25_search); None: every chunk holding any term is scored.
    # Measured (benchmarks/search_latency.py, 127,592 chunks in 42 repositories): across all
    # repositories the BM25 statement's p50 31 -> 11 ms, p95 107 -> 31 ms, 98 % of the top 10
    # unchanged; per repository (the semble split) NDCG@10 unchanged (lexical 0.798, hybrid 0.782;
    # 1000 cost 0.002).
    common_postings: int | None = COMMON_POSTINGS


DEFAULT_SETTINGS = LexicalSettings()


def is_exact_name_score(score: float) -> bool:
    """True for a lexical score that includes the exact-name bonus."""
    return score >= EXACT_NAME_BONUS


@dataclass(frozen=True)
class WeightedTerm:
    term: Term
    idf: float
    fraction: float | None  # share of chunks holding the term, None when unknown
    tracked: bool = True  # among the most common elements pg_stats tracks (else rarer than all of them)

    @property
    def query(self) -> str:
        return self.term.tsquery()


def term_statistics(conn: psycopg.Connection, lexemes: list[str]) -> tuple[dict[str, float], float, float] | None:
    """(fraction of chunks holding each of `lexemes` that is among the most common elements,
    an upper bound for every other lexeme, the table's estimated row count), or None without
    statistics. The ~1,000 tracked elements are filtered on the server."""
    row = conn.execute(
        """
        SELECT (SELECT array_agg(u.e) FROM unnest(e.elems, s.most_common_elem_freqs) AS u(e, f)
                 WHERE u.e = ANY(%s)),
               (SELECT array_agg(u.f) FROM unnest(e.elems, s.most_common_elem_freqs) AS u(e, f)
                 WHERE u.e = ANY(%s)),
               s.most_common_elem_freqs[cardinality(e.elems) + 1],
               c.reltuples
        FROM pg_stats s
        CROSS JOIN LATERAL (SELECT s.most_common_elems::text::text[] AS elems) AS e
        JOIN pg_class c ON c.oid = 'chunks'::regclass
        WHERE s.schemaname = current_schema() AND s.tablename = 'chunks' AND s.attname = 'search_tsv'
          AND s.most_common_elems IS NOT NULL
        """,
        (lexemes, lexemes),
    ).fetchone()
    if row is None or row[2] is None:
        return None
    elems, freqs, min_freq, reltuples = row
    found = {e: float(f) for e, f in zip(elems or [], freqs or [])}
    # pg_stats stores the minimum, maximum and null fraction after the elements' frequencies.
    return found, float(min_freq), max(float(reltuples or 0.0), 1.0)


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
        tracked = any(lex in found for lex in t.lexemes)
        weighted.append(WeightedTerm(t, max(idf, 0.05), fraction, tracked))
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
    candidates exceeds `match_budget`, a candidate must hold a rare term (one that pg_stats
    does not track as common, or expected in at most budget/10 chunks) or two of the others.
    Pairs are taken cheapest first while their estimated rows fit the budget; a pair's rows are
    estimated as N · min(f) · min(1, 3 · max(f)) — words in one query co-occur more often
    than independent ones would. Every term still adds to the score, and search_lexical widens
    to any term when this finds too few rows.
    """
    if settings.match_budget is None or rows is None or identifier or len(terms) < 2:
        return None
    expected = {id(w): (w.fraction or 0.0) * rows for w in terms}
    if sum(expected.values()) <= settings.match_budget:
        return None
    by_rarity = sorted(terms, key=lambda w: expected[id(w)])
    if settings.candidates == "rarest":
        chosen, total = [], 0.0
        for w in by_rarity:
            if chosen and total + expected[id(w)] > settings.match_budget:
                break
            chosen.append(w.query)
            total += expected[id(w)]
        return " | ".join(chosen)
    alone = [w for w in by_rarity if not w.tracked or expected[id(w)] <= settings.match_budget / 10]
    others = [w for w in by_rarity if w not in alone][:8]
    budget = settings.match_budget - sum(expected[id(w)] for w in alone)
    pairs: list[tuple[float, str]] = []
    for i, a in enumerate(others):
        for b in others[i + 1 :]:
            lo, hi = sorted((a.fraction or 0.0, b.fraction or 0.0))
            pairs.append((rows * lo * min(1.0, 3 * hi), f"({a.query} & {b.query})"))
    chosen = [w.query for w in alone]
    for estimate, pair in sorted(pairs):
        if estimate > budget and len(chosen) > 0:
            break
        chosen.append(pair)
        budget -= estimate
    return " | ".join(chosen) or None


def search_lexical(
    conn: psycopg.Connection,
    plan: QueryPlan,
    filters: Filters,
    depth: int,
    settings: LexicalSettings = DEFAULT_SETTINGS,
) -> list[tuple[int, float]]:
    """Best-first (chunk_id, score) of the `depth` best lexical matches."""
    terms, table_rows = weigh_terms(conn, plan, settings) if settings.scorer != "bm25" else ([], None)
    identifier = plan.identifier[:200] if plan.identifier else None
    if not terms and not identifier and not plan.terms:
        return []
    names: dict[int, float] = {}
    if identifier:
        names = _exact_names(conn, identifier, filters, depth)
        if not any(is_exact_name_score(v) for v in names.values()):
            # No definition has this name: look for names that are spelled alike.
            for chunk_id, score in _similar_names(conn, identifier, filters, depth).items():
                names[chunk_id] = max(names.get(chunk_id, 0.0), score)
    text: dict[int, float] = {}
    if settings.scorer == "bm25":
        lexemes = bm25_terms(plan)
        if lexemes:
            text = bm25_search(conn, lexemes, filters, depth, settings)
            missing = [chunk_id for chunk_id in names if chunk_id not in text]
            if missing:
                text.update(bm25_search(conn, lexemes, filters, len(missing), settings, ids=missing))
    elif terms:
        any_term = " | ".join(w.query for w in terms)
        narrow = candidate_query(terms, table_rows, settings, plan.is_identifier)
        text = _text_search(conn, terms, narrow or any_term, filters, depth, settings)
        if narrow and len(text) < depth:
            text = _text_search(conn, terms, any_term, filters, depth, settings)
        missing = [chunk_id for chunk_id in names if chunk_id not in text]
        if missing:  # name matches outside the text list: score their text too, to order them
            text.update(_text_scores(conn, terms, missing, settings))
    scored = [(i, names.get(i, 0.0) + text.get(i, 0.0)) for i in set(names) | set(text)]
    scored.sort(key=lambda r: (-r[1], r[0]))
    return scored[:depth]


def _rank_expression(terms: list[WeightedTerm], settings: LexicalSettings) -> tuple[sql.Composable, list[object]]:
    """Σ idf · ts_rank over the terms, as SQL over `c.search_tsv`, and its parameters.

    One term: a plain call. Several: a sub-select over a `terms` CTE, which is cheaper than
    one inline call per term (each would detoast the document again).
    """
    weights, norm = sql.Literal(settings.weights), sql.Literal(settings.normalization)
    if len(terms) == 1:
        return (
            sql.SQL("ts_rank({w}::float4[], c.search_tsv, to_tsquery('simple', %s), {n}) * %s").format(w=weights, n=norm),
            [terms[0].query, terms[0].idf],
        )
    return (
        sql.SQL("(SELECT sum(ts_rank({w}::float4[], c.search_tsv, t.q, {n}) * t.idf) FROM terms t)").format(
            w=weights, n=norm
        ),
        [],
    )


def _terms_cte(terms: list[WeightedTerm]) -> tuple[sql.Composable, list[object]]:
    if len(terms) == 1:
        return sql.SQL(""), []
    return (
        sql.SQL(
            "WITH terms AS MATERIALIZED (SELECT to_tsquery('simple', u.qt) AS q, u.idf"
            " FROM unnest(%s::text[], %s::float8[]) AS u(qt, idf)) "
        ),
        [[w.query for w in terms], [w.idf for w in terms]],
    )


def _text_search(
    conn: psycopg.Connection,
    terms: list[WeightedTerm],
    candidates: str,
    filters: Filters,
    depth: int,
    settings: LexicalSettings,
) -> dict[int, float]:
    """The `depth` best text scores among the chunks matching the `candidates` tsquery."""
    where, where_params = filters.where("c")
    cte, cte_params = _terms_cte(terms)
    rank, rank_params = _rank_expression(terms, settings)
    query = sql.SQL(
        "{cte}SELECT c.id, {rank} AS score FROM chunks c"
        " WHERE c.search_tsv @@ to_tsquery('simple', %s){where} ORDER BY score DESC LIMIT %s"
    ).format(cte=cte, rank=rank, where=where)
    rows = conn.execute(query, [*cte_params, *rank_params, candidates, *where_params, depth]).fetchall()
    return {r[0]: float(r[1] or 0.0) for r in rows}


def _text_scores(
    conn: psycopg.Connection, terms: list[WeightedTerm], ids: list[int], settings: LexicalSettings
) -> dict[int, float]:
    cte, cte_params = _terms_cte(terms)
    rank, rank_params = _rank_expression(terms, settings)
    rows = conn.execute(
        sql.SQL("{cte}SELECT c.id, {rank} FROM chunks c WHERE c.id = ANY(%s)").format(cte=cte, rank=rank),
        [*cte_params, *rank_params, ids],
    ).fetchall()
    return {r[0]: float(r[1] or 0.0) for r in rows}


def _segments(identifier: str) -> list[str]:
    return [p for p in re.split(r"\.|::|->|#|/", identifier) if p]


def _exact_names(conn: psycopg.Connection, identifier: str, filters: Filters, depth: int) -> dict[int, float]:
    """Definitions named exactly `identifier`, case-insensitively (`lower(name)` index), or
    `$identifier` (a JavaScript sigil).

    `QuerySet.filter` matches the qualified name (through its trigram index, as a LIKE pattern
    with every metacharacter escaped) at the full bonus; a bare `filter` elsewhere at half.
    """
    where, where_params = filters.where("c")
    segments = _segments(identifier)
    last = segments[-1] if segments else identifier
    qualified = len(segments) > 1
    # Same-case names first: `LIMIT depth` must not cut `trait Serialize` for a hundred `fn serialize`.
    query = sql.SQL(
        "SELECT c.id, {bonus}::float8 FROM chunks c WHERE lower(c.name) IN (lower(%s), lower(%s)){where}"
        " ORDER BY c.name = %s DESC, c.id LIMIT %s"
    ).format(bonus=sql.Literal(EXACT_NAME_BONUS * (0.5 if qualified else 1.0)), where=where)
    params: list[object] = [last, last if qualified else _sigil(last), *where_params, last, depth]
    if not qualified and last[:1].isupper():
        found = conn.execute(
            sql.SQL(
                "SELECT c.id, c.name = %s FROM chunks c WHERE lower(c.name) IN (lower(%s), lower(%s)){where}"
                " ORDER BY c.name = %s DESC, c.id LIMIT %s"
            ).format(where=where),
            [last, last, _sigil(last), *where_params, last, depth],
        ).fetchall()
        out = {r[0]: EXACT_NAME_BONUS for r in found}
        if not any(same_case for _, same_case in found):
            # No definition spelled so: module names that carry their namespace (`defmodule
            # Plug.Conn`: name `Plug.Conn`) end in the bare name; the trigram index on name finds
            # them. Asked only then: the trigram scan costs milliseconds on a common word.
            dotted = conn.execute(
                sql.SQL("SELECT c.id FROM chunks c WHERE c.name LIKE %s{where} LIMIT %s").format(where=where),
                ["%." + _like_literal(last), *where_params, depth],
            ).fetchall()
            out.update({r[0]: EXACT_NAME_BONUS for r in dotted})
        return out
    if qualified:
        query = sql.SQL(
            "SELECT id, max(score) FROM ({bare} UNION ALL (SELECT c.id, {bonus}::float8 FROM chunks c"
            " WHERE c.qualified_name ILIKE %s AND lower(c.name) = lower(%s){where} LIMIT %s)) AS u(id, score)"
            " GROUP BY id"
        ).format(bare=sql.SQL("(") + query + sql.SQL(")"), bonus=sql.Literal(EXACT_NAME_BONUS), where=where)
        params += [_like_literal(".".join(segments)), last, *where_params, depth]
    return {r[0]: float(r[1]) for r in conn.execute(query, params).fetchall()}


def _sigil(name: str) -> str:
    """`ZodType` → `$ZodType`: JavaScript's `$`-prefixed spelling of a name (zod's core
    `$ZodType` beside the public `ZodType`) is the same name to a reader (rank.definitions)."""
    return name if name.startswith("$") else "$" + name


def _similar_names(conn: psycopg.Connection, identifier: str, filters: Filters, depth: int) -> dict[int, float]:
    """Names (or, for `Class.method`, qualified names) within pg_trgm's similarity threshold,
    scored TRIGRAM_WEIGHT · similarity. Only run when no name matches exactly: it is the
    slowest part of an identifier query (a trigram index scan plus a recheck per candidate)."""
    where, where_params = filters.where("c")
    segments = _segments(identifier)
    column = sql.Identifier("qualified_name" if len(segments) > 1 else "name")
    target = ".".join(segments) if len(segments) > 1 else identifier
    query = sql.SQL(
        "SELECT c.id, {w}::float8 * similarity(c.{col}, %s) AS score FROM chunks c"
        " WHERE c.{col} %% %s{where} ORDER BY score DESC LIMIT %s"
    ).format(w=sql.Literal(TRIGRAM_WEIGHT), col=column, where=where)
    rows = conn.execute(query, [target, target, *where_params, depth]).fetchall()
    return {r[0]: float(r[1]) for r in rows}


def _like_literal(text: str) -> str:
    """`text` as a LIKE pattern that matches only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- BM25 over the search_terms postings (migration 0005) --------------------------------------


def bm25_terms(plan: QueryPlan) -> dict[str, int]:
    """Lexeme → count in the query: each term's whole word and its parts, as the document holds
    them (mnemo_code_words repeats an identifier's parts after it), so `parseConfig` matches a
    chunk naming `parseConfig` on three lexemes and one saying "parse the config" on two."""
    counts: dict[str, int] = {}
    for term in plan.terms:
        for lexeme in term.lexemes:
            counts[lexeme] = counts.get(lexeme, 0) + 1
    return counts


def bm25_search(
    conn: psycopg.Connection,
    lexemes: dict[str, int],
    filters: Filters,
    depth: int,
    settings: LexicalSettings = DEFAULT_SETTINGS,
    *,
    ids: list[int] | None = None,
) -> dict[int, float]:
    """The `depth` best chunks by BM25 (or the BM25 scores of `ids`), in the filtered repositories.

        score(d) = Σ_t qtf(t) · idf(t) · tf(t,d) · (k1 + 1) / (tf(t,d) + k1 · (1 − b + b · |d| / avgdl))
        idf(t)   = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))          (Lucene's, never negative)

    with tf and |d| field-weighted (BM25F-style: Σ_f w_f · tf_f, Σ_f w_f · len_f), N, avgdl from
    search_collection and df counted over the postings read, restricted to the repositories
    searched — so a repository's statistics are its own, as in a per-repository index.
    """
    w_name, w_head, w_doc, w_body = (float(w) for w in settings.field_weights)
    where, where_params = filters.where("c") if filters.narrows_chunks else (sql.SQL(""), [])
    join = sql.SQL(" JOIN chunks c ON c.id = p.chunk_id") if filters.narrows_chunks else sql.SQL("")
    cap = settings.common_postings if ids is None else None
    terms = list(lexemes)
    repos = list(filters.repository_ids) or [r[0] for r in conn.execute("SELECT id FROM repositories").fetchall()]
    head_params: list[object] = [terms, [float(lexemes[t]) for t in terms]]
    if cap is not None or ids is not None:
        # Document frequencies counted on their own (an index-only count), so that the postings
        # joined, scored and grouped can be fewer than those counted: only those of `ids`; or,
        # with a cap, a term with more than `cap` postings in scope (`absl` in abseil, `get`
        # everywhere) adds to the chunks that hold a rarer term but selects none of its own.
        # idf stays exact. When the cap leaves fewer than `depth` results, every posting is used.
        head = sql.SQL(
            "WITH q AS (SELECT * FROM unnest(%s::text[], %s::float8[]) AS q(term, qtf)),"
            " df AS MATERIALIZED (SELECT t.term, count(*)::float8 AS n FROM search_terms t"
            " WHERE t.term = ANY(%s) AND t.repository_id = ANY(%s) GROUP BY t.term),"
            " rare AS MATERIALIZED (SELECT term FROM df WHERE n <= %s),"
            " p AS MATERIALIZED ("
            " SELECT t.term, t.chunk_id, t.tf_name * %s + t.tf_head * %s + t.tf_doc * %s + t.tf_body * %s AS tf"
            " FROM search_terms t WHERE t.term = ANY(%s) AND t.repository_id = ANY(%s) AND {narrow})"
        ).format(narrow=sql.SQL(
            "t.chunk_id = ANY(%s)" if ids is not None else
            "(NOT EXISTS (SELECT 1 FROM rare) OR t.term IN (SELECT term FROM rare) OR t.chunk_id IN ("
            " SELECT r.chunk_id FROM search_terms r WHERE r.term IN (SELECT term FROM rare) AND r.repository_id = ANY(%s)))"
        ))
        head_params += [terms, repos, int(cap) if cap is not None else 0,
                        w_name, w_head, w_doc, w_body, terms, repos, ids if ids is not None else repos]
    else:
        head = sql.SQL(
            """
        WITH q AS (SELECT * FROM unnest(%s::text[], %s::float8[]) AS q(term, qtf)),
        p AS MATERIALIZED (
            SELECT t.term, t.chunk_id,
                   t.tf_name * %s + t.tf_head * %s + t.tf_doc * %s + t.tf_body * %s AS tf
            FROM search_terms t
            WHERE t.term = ANY(%s) AND t.repository_id = ANY(%s)
        ),
        df AS MATERIALIZED (SELECT term, count(*)::float8 AS n FROM p GROUP BY term)"""
        )
        head_params += [w_name, w_head, w_doc, w_body, terms, repos]
    query = head + sql.SQL(
        """,
        coll AS MATERIALIZED (
            SELECT greatest(sum(docs), 1)::float8 AS n,
                   greatest((sum(len_name) * %s + sum(len_head) * %s + sum(len_doc) * %s + sum(len_body) * %s)
                            / greatest(sum(docs), 1), 1)::float8 AS avgdl
            FROM search_collection WHERE repository_id = ANY(%s)
        )
        SELECT p.chunk_id,
               sum(q.qtf * ln(1 + (coll.n - df.n + 0.5) / (df.n + 0.5)) * p.tf * (%s + 1)
                   / (p.tf + %s * (1 - %s + %s * (d.len_name * %s + d.len_head * %s + d.len_doc * %s + d.len_body * %s)
                                                / coll.avgdl))) AS score
        FROM p JOIN q USING (term) JOIN df USING (term) JOIN search_docs d ON d.chunk_id = p.chunk_id
        CROSS JOIN coll{join}
        WHERE p.tf > 0{where}
        GROUP BY p.chunk_id
        ORDER BY score DESC, p.chunk_id
        LIMIT %s
        """
    ).format(join=join, where=where)
    k1, b = float(settings.k1), float(settings.b)
    params: list[object] = [
        *head_params,
        w_name, w_head, w_doc, w_body, repos,
        k1, k1, b, b, w_name, w_head, w_doc, w_body,
        *where_params, depth,
    ]
    found = {int(r[0]): float(r[1]) for r in conn.execute(query, params).fetchall()}
    if cap is not None and len(found) < depth:
        return bm25_search(conn, lexemes, filters, depth, dataclasses.replace(settings, common_postings=None), ids=ids)
    return found
