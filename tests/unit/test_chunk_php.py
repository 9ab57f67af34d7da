"""PHP definitions from a fixture file: classes, interfaces, traits, enums, methods, functions."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_php_classes_traits_enums_and_functions() -> None:
    parsed = parse_fixture("Router.php", "php")

    assert summary(parsed) == [
        ("class", "Router", 11, 42, True),
        ("method", "Router.__construct", 19, 22, True),
        ("method", "Router.get", 25, 28, True),
        ("method", "Router.create", 30, 33, True),
        ("method", "Router.addRoute", 35, 41, False),  # protected
        ("interface", "Dispatcher", 44, 47, True),
        ("interface", "Macroable", 49, 52, True),  # trait
        ("method", "Macroable.macro", 51, 51, True),
        ("enum", "Method", 54, 57, True),
        ("function", "route_url", 59, 62, True),
    ]
    router = chunk(parsed, "Router")
    assert router.docstring == "Matches requests to routes."
    assert (router.bases, router.implements) == (["BaseRouter"], ["Dispatcher", "\\Countable"])
    assert chunk(parsed, "Router.get").docstring == "Registers a GET route."
    assert calls(parsed, "Router.get") == [("addRoute", "$this")]
    assert calls(parsed, "Router.__construct") == [("__construct", "parent")]
    assert calls(parsed, "Router.create") == [("getInstance", "Container")]  # `new static` is no call
    assert chunk(parsed, "Router.addRoute").complexity == 3  # if, &&
    assert [i.to_json() for i in parsed.imports] == [
        {"source": "App\\Contracts\\Dispatcher", "names": [], "line": 5},
        {"source": "Illuminate\\Support\\Arr", "names": [{"name": "*", "alias": "ArrayHelper"}], "line": 6},
    ]
