"""Which paths the test penalty (search.rank.penalties) takes for tests: naming conventions per language."""

from __future__ import annotations

import pytest

from mnemo.search.rank.penalties import is_test_path


@pytest.mark.parametrize("path", ["tests/test_retry.py", "src/test_util.c", "lua/test_loader.lua", "test_app.rb",
                                  "pkg/retry_test.go", "test/run.bash", "a/test_helper.bash", "spec/x_spec.rb"])
def test_test_files(path: str) -> None:
    assert is_test_path(path)


@pytest.mark.parametrize("path", ["lib/bats-core/test_functions.bash", "libexec/test_runner.sh", "src/attest.py",
                                  "src/latest_version.py"])
def test_not_test_files(path: str) -> None:
    # A `test_` shell file outside a test directory is a test framework's code, not a test.
    assert not is_test_path(path)


def test_package_files_penalised_for_queries_in_words_only() -> None:
    from mnemo.search.query import analyse
    from mnemo.search.rank import Candidate, classify, penalties
    from mnemo.search.rank.settings import RankSettings

    def run(path: str, query: str) -> float:
        c = Candidate(1, 1.0, 1, 1, path, 1, 5, "module", path, path, "python")
        penalties.apply([c], classify(analyse(query)), RankSettings(package_penalty=0.5))
        return c.score

    assert run("model2vec/modelcards/__init__.py", "generating model cards") == 0.5
    assert run("src/main/java/org/x/package-info.java", "generating model cards") == 0.5
    assert run("axum/src/routing/mod.rs", "generating model cards") == 1.0  # Rust's mod.rs holds real code
    assert run("model2vec/modelcards/__init__.py", "StaticModel") == 1.0  # a symbol query: its tiers decide
