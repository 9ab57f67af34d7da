"""Assignment-style JavaScript definitions (tests/fixtures/assignments/, express-like code):
`obj.m = function`, `X.prototype.m = …`, `X.prototype = {…}`, `Object.defineProperty`, object
literals in `module.exports = {…}` / `export default {…}` / `const handlers = {…}`."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnemo.chunk import parse_source
from mnemo.graph.resolve import resolve_parsed
from mnemo.models import MODULE_KIND, ParsedFile

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "assignments"


def parse(name: str, language: str = "javascript") -> ParsedFile:
    return parse_source((FIXTURES / name).read_bytes(), language, path=name)


def definitions(parsed: ParsedFile) -> list[tuple[str, str, str | None, int, int]]:
    return [(c.kind, c.qualified_name, c.parent, c.start_line, c.end_line)
            for c in parsed.chunks if c.kind != MODULE_KIND]


def test_prototype_members_are_methods_of_a_constructor_that_becomes_a_class() -> None:
    parsed = parse("router.js")

    assert definitions(parsed) == [
        ("class", "Router", None, 5, 9),  # function Router + Router.prototype.x = …: an ES5 class
        ("method", "Router.init", "Router", 11, 13),
        ("method", "Router.route", "Router", 15, 19),
        ("method", "Router.handle", "Router", 21, 23),
        ("class", "Route", None, 27, 29),
        ("method", "Route.dispatch", "Route", 32, 34),  # Route.prototype = { dispatch() {} }
        ("method", "Route.match", "Route", 35, 37),  # … match: function () {}
    ]
    chunks = {c.qualified_name: c for c in parsed.chunks}
    assert chunks["Router.route"].signature == "Router.prototype.route = function route(path)"
    assert chunks["Router.route"].source.endswith("return layer;\n};")
    assert [(c.name, c.qualifier) for c in chunks["Router.handle"].calls] == [("route", "this")]
    assert [(c.name, c.qualifier) for c in chunks["Router"].calls] == [("init", "this")]


def test_object_methods_assigned_one_by_one() -> None:
    parsed = parse("application.js")

    assert definitions(parsed) == [
        ("method", "app.init", "app", 3, 6),
        ("method", "app.defaultConfiguration", "app", 8, 10),
        ("method", "app.set", "app", 12, 15),
        ("method", "app.handle", "app", 17, 17),
    ]
    (module,) = [c for c in parsed.chunks if c.kind == MODULE_KIND]
    assert (module.start_line, module.signature) == (1, "app, exports, module.exports")


def test_define_property_getters_are_named_after_the_property() -> None:
    parsed = parse("request.js")

    assert definitions(parsed) == [
        ("method", "req.host", "req", 5, 10),  # { get: function () {} }
        ("method", "req.secure", "req", 12, 16),  # { get() {} }
        ("method", "req.protocol", "req", 20, 22),  # defineGetter(req, 'protocol', function …)
        ("function", "defineGetter", None, 24, 26),
    ]
    # `{ value: true }` defines no code: that line stays file-level
    assert [(c.start_line, c.end_line) for c in parsed.chunks if c.kind == MODULE_KIND] == [(1, 3), (18, 18)]


def test_object_literal_methods_of_exported_objects() -> None:
    handlers = parse("handlers.js")
    legacy = parse("legacy.js")

    assert definitions(handlers) == [
        ("method", "handlers.onOpen", "handlers", 2, 4),
        ("method", "handlers.onClose", "handlers", 5, 5),
        ("function", "start", None, 10, 12),  # export default { start() {} }: the module's own
        ("function", "stop", None, 13, 15),
        ("function", "log", None, 18, 20),
    ]
    assert definitions(legacy) == [
        ("function", "read", None, 2, 4),  # module.exports = { read() {} }, like exports.read
        ("function", "write", None, 5, 7),
        ("function", "flush-all", None, 8, 8),
    ]


@pytest.mark.parametrize("language", ["typescript", "tsx"])
def test_the_patterns_are_shared_with_typescript(language: str) -> None:
    code = (
        b"export const api = { list(): number[] { return []; } };\n"
        b"Store.prototype.save = function (this: Store, item: string) { return item; };\n"
        b"Object.defineProperty(Store.prototype, 'size', { get() { return 1; } });\n"
    )
    parsed = parse_source(code, language)

    assert [(c.kind, c.qualified_name) for c in parsed.chunks] == [
        ("method", "api.list"), ("method", "Store.save"), ("method", "Store.size"),
    ]


def test_exports_and_module_exports_assignments_stay_plain_names() -> None:
    code = b"exports.a = function () {};\nmodule.exports.b = () => 1;\nmodule.exports = function () {};\n"
    parsed = parse_source(code, "javascript")

    assert [(c.kind, c.qualified_name) for c in parsed.chunks] == [
        ("function", "a"), ("function", "b"), ("module", "module"),
    ]


def test_prototype_methods_are_graph_nodes_and_this_calls_resolve_to_them() -> None:
    files = {"router.js": parse("router.js")}
    table, edges, _ = resolve_parsed(files)

    by_name = {d.qualified_name: d for d in table.definitions.values()}
    assert {"Router", "Router.init", "Router.route", "Router.handle", "Route.dispatch", "Route.match"} <= set(by_name)
    assert by_name["Router.route"].kind == "method" and by_name["Router"].kind == "class"
    calls = {(table.definitions[e.src].qualified_name, table.definitions[e.dst].qualified_name, e.resolution)
             for e in edges if e.type == "calls" and e.dst in table.definitions and e.src in table.definitions}
    assert ("Router", "Router.init", "this") in calls  # this.init() in the constructor
    assert ("Router.handle", "Router.route", "this") in calls
    assert ("Route.dispatch", "Route.match", "this") in calls
