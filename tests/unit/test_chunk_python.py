"""parse_source on Python: defs, classes, methods, decorators, docstrings, imports."""

from __future__ import annotations

from textwrap import dedent

from mnemo.chunk import parse_source
from mnemo.models import MODULE_KIND, Chunk, ParsedFile


def definitions(parsed: ParsedFile) -> list[Chunk]:
    """The definition chunks, without the file-level (`module`) chunks of the code around them."""
    return [chunk for chunk in parsed.chunks if chunk.kind != MODULE_KIND]


def parse(code: str) -> ParsedFile:
    return parse_source(dedent(code).lstrip("\n").encode(), "python")


def by_name(parsed: ParsedFile) -> dict[str, Chunk]:
    return {chunk.qualified_name: chunk for chunk in definitions(parsed)}


SERVICE = '''
"""Module docstring."""
import os.path
import numpy as np
from ..pkg.mod import a as b, c
from . import sibling
from typing import *


@app.route("/users")
@login_required
async def list_users(request, limit: int = 10) -> list[str]:
    """List users.

    Returns names.
    """
    rows = await db.fetch(limit)
    return [format(r) for r in rows if r]


class Service(Base, mod.Mixin, Generic[T], metaclass=Meta):
    """A service."""

    timeout = settings.get("timeout")

    def __init__(self, client):  # keeps the client
        super().__init__()
        self.client = client

    @property
    def name(self) -> str:
        return self._name()

    class Config:
        class Nested:
            def deep(self):
                helper()

    def _private(self):
        def local():
            inner_call()
        return local()


def _helper():
    pass


if __name__ == "__main__":
    main()
'''


def test_definitions_kinds_qualified_names_and_spans() -> None:
    parsed = parse(SERVICE)

    assert parsed.errors == []
    assert [(c.kind, c.qualified_name, c.parent, c.start_line, c.end_line) for c in definitions(parsed)] == [
        ("function", "list_users", None, 9, 17),
        ("class", "Service", None, 20, 41),
        ("method", "Service.__init__", "Service", 25, 27),
        ("method", "Service.name", "Service", 29, 31),
        ("class", "Service.Config", "Service", 33, 36),
        ("class", "Service.Config.Nested", "Service.Config", 34, 36),
        ("method", "Service.Config.Nested.deep", "Service.Config.Nested", 35, 36),
        ("method", "Service._private", "Service", 38, 41),
        ("function", "_helper", None, 44, 45),
    ]


def test_decorators_are_in_the_span_not_the_signature() -> None:
    chunks = by_name(parse(SERVICE))

    list_users = chunks["list_users"]
    assert list_users.source.startswith('@app.route("/users")\n@login_required\nasync def list_users')
    assert list_users.signature == "async def list_users(request, limit: int = 10) -> list[str]"
    assert chunks["Service.name"].signature == "def name(self) -> str"
    assert chunks["Service.name"].start_line == 29  # the @property line
    assert chunks["Service.__init__"].signature == "def __init__(self, client)"  # comment dropped


def test_docstrings_signatures_and_bases() -> None:
    chunks = by_name(parse(SERVICE))

    assert chunks["list_users"].docstring == "List users.\n\nReturns names."
    assert chunks["Service"].docstring == "A service."
    assert chunks["Service.__init__"].docstring is None
    assert chunks["Service"].signature == "class Service(Base, mod.Mixin, Generic[T], metaclass=Meta)"
    assert chunks["Service"].bases == ["Base", "mod.Mixin", "Generic"]
    assert chunks["Service.Config"].bases == []


def test_calls_self_super_and_nested_function_bodies() -> None:
    parsed = parse(SERVICE)
    chunks = by_name(parsed)

    def calls(name: str) -> list[tuple[str, str | None]]:
        return [(c.name, c.qualifier) for c in chunks[name].calls]

    assert calls("list_users") == [("route", "app"), ("fetch", "db"), ("format", None)]
    assert calls("Service") == [("get", "settings")]
    assert calls("Service.__init__") == [("super", None), ("__init__", "super")]
    assert calls("Service.name") == [("_name", "self")]
    assert calls("Service.Config.Nested.deep") == [("helper", None)]
    assert calls("Service._private") == [("inner_call", None), ("local", None)]
    assert [(c.name, c.line) for c in parsed.module_calls] == [("main", 49)]


def test_exported_means_public_module_level_name() -> None:
    parsed = parse(SERVICE)

    assert {c.qualified_name for c in definitions(parsed) if c.exported} == {"list_users", "Service"}
    assert parsed.exports == []


def test_imports() -> None:
    parsed = parse(SERVICE)

    assert [i.to_json() for i in parsed.imports] == [
        {"source": "os.path", "line": 2, "names": [{"name": "*", "alias": "os"}]},
        {"source": "numpy", "line": 3, "names": [{"name": "*", "alias": "np"}]},
        {"source": "..pkg.mod", "line": 4, "names": [{"name": "a", "alias": "b"}, {"name": "c", "alias": None}]},
        {"source": ".", "line": 5, "names": [{"name": "sibling", "alias": None}]},
        {"source": "typing", "line": 6, "names": [{"name": "*", "alias": None}]},
    ]


def test_one_import_statement_with_several_modules() -> None:
    parsed = parse("import os, sys as system\n")

    assert [(i.source, [(n.name, n.alias) for n in i.names]) for i in parsed.imports] == [
        ("os", [("*", "os")]),
        ("sys", [("*", "system")]),
    ]


def test_complexity_and_loc() -> None:
    parsed = parse(
        """
        def decide(x, items):
            if x and items:
                for item in items:
                    while item:
                        item = item.next if item else None
            elif x or not items:
                try:
                    pass
                except ValueError:
                    pass

            return [i for i in items if i]
        """
    )

    decide = definitions(parsed)[0]
    # if, and, for, while, ternary, elif, or, except, comprehension for, comprehension if = 10
    assert decide.complexity == 11
    assert decide.loc == 11
