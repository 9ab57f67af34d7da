"""The embedding calls of a window: bounded in texts and in characters, every text once, in order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from mnemo.embed import MAX_TEXT_CHARS
from mnemo.pipeline import _embed_calls


def test_calls_close_at_the_text_or_character_budget() -> None:
    assert list(_embed_calls(["a" * 10] * 5, 2, 1000)) == [(0, 2), (2, 4), (4, 5)]
    assert list(_embed_calls(["a" * 60] * 3, 10, 100)) == [(0, 1), (1, 2), (2, 3)]
    assert list(_embed_calls(["a" * 40] * 5, 10, 100)) == [(0, 2), (2, 4), (4, 5)]
    assert list(_embed_calls([], 3, 10)) == []


def test_a_text_counts_only_what_the_model_reads_and_a_long_one_is_a_call_alone() -> None:
    huge = "x" * (10 * MAX_TEXT_CHARS)
    assert list(_embed_calls([huge, "b", "c"], 10, MAX_TEXT_CHARS + 1)) == [(0, 2), (2, 3)]
    assert list(_embed_calls(["b", huge, "c"], 10, 5)) == [(0, 1), (1, 2), (2, 3)]


@given(st.lists(st.integers(0, 3 * MAX_TEXT_CHARS), max_size=60), st.integers(1, 20), st.integers(1, 20_000))
def test_calls_cover_every_text_once_within_both_budgets(sizes: list[int], max_texts: int, max_chars: int) -> None:
    texts = ["y" * n for n in sizes]
    calls = list(_embed_calls(texts, max_texts, max_chars))
    assert [i for start, end in calls for i in range(start, end)] == list(range(len(texts)))
    for start, end in calls:
        assert 0 < end - start <= max_texts
        chars = sum(min(n, MAX_TEXT_CHARS) for n in sizes[start:end])
        assert chars <= max_chars or end - start == 1
