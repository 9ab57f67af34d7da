"""Ruby definitions from a fixture file: modules, classes, methods, singleton methods, requires."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_ruby_modules_qualify_classes_and_methods() -> None:
    parsed = parse_fixture("session.rb", "ruby")

    assert summary(parsed) == [
        ("class", "Rack", 4, 39, False),  # a module is a namespace: kind class
        ("class", "Rack.Session", 6, 34, False),
        ("method", "Rack.Session.initialize", 11, 14, False),
        ("method", "Rack.Session.load", 17, 21, False),
        ("method", "Rack.Session.build", 23, 25, False),  # def self.build
        ("method", "Rack.Session.decode", 31, 33, False),
        ("method", "Rack.version", 36, 38, False),
    ]
    assert chunk(parsed, "Rack.Session").bases == ["Store::Base"]
    load = chunk(parsed, "Rack.Session.load")
    assert load.docstring == "Loads the session for a request."
    assert load.signature == "def load(env)"
    assert load.complexity == 3  # ||, if modifier
    assert calls(parsed, "Rack.Session.load") == [("empty?", "data"), ("parse", "JSON"), ("decode", None)]
    assert [(i.source, i.line) for i in parsed.imports] == [("json", 1), ("store/base", 2)]
