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


def test_a_file_of_new_distinct_texts_gets_a_view_of_the_block_and_any_other_a_copy() -> None:
    import numpy as np

    from mnemo.pipeline import _file_vectors

    block = np.arange(12, dtype=np.float32).reshape(4, 3)
    rows = {b"a": 0, b"b": 1, b"c": 2, b"d": 3}
    known = {h: block[i] for h, i in rows.items()} | {b"old": np.full(3, 7, dtype=np.float32)}
    view = _file_vectors([b"b", b"c"], known, block, rows, 3)
    assert np.shares_memory(view, block) and np.array_equal(view, block[1:3])
    for hashes in ([b"c", b"b"], [b"a", b"a"], [b"old", b"d"], [b"d", b"old"]):  # order, repeats, reused
        copy = _file_vectors(hashes, known, block, rows, 3)
        assert not np.shares_memory(copy, block) and copy.dtype == np.float32
        assert np.array_equal(copy, np.stack([known[h] for h in hashes]))
    assert _file_vectors([], known, block, rows, 3).shape == (0, 3)
    assert np.array_equal(_file_vectors([b"a"], known, None, {}, 3), block[:1])  # no block: a copy


def test_a_window_embedded_in_several_calls_gives_the_vectors_of_one_call(embedder, monkeypatch) -> None:
    import numpy as np

    import mnemo.pipeline as pipeline

    texts = [f"function handler{i}(event) {{ return dispatch(event, {i}) }}" * (1 + i % 5) for i in range(23)]
    indexer = pipeline.FileIndexer(None, None, None, pipeline.IndexOptions(batch_chunks=4))
    monkeypatch.setattr(pipeline, "EMBED_CALL_CHARS", 600)
    calls = []
    embed = embedder.embed_documents
    monkeypatch.setattr(embedder, "embed_documents", lambda batch: calls.append(len(batch)) or embed(batch))
    vectors = indexer._embed(embedder, texts)
    assert len(calls) > 5 and sum(calls) == len(texts) and max(calls) <= 4
    assert vectors.dtype == np.float32 and np.allclose(vectors, embed(texts), atol=1e-6)
