"""The reranking rules (search.rank), each on hand-made candidates: pure functions, no database."""

from __future__ import annotations

import pytest

from mnemo.config import ConfigError
from mnemo.search.query import analyse
from mnemo.search.rank import Candidate, classify, rerank, settings_from
from mnemo.search.rank import boosts, diversity, files, penalties, places
from mnemo.search.rank.settings import RankSettings


def cand(chunk_id: int, score: float, path: str = "src/app.py", start: int = 1, end: int = 10, *, kind: str = "function",
         name: str = "f", qname: str | None = None, part: int = 1, parts: int = 1, code_lines: int = 5) -> Candidate:
    return Candidate(chunk_id, score, chunk_id, 1, path, start, end, kind, name, qname or name, "python",
                     part, parts, code_lines)


def ids(cands: list[Candidate]) -> list[int]:
    return [c.chunk_id for c in cands]


def test_intent_kinds() -> None:
    assert classify(analyse("parseConfig")).kind == "symbol"
    assert classify(analyse("how does the router match routes")).kind == "architecture"
    assert classify(analyse("retry a request with exponential backoff")).kind == "semantic"
    assert classify(analyse("tests for the retry logic")).wants_tests
    assert not classify(analyse("retry logic")).wants_tests


@pytest.mark.parametrize("path", ["tests/test_app.py", "src/app_test.go", "lib/app.spec.ts", "spec/app_spec.rb",
                                  "src/__tests__/x.js", "examples/basic/main.rs", "Src/Foo.Tests/FooTests.cs",
                                  "benches/speed.rs", "conftest.py"])
def test_test_paths_are_recognised(path: str) -> None:
    assert penalties.is_test_path(path)


@pytest.mark.parametrize("path", ["src/app.py", "lib/testing_utils_are_not_here/app.py", "src/contest.py",
                                  "src/attestation.go", "src/latest/x.ts"])
def test_implementation_paths_are_not_tests(path: str) -> None:
    assert not penalties.is_test_path(path)


def test_a_test_file_ranks_below_the_implementation() -> None:
    test = cand(1, 1.0, "tests/test_retry.py", name="test_retry")
    impl = cand(2, 0.8, "src/retry.py", name="retry")
    out = rerank([test, impl], classify(analyse("retry with backoff")), RankSettings())
    assert ids(out) == [2, 1]
    assert out[1].contributions["test_penalty"] == pytest.approx(RankSettings().test_penalty)


def test_a_query_about_tests_keeps_tests_first() -> None:
    test = cand(1, 1.0, "tests/test_retry.py")
    impl = cand(2, 0.8, "src/retry.py")
    assert ids(rerank([test, impl], classify(analyse("tests of retry")), RankSettings())) == [1, 2]


def test_class_and_its_method_show_once() -> None:
    cls = cand(1, 1.0, start=1, end=40, kind="class", name="Router")
    method = cand(2, 0.9, start=10, end=20, kind="method", name="route", qname="Router.route")
    other = cand(3, 0.5, "src/other.py")
    out = rerank([cls, method, other], classify(analyse("router route")), RankSettings())
    assert ids(out) == [1, 3]
    assert method.contributions["contained"] == 0.0
    # a method ranked above its class keeps its place; the class (not inside it) stays too
    out = rerank([cand(2, 1.0, start=10, end=20), cand(1, 0.9, start=1, end=40)], classify(analyse("x")), RankSettings())
    assert ids(out) == [2, 1]
    kept = rerank([cls, method], classify(analyse("router")), RankSettings(drop_contained=False))
    assert ids(kept) == [1, 2]


def test_same_span_shows_once() -> None:
    out = places.apply([cand(1, 1.0), cand(2, 0.9)], classify(analyse("x")), RankSettings(drop_contained=False))
    assert ids(out) == [1]


def test_split_definition_is_represented_by_its_head_first() -> None:
    tail = cand(2, 1.0, start=201, end=400, kind="class", name="Big", part=2, parts=3)
    other_tail = cand(3, 0.9, start=401, end=500, kind="class", name="Big", part=3, parts=3)
    head = cand(1, 0.0, start=1, end=200, kind="class", name="Big", part=1, parts=3)
    rival = cand(4, 0.8, "src/other.py")
    heads = {places.split_key(head): head}
    out = rerank([tail, other_tail, rival], classify(analyse("big class")), RankSettings(), heads)
    assert ids(out) == [1, 4]  # the head, at the tail's rank; the other part once only
    assert out[0].contributions.get("split_head") == 1.0
    no_head = rerank([cand(2, 1.0, start=201, end=400, kind="class", name="Big", part=2, parts=3)],
                     classify(analyse("big")), RankSettings(split_head=False), heads)
    assert ids(no_head) == [2]


def test_name_and_path_boosts_lift_matching_definitions() -> None:
    settings = RankSettings(name_boost=0.5, path_boost=0.5)
    plain = cand(1, 1.0, "src/util.py", name="helper")
    named = cand(2, 0.9, "src/util.py", start=20, end=30, name="retryRequest")
    pathy = cand(3, 0.9, "src/retry/request.py", start=40, end=50, name="run")
    out = boosts.apply([plain, named, pathy], classify(analyse("retry request")), settings)
    assert named.score == pytest.approx(0.9 * 1.5) and pathy.score == pytest.approx(0.9 * 1.5)
    assert plain.score == 1.0 and "name_boost" in named.contributions and "path_boost" in pathy.contributions
    assert len(out) == 3


def test_file_evidence_lifts_chunks_of_a_file_with_several_matches() -> None:
    lone = cand(1, 1.0, "src/lone.py")
    a = cand(2, 0.9, "src/many.py", start=1, end=5)
    b = cand(3, 0.5, "src/many.py", start=10, end=15)
    files.apply([lone, a, b], classify(analyse("x")), RankSettings(file_evidence=0.5))
    assert lone.score == 1.0
    assert a.score == pytest.approx(0.9 * (1 + 0.5 * 0.5 / 0.9)) and a.score > lone.score
    assert b.score == pytest.approx(0.5 * 1.5)


def test_diversity_caps_results_per_file() -> None:
    same = [cand(i, 1.0 - i / 10, "src/a.py", start=i * 10, end=i * 10 + 5) for i in range(1, 5)]
    other = cand(9, 0.1, "src/b.py")
    out = diversity.apply(same + [other], classify(analyse("x")), RankSettings(max_per_file=2))
    assert ids(out) == [1, 2, 9, 3, 4]
    assert ids(diversity.apply(same + [other], classify(analyse("x")), RankSettings(max_per_file=0))) == [1, 2, 3, 4, 9]


def test_pinned_exact_name_stays_first() -> None:
    test = cand(1, 1.0, "tests/test_x.py")
    defn = cand(2, 0.1, "src/x.py")
    defn.pinned = True
    assert ids(rerank([test, defn], classify(analyse("parseConfig")), RankSettings())) == [2, 1]


def test_settings_from_overrides() -> None:
    s = settings_from({"test_penalty": 0.5, "lexical.k1": 1.5, "semantic_weights": [1, 1]})
    assert s.test_penalty == 0.5 and s.lexical.k1 == 1.5 and s.semantic_weights == (1, 1)
    assert settings_from(None) == RankSettings()
    with pytest.raises(ConfigError):
        settings_from({"no_such_rule": 1})
    with pytest.raises(ConfigError):
        settings_from({"lexical.nope": 1})
