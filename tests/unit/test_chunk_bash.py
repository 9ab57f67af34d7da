"""Bash definitions from a fixture file: the three function syntaxes, commands as calls, sources."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_bash_functions_commands_and_sourced_files() -> None:
    parsed = parse_fixture("install.sh", "bash")

    assert summary(parsed) == [
        ("function", "log", 10, 12, False),
        ("function", "install_file", 14, 21, False),  # function name { ... }
        ("function", "cleanup", 23, 25, False),  # a subshell body
        ("function", "main", 27, 35, False),
    ]
    assert chunk(parsed, "log").docstring == "Prints a message to stderr."
    assert chunk(parsed, "install_file").complexity == 4  # if, &&, ||
    assert calls(parsed, "main") == [("install_file", None), ("usage", None), ("log", None)]
    assert ("main", None) in [(c.name, c.qualifier) for c in parsed.module_calls]
    assert [(i.source, i.line) for i in parsed.imports] == [('"$(dirname "$0")/lib/common.sh"', 4), ("./helpers.bash", 5)]
