"""Filters: value normalisation, kind checks, and glob → anchored POSIX regex."""

from __future__ import annotations

import re

import pytest

from mnemo.search.filters import Filters, InvalidFilter, check_kinds, glob_to_regex, normalise_values

PATHS = [
    "setup.py",
    "src/app/config.py",
    "src/app/tests/test_config.py",
    "src/api/routes.ts",
    "src/api.ts",
    "lib/a+b (copy).py",
    "docs/ü/naïve.py",
]


def matches(glob: str) -> list[str]:
    rx = re.compile(glob_to_regex(glob))  # the constructs used are the same in Python and POSIX AREs
    return [p for p in PATHS if rx.search(p)]


@pytest.mark.parametrize(
    ("glob", "expected"),
    [
        ("*.py", ["setup.py", "src/app/config.py", "src/app/tests/test_config.py", "lib/a+b (copy).py", "docs/ü/naïve.py"]),
        ("src/api", ["src/api/routes.ts"]),
        ("src/api/", ["src/api/routes.ts"]),
        ("src/*.ts", ["src/api.ts"]),
        ("src/**/*.ts", ["src/api/routes.ts", "src/api.ts"]),
        ("**/test_*.py", ["src/app/tests/test_config.py"]),
        ("test_*", ["src/app/tests/test_config.py"]),
        ("/setup.py", ["setup.py"]),
        ("./src/app", ["src/app/config.py", "src/app/tests/test_config.py"]),
        ("src/ap?", ["src/app/config.py", "src/app/tests/test_config.py", "src/api/routes.ts"]),
        ("src/ap[!p]/*", ["src/api/routes.ts"]),
        ("lib/a+b (copy).py", ["lib/a+b (copy).py"]),
        ("a+b*", ["lib/a+b (copy).py"]),
        ("docs/ü/*", ["docs/ü/naïve.py"]),
        ("src/app/config.py", ["src/app/config.py"]),
        ("config.py", ["src/app/config.py"]),
        ("src/app/config.p", []),
        (".*", []),
    ],
)
def test_glob(glob: str, expected: list[str]) -> None:
    assert matches(glob) == expected


def test_empty_glob_is_an_error() -> None:
    with pytest.raises(InvalidFilter):
        glob_to_regex("  ")


def test_normalise_values() -> None:
    assert normalise_values(None) == ()
    assert normalise_values("python") == ("python",)
    assert normalise_values(["python, typescript", "python", " "]) == ("python", "typescript")


def test_unknown_kind_is_an_error_that_lists_the_kinds() -> None:
    assert check_kinds(["Function", "class"]) == ("function", "class")
    with pytest.raises(InvalidFilter, match="function, method, class"):
        check_kinds(["functoin"])


def test_filters_bind_every_value_as_a_parameter() -> None:
    f = Filters(repository_ids=(1, 2), languages=("python",), kinds=("function",), path_regex="^x$")
    composed, params = f.where("c")
    assert params == [[1, 2], ["python"], ["function"], "^x$"]
    assert f.narrows_chunks
    assert Filters().where("c")[1] == []
    assert not Filters(repository_ids=(1,)).narrows_chunks
