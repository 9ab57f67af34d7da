"""Fusing the lexical and the vector ranking into one list.

Weighted reciprocal rank fusion (Cormack et al., 2009): score(d) = Σ_m w_m / (k + rank_m(d)).
It needs no score calibration between two scales that have nothing in common (a text-search
rank and a cosine distance), and it is robust: a document ranked well by both lists beats one
ranked first by only one. k = 60 is the published default; the weights lean lexical for
identifier queries (the exact name is the best evidence there is) and vector for queries in
words. The defaults were chosen on the quality benchmark (benchmarks/search_quality.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mnemo.search.rank.settings import RankSettings

RRF_K = 60.0
IDENTIFIER_WEIGHTS = (1.5, 1.0)  # (lexical, vector) for identifier-looking queries
# For queries in words the model is the better judge: on the quality benchmark's dev split
# (174 docstring queries, django + rxjs) lexical 0.6 : vector 1 gave NDCG@10 0.446 against
# 0.433 for 1 : 1 at k = 60, and k from 10 to 100 changed little (benchmarks/search_quality.py
# --split dev --sweep). Min-max score fusion (convex, best alpha 0.4) reached 0.437.
WORDS_WEIGHTS = (0.6, 1.0)


@dataclass
class Fused:
    """One document of the fused list and where it came from (ranks are 1-based)."""

    chunk_id: int
    score: float
    lexical_rank: int | None = None
    vector_rank: int | None = None
    lexical_score: float | None = None
    vector_similarity: float | None = None


def reciprocal_rank_fusion(
    lexical: Sequence[tuple[int, float]],
    vector: Sequence[tuple[int, float]],
    *,
    weights: tuple[float, float] = WORDS_WEIGHTS,
    k: float = RRF_K,
    pinned: frozenset[int] | set[int] = frozenset(),
    prefer: str = "vector",
) -> list[Fused]:
    """Fuse two best-first lists of (chunk_id, score) — lexical score, vector similarity —
    into one best-first list. A chunk listed twice in one list keeps its best rank. Ties are
    broken by the rank in the `prefer`red list ("vector" for queries in words, where the model
    is the better judge; "lexical" for identifiers), then by chunk id: deterministic.

    `pinned` ids (definitions whose name is exactly the identifier asked for) come first, in
    fused order: rank fusion alone can let a test that calls `parseConfig` and mentions it
    twice outrank `def parseConfig` when the two lists disagree slightly, and for an
    identifier query the definition is the answer.
    """
    fused: dict[int, Fused] = {}
    w_lex, w_vec = weights
    for rank, (chunk_id, score) in enumerate(lexical, start=1):
        f = fused.setdefault(chunk_id, Fused(chunk_id, 0.0))
        if f.lexical_rank is None:
            f.lexical_rank, f.lexical_score = rank, score
            f.score += w_lex / (k + rank)
    for rank, (chunk_id, similarity) in enumerate(vector, start=1):
        f = fused.setdefault(chunk_id, Fused(chunk_id, 0.0))
        if f.vector_rank is None:
            f.vector_rank, f.vector_similarity = rank, similarity
            f.score += w_vec / (k + rank)

    def preferred_rank(f: Fused) -> float:
        rank = f.vector_rank if prefer == "vector" else f.lexical_rank
        return float("inf") if rank is None else rank

    # Scores are rounded before comparing so that float noise cannot decide a tie.
    return sorted(
        fused.values(), key=lambda f: (f.chunk_id not in pinned, -round(f.score, 12), preferred_rank(f), f.chunk_id)
    )


def single(ranked: Sequence[tuple[int, float]], *, lexical: bool) -> list[Fused]:
    """A one-mode list in the same shape: the score is that mode's own score."""
    out = []
    seen: set[int] = set()
    for rank, (chunk_id, score) in enumerate(ranked, start=1):
        if chunk_id in seen:
            continue
        seen.add(chunk_id)
        if lexical:
            out.append(Fused(chunk_id, score, lexical_rank=rank, lexical_score=score))
        else:
            out.append(Fused(chunk_id, score, vector_rank=rank, vector_similarity=score))
    return out


def _normalised(ranked: Sequence[tuple[int, float]], how: str = "minmax") -> dict[int, float]:
    """Each chunk's score rescaled to [0, 1] between the list's weakest and best score (its first
    occurrence; a constant list maps to 1). `offset` is subtracted first where a score carries
    a bonus (the exact-name bonus) that would flatten the rest."""
    out: dict[int, float] = {}
    for chunk_id, score in ranked:
        out.setdefault(chunk_id, score)
    if not out:
        return out
    values = list(out.values())
    hi, lo = max(values), min(values)
    if how == "max":
        return {cid: v / hi if hi > 0 else 1.0 for cid, v in out.items()}
    return {cid: (v - lo) / (hi - lo) if hi > lo else 1.0 for cid, v in out.items()}


def convex_fusion(
    lexical: Sequence[tuple[int, float]],
    vector: Sequence[tuple[int, float]],
    *,
    alpha: float,
    prefer: str = "vector",
    norms: tuple[str, str] = ("minmax", "minmax"),
) -> list[Fused]:
    """score(d) = alpha · lex(d) + (1 − alpha) · vec(d), each list's scores min-max normalised
    over the list (absent from a list: 0). Unlike reciprocal ranks it keeps the margins: a BM25
    score far above the rest, or a vector hit that is clearly closer, stays far ahead — rank
    fusion gives rank 1 the same lead over rank 2 whatever the gap. Exact-name bonuses are left
    out of the lexical scale (pinned ids come first anyway)."""
    from mnemo.search.lexical import EXACT_NAME_BONUS, is_exact_name_score

    lex = _normalised([(cid, s - EXACT_NAME_BONUS if is_exact_name_score(s) else s) for cid, s in lexical], norms[0])
    vec = _normalised(vector, norms[1])
    fused: dict[int, Fused] = {}
    for rank, (chunk_id, score) in enumerate(lexical, start=1):
        f = fused.setdefault(chunk_id, Fused(chunk_id, 0.0))
        if f.lexical_rank is None:
            f.lexical_rank, f.lexical_score = rank, score
            f.score += alpha * lex[chunk_id]
    for rank, (chunk_id, similarity) in enumerate(vector, start=1):
        f = fused.setdefault(chunk_id, Fused(chunk_id, 0.0))
        if f.vector_rank is None:
            f.vector_rank, f.vector_similarity = rank, similarity
            f.score += (1.0 - alpha) * vec[chunk_id]

    def preferred_rank(f: Fused) -> float:
        rank = f.vector_rank if prefer == "vector" else f.lexical_rank
        return float("inf") if rank is None else rank

    return sorted(fused.values(), key=lambda f: (-round(f.score, 12), preferred_rank(f), f.chunk_id))


def fuse(
    lexical: Sequence[tuple[int, float]],
    vector: Sequence[tuple[int, float]],
    intent_kind: str,
    settings: "RankSettings",
    *,
    prefer: str = "vector",
) -> list[Fused]:
    """The hybrid list for a query of `intent_kind`, as the settings say."""
    if settings.fusion == "convex":
        return convex_fusion(lexical, vector, alpha=settings.alpha(intent_kind), prefer=prefer,
                             norms=settings.fusion_norms)
    return reciprocal_rank_fusion(lexical, vector, weights=settings.weights(intent_kind), k=settings.rrf_k,
                                  prefer=prefer)
