"""The nesting rule (search.rank.nesting) and the symbol query's file evidence depth: pure
functions over hand-made candidates."""

from __future__ import annotations

import pytest

from mnemo.search.query import analyse
from mnemo.search.rank import Candidate, classify, files, nesting, rerank
from mnemo.search.rank.settings import RankSettings


def cand(chunk_id: int, score: float, path: str, start: int = 1, end: int = 10, *, name: str = "f",
         repo: int = 1) -> Candidate:
    return Candidate(chunk_id, score, chunk_id, repo, path, start, end, "function", name, name, "python")


def ids(cands: list[Candidate]) -> list[int]:
    return [c.chunk_id for c in cands]


def test_entry_file_above_a_helper_two_levels_down() -> None:
    # "command dispatch": the helper matched a little better, but the subsystem's entry file sits
    # two levels above it, and 0.9 per level decides it.
    helper = cand(1, 1.0, "lib/rails/commands/routes/routes_command.rb")
    entry = cand(2, 0.9, "lib/rails/command.rb")
    out = rerank([helper, entry], classify(analyse("command dispatch and subcommand routing")),
                 RankSettings(depth_prior=0.9, depth_prior_cap=2, max_per_file=0, file_evidence=0, path_boost=0))
    assert ids(out) == [2, 1]
    assert helper.contributions["depth_prior"] == pytest.approx(0.81)
    assert "depth_prior" not in entry.contributions


def test_depth_is_relative_and_capped() -> None:
    # Every candidate equally deep: nothing changes, however deep the tree is.
    deep = [cand(i, 1.0 - i / 10, f"a/b/c/d/e/f{i}.kt") for i in range(3)]
    nesting.apply(deep, classify(analyse("plugin pipeline")), RankSettings(depth_prior=0.9))
    assert [c.score for c in deep] == [1.0, 0.9, 0.8]
    # Five levels below the shallowest: only depth_prior_cap levels count.
    top, low = cand(1, 1.0, "x.py"), cand(2, 1.0, "a/b/c/d/e/y.py")
    nesting.apply([top, low], classify(analyse("plugin pipeline")), RankSettings(depth_prior=0.9, depth_prior_cap=2))
    assert low.score == pytest.approx(0.81)


def test_depth_is_counted_per_repository() -> None:
    # Two repositories searched together: a `src/` layout is not deeper than a flat one.
    flat = cand(1, 1.0, "net/retry.py", repo=1)
    nested = cand(2, 0.95, "src/util/debounce.ts", repo=2)
    helper = cand(3, 0.5, "src/util/timers/queue.ts", repo=2)
    nesting.apply([flat, nested, helper], classify(analyse("delay a call")), RankSettings(depth_prior=0.9))
    assert (flat.score, nested.score) == (1.0, 0.95)
    assert helper.score == pytest.approx(0.45)


def test_symbol_queries_keep_their_depth() -> None:
    low = cand(1, 1.0, "a/b/c/parse_config.py", name="parse_config")
    top = cand(2, 1.0, "x.py")
    nesting.apply([low, top], classify(analyse("parse_config")), RankSettings(depth_prior=0.5))
    assert low.score == 1.0
    nesting.apply([low, top], classify(analyse("parse the config")), RankSettings(depth_prior=1.0))
    assert low.score == 1.0  # 1.0: off


def test_symbol_file_evidence_counts_fewer_candidates() -> None:
    def run(query: str) -> float:
        lone = cand(1, 1.0, "src/base.h", name="formatter")
        crowd = [cand(i, 0.9 - i / 100, "src/std.h", start=10 * i, end=10 * i + 5, name="formatter")
                 for i in range(2, 30)]
        files.apply([lone, *crowd], classify(analyse(query)),
                    RankSettings(file_evidence=0.5, file_evidence_top=40, symbol_file_evidence_top=2))
        return lone.score - crowd[0].score

    # Symbol query: two candidates count, one per file: the lone definition keeps its lead.
    assert run("formatter") > 0.05
    # Words: forty count, and the crowded file's best chunk overtakes it.
    assert run("how values are formatted") < 0


def test_generic_file_before_its_specialisations() -> None:
    from mnemo.search.rank import generic

    special = cand(1, 1.0, "tuple/ImmutablePair.java")
    base = cand(2, 0.95, "tuple/Pair.java")
    other = cand(3, 0.9, "tuple/Router.java")
    near = cand(4, 0.85, "tuple/Route.java")  # a word, not a prefix: `Route` is not inside `Router`
    out = rerank([special, base, other, near], classify(analyse("immutable pair container for two values")),
                 RankSettings(generic_boost=1.1, max_per_file=0, file_evidence=0, path_boost=0, depth_prior=1.0))
    assert ids(out)[:2] == [2, 1]
    assert base.contributions["generic_boost"] == pytest.approx(1.1)
    assert "generic_boost" not in near.contributions and "generic_boost" not in special.contributions
    # Another repository's `ImmutablePair` says nothing about this one's `Pair`.
    lone = cand(5, 0.9, "Pair.java", repo=2)
    generic.apply([special, lone], classify(analyse("pairs of values")), RankSettings(generic_boost=1.1))
    assert "generic_boost" not in lone.contributions
    assert generic.stem_words("src/BatchInsertStatement.kt") == ("batch", "insert", "statement")


def test_an_older_versioned_copy_does_not_set_the_reference_depth() -> None:
    # zod: `v3/types.ts` is a level shallower than `v4/core/schemas.ts`; it is the old copy, so the
    # current files are not held a level too deep because of it
    old, core = cand(1, 1.0, "v3/types.ts"), cand(2, 0.9, "v4/core/errors.ts")
    rerank([old, core], classify(analyse("error structure and issue formatting")),
           RankSettings(depth_prior=0.9, max_per_file=0, file_evidence=0, path_boost=0))
    assert "old_version_penalty" in old.contributions
    assert "depth_prior" not in core.contributions
    # the same two paths without a newer version beside them: the depth rule applies as before
    plain, deeper = cand(3, 1.0, "lib/types.ts"), cand(4, 0.9, "lib/core/errors.ts")
    nesting.apply([plain, deeper], classify(analyse("error structure")), RankSettings(depth_prior=0.9))
    assert deeper.contributions["depth_prior"] == pytest.approx(0.9)
