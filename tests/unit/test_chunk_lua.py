"""Lua definitions from a fixture file: functions, table methods (`.` and `:`), local functions."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_lua_table_methods_and_local_functions() -> None:
    parsed = parse_fixture("router.lua", "lua")

    assert summary(parsed) == [
        ("method", "Router.new", 8, 12, False),  # function Router.new
        ("method", "Router.add", 15, 21, False),  # function Router:add
        ("function", "normalize", 23, 25, False),  # local function
        ("function", "dispatch", 27, 33, False),
        ("function", "on_error", 35, 37, False),  # local on_error = function ... end
    ]
    add = chunk(parsed, "Router.add")
    assert add.parent == "Router"
    assert add.docstring == "Adds a route."
    assert add.complexity == 3  # if, or
    assert calls(parsed, "Router.add") == [("error", None), ("insert", "table"), ("sort", "self")]
    assert calls(parsed, "on_error") == [("print", None), ("encode", "json")]
    assert [(i.source, i.line) for i in parsed.imports] == [("cjson", 1), ("lapis.utils", 2)]
