"""parse_source on JavaScript and JSX (both use the javascript grammar and queries)."""

from __future__ import annotations

from textwrap import dedent

from mnemo.chunk import parse_source
from mnemo.models import MODULE_KIND, Chunk, ParsedFile


def definitions(parsed: ParsedFile) -> list[Chunk]:
    """The definition chunks, without the file-level (`module`) chunks of the code around them."""
    return [chunk for chunk in parsed.chunks if chunk.kind != MODULE_KIND]


def parse(code: str, language: str = "javascript") -> ParsedFile:
    return parse_source(dedent(code).lstrip("\n").encode(), language)


def outline(parsed: ParsedFile) -> list[tuple[str, str, int, int]]:
    return [(c.kind, c.qualified_name, c.start_line, c.end_line) for c in definitions(parsed)]


def test_functions_classes_and_class_fields() -> None:
    parsed = parse(
        """
        function plain(a, b = 1) { return helper(a); }
        async function* stream() {}
        var legacy = function named() { return 1; };
        class Widget extends base.Component {
          state = init();
          handle = (event) => { this.setState(event); };
          static #make = function () {};
          render() { return this.props.children; }
        }
        const Anonymous = class extends Widget {};
        """
    )

    assert outline(parsed) == [
        ("function", "plain", 1, 1),
        ("function", "stream", 2, 2),
        ("function", "legacy", 3, 3),
        ("class", "Widget", 4, 9),
        ("method", "Widget.handle", 6, 6),
        ("method", "Widget.#make", 7, 7),
        ("method", "Widget.render", 8, 8),
        ("class", "Anonymous", 10, 10),
    ]
    chunks = {c.qualified_name: c for c in definitions(parsed)}
    assert chunks["plain"].signature == "function plain(a, b = 1)"
    assert chunks["legacy"].signature == "var legacy = function named()"
    assert chunks["Widget"].bases == ["base.Component"]
    assert chunks["Anonymous"].bases == ["Widget"]
    assert [(c.name, c.qualifier) for c in chunks["Widget"].calls] == [("init", None)]
    assert [(c.name, c.qualifier) for c in chunks["Widget.handle"].calls] == [("setState", "this")]


def test_commonjs_exports_and_requires() -> None:
    parsed = parse(
        """
        const fs = require('fs');
        const { join, resolve: res } = require("path");
        require('./side-effect');
        exports.read = function (p) { return fs.readFileSync(join(p)); };
        module.exports.write = (p) => res(p);
        other.thing = function () {};
        async function later() { await import('./lazy'); }
        """
    )

    assert outline(parsed) == [
        ("function", "read", 4, 4),
        ("function", "write", 5, 5),
        ("method", "other.thing", 6, 6),  # an assignment-style method of `other`
        ("function", "later", 7, 7),
    ]
    assert [i.to_json() for i in parsed.imports] == [
        {"source": "fs", "line": 1, "names": [{"name": "default", "alias": "fs"}]},
        {"source": "path", "line": 2, "names": [{"name": "join", "alias": None}, {"name": "resolve", "alias": "res"}]},
        {"source": "./side-effect", "line": 3, "names": []},
        {"source": "./lazy", "line": 7, "names": []},
    ]
    read = definitions(parsed)[0]
    assert read.signature == "exports.read = function (p)"
    assert [(c.name, c.qualifier) for c in read.calls] == [("readFileSync", "fs"), ("join", None)]


def test_es_module_exports_in_javascript() -> None:
    parsed = parse(
        """
        export const a = () => 1, b = 2;
        export default async function main() { await a(); }
        """
    )

    assert outline(parsed) == [("function", "a", 1, 1), ("function", "main", 2, 2)]
    assert [(e.name, e.local) for e in parsed.exports] == [("a", "a"), ("b", "b"), ("default", "main")]
    assert all(c.exported for c in definitions(parsed))


def test_jsx_component_is_named_by_its_variable_and_owns_handler_calls() -> None:
    parsed = parse(
        """
        import React from 'react';

        export const Button = ({label}) => <button onClick={() => go(label)}>{label}</button>;

        export default function App() {
          return <div>{items.map((item) => <Button label={format(item)} />)}</div>;
        }
        """,
        language="jsx",
    )

    assert parsed.errors == []
    assert outline(parsed) == [("function", "Button", 3, 3), ("function", "App", 5, 7)]
    button, app = definitions(parsed)
    assert button.exported and app.exported
    assert [(c.name, c.qualifier) for c in button.calls] == [("go", None)]
    assert [(c.name, c.qualifier) for c in app.calls] == [("map", "items"), ("format", None)]
    assert [(e.name, e.local) for e in parsed.exports] == [("Button", "Button"), ("default", "App")]
