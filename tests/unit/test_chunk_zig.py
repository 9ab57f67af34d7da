"""Zig definitions from a fixture file: functions, named containers and their members, tests."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_zig_functions_containers_and_tests() -> None:
    parsed = parse_fixture("list.zig", "zig")

    assert summary(parsed) == [
        ("function", "ArrayList", 6, 25, True),  # a generic type: its struct's members stay inside
        ("class", "Point", 27, 34, True),  # pub const Point = struct {...}
        ("method", "Point.add", 31, 33, True),
        ("enum", "Color", 36, 36, False),
        ("class", "Value", 38, 38, False),  # union(enum)
        ("function", "helper", 40, 42, False),
        ("function", "append grows", 44, 47, False),  # test "append grows" { ... }
    ]
    array_list = chunk(parsed, "ArrayList")
    assert array_list.docstring == "A growable list of items."
    assert array_list.complexity == 3  # if, or
    assert calls(parsed, "ArrayList") == [("ensureCapacity", "self"), ("copy", "mem")]
    assert calls(parsed, "helper") == [("print", "std.debug")]
    assert [(i.source, i.line) for i in parsed.imports] == [("std", 1), ("allocator.zig", 3)]
