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
