"""Reciprocal rank fusion and one-mode lists."""

from __future__ import annotations

import pytest

from mnemo.search.fusion import RRF_K, reciprocal_rank_fusion, single


def test_document_ranked_well_by_both_lists_beats_one_ranked_first_by_one() -> None:
    lexical = [(1, 9.0), (2, 5.0), (3, 1.0)]
    vector = [(4, 0.9), (2, 0.8), (5, 0.7), (6, 0.6), (1, 0.1)]
    fused = reciprocal_rank_fusion(lexical, vector, weights=(1.0, 1.0))
    assert [f.chunk_id for f in fused][:2] == [2, 1]
    two = next(f for f in fused if f.chunk_id == 2)
    assert (two.lexical_rank, two.vector_rank) == (2, 2)
    assert abs(two.score - 2 / (RRF_K + 2)) < 1e-12
    four = next(f for f in fused if f.chunk_id == 4)
    assert four.lexical_rank is None and four.vector_similarity == 0.9


def test_weights_shift_the_balance() -> None:
    lexical, vector = [(1, 1.0)], [(2, 1.0)]
    assert reciprocal_rank_fusion(lexical, vector, weights=(2.0, 1.0))[0].chunk_id == 1
    assert reciprocal_rank_fusion(lexical, vector, weights=(1.0, 2.0))[0].chunk_id == 2


def test_ties_are_deterministic_and_duplicates_keep_their_best_rank() -> None:
    fused = reciprocal_rank_fusion([(7, 1.0), (7, 0.5)], [(3, 0.9)], weights=(1.0, 1.0))
    assert [f.chunk_id for f in fused] == [3, 7]  # equal scores: the vector list decides
    assert fused[1].lexical_rank == 1
    assert [f.chunk_id for f in reciprocal_rank_fusion([(7, 1.0)], [(3, 0.9)], weights=(1.0, 1.0), prefer="lexical")] == [7, 3]
    # Crossed ranks (1, 2) and (2, 1) tie exactly; the preferred list breaks the tie.
    crossed = ([(1, 2.0), (2, 1.0)], [(2, 0.9), (1, 0.8)])
    assert reciprocal_rank_fusion(*crossed, weights=(1.0, 1.0))[0].chunk_id == 2
    assert reciprocal_rank_fusion(*crossed, weights=(1.0, 1.0), prefer="lexical")[0].chunk_id == 1


def test_empty_lists() -> None:
    assert reciprocal_rank_fusion([], []) == []
    assert [f.chunk_id for f in reciprocal_rank_fusion([], [(5, 0.3)])] == [5]


def test_single_mode_keeps_the_mode_score() -> None:
    out = single([(1, 0.9), (2, 0.5), (1, 0.1)], lexical=False)
    assert [(f.chunk_id, f.score, f.vector_rank) for f in out] == [(1, 0.9, 1), (2, 0.5, 2)]


def test_pinned_exact_definitions_come_first() -> None:
    lexical = [(1, 10.5), (2, 3.0)]
    vector = [(2, 0.9), (3, 0.8), (4, 0.7), (1, 0.1)]
    assert reciprocal_rank_fusion(lexical, vector, weights=(1.0, 1.0))[0].chunk_id == 2
    assert [f.chunk_id for f in reciprocal_rank_fusion(lexical, vector, pinned={1})][:2] == [1, 2]


def test_words_queries_lean_on_the_vector_list() -> None:
    # A document first in the vector list beats one first in the lexical list.
    assert reciprocal_rank_fusion([(1, 5.0)], [(2, 0.9)])[0].chunk_id == 2


def test_convex_fusion_keeps_score_margins_that_rank_fusion_discards() -> None:
    from mnemo.search.fusion import convex_fusion

    # Lexical is sure of chunk 1 (far above the rest); vector mildly prefers chunk 2.
    lexical = [(1, 20.0), (2, 2.0), (3, 1.9)]
    vector = [(2, 0.52), (1, 0.50), (3, 0.49)]
    assert reciprocal_rank_fusion(lexical, vector, weights=(1.0, 1.0))[0].chunk_id == 2  # ranks (2,1) tie (1,2)
    fused = convex_fusion(lexical, vector, alpha=0.4, norms=("max", "max"))
    assert fused[0].chunk_id == 1
    one = fused[0]
    assert one.score == pytest.approx(0.4 * 1.0 + 0.6 * 0.50 / 0.52)
    assert (one.lexical_rank, one.vector_rank) == (1, 2)


def test_convex_alpha_moves_the_balance_and_absent_means_zero() -> None:
    from mnemo.search.fusion import convex_fusion

    lexical, vector = [(1, 5.0), (3, 1.0)], [(2, 0.9), (3, 0.8)]
    assert convex_fusion(lexical, vector, alpha=0.9)[0].chunk_id == 1
    assert convex_fusion(lexical, vector, alpha=0.1)[0].chunk_id == 2
    two = next(f for f in convex_fusion(lexical, vector, alpha=0.5, norms=("max", "max")) if f.chunk_id == 2)
    assert two.lexical_rank is None and two.score == pytest.approx(0.5)


def test_convex_fusion_ignores_the_exact_name_bonus_when_scaling() -> None:
    from mnemo.search.fusion import convex_fusion
    from mnemo.search.lexical import EXACT_NAME_BONUS

    # Without removing the bonus every other lexical score would scale to ~0.
    lexical = [(1, EXACT_NAME_BONUS + 4.0), (2, 8.0)]
    fused = {f.chunk_id: f.score for f in convex_fusion(lexical, [], alpha=1.0, norms=("max", "max"))}
    assert fused[2] == pytest.approx(1.0) and fused[1] == pytest.approx(0.5)


def test_fuse_follows_the_settings() -> None:
    from mnemo.search.fusion import fuse
    from mnemo.search.rank.settings import RankSettings

    lexical, vector = [(1, 20.0), (2, 2.0), (3, 1.9)], [(2, 0.52), (1, 0.50), (3, 0.49)]
    assert fuse(lexical, vector, "semantic", RankSettings())[0].chunk_id == 1
    assert fuse(lexical, vector, "semantic", RankSettings(fusion="rrf", semantic_weights=(1.0, 1.0)))[0].chunk_id == 2
    assert fuse(lexical, vector, "semantic", RankSettings(semantic_alpha=0.0))[0].chunk_id == 2
