"""The compact symbol table (one object per repeated text, 1-tuples for single nodes) and the
structure edges flushed in batches: the same answers as before, in less memory."""

from __future__ import annotations

from mnemo.chunk import parse_source
from mnemo.graph.modules import ModuleResolver
from mnemo.graph.resolve import Definition, EdgeSet, Resolver, SymbolTable, resolve_parsed, structure_edges
from mnemo.models import Export, Import, ImportedName


def fresh(text: str) -> str:
    """An equal string that is another object (as every row from the database is)."""
    return "".join(list(text))


def definition(node: int, path: str, name: str, kind: str = "function", parent: str | None = None) -> Definition:
    qualified = f"{parent}.{name}" if parent else name
    return Definition(node=node, path=fresh(path), kind=fresh(kind), name=fresh(name),
                      qualified_name=fresh(qualified), parent=fresh(parent) if parent else None,
                      bases=(fresh("Base"),) if kind == "class" else ())


def test_repeated_texts_are_one_object_and_imports_share_their_names() -> None:
    table = SymbolTable()
    a = table.add_module("src/a.ts", fresh("typescript"), 1,
                         [Import(fresh("./util"), [ImportedName(fresh("helper")), ImportedName(fresh("x"), "y")], 1)],
                         [Export(fresh("run"), fresh("run"))])
    b = table.add_module("src/b.ts", fresh("typescript"), 2,
                         [Import(fresh("./util"), [ImportedName(fresh("helper"))], 3)])
    defs = [definition(10, "src/a.ts", "Shape", "class"), definition(11, "src/a.ts", "area", "method", "Shape"),
            definition(12, "src/a.ts", "size", "method", "Shape"), definition(13, "src/b.ts", "Shape", "class"),
            definition(14, "src/b.ts", "area", "method", "Shape"), definition(15, "src/b.ts", "run")]
    for d in defs:
        table.add_definition(d)
    table.finish()
    d = table.definitions
    assert d[11].path is a.path and d[15].path is b.path  # a definition's path is its module's
    assert d[11].kind is d[14].kind and d[10].kind is d[13].kind
    assert d[11].parent is d[12].parent is d[14].parent == "Shape"
    assert d[10].name is d[13].name and d[11].name is d[14].name
    assert d[15].qualified_name is d[15].name  # a top-level name is its own qualified name
    assert d[10].bases[0] is d[13].bases[0] == "Base"
    assert a.language is b.language
    assert a.imports[0].source is b.imports[0].source == "./util"
    assert a.imports[0].names[0] is b.imports[0].names[0]  # ImportedName("helper") once
    assert a.imports[0].names[1] == ImportedName("x", "y") and a.imports[0].names[1].local == "y"
    assert a.exports[0].name is a.exports[0].local
    # the values are what was given; the indexes keep every node in order
    assert [(x.node, x.path, x.kind, x.qualified_name) for x in d.values()] == [
        (x.node, x.path, x.kind, x.qualified_name) for x in defs]
    assert tuple(a.qualified["Shape"]) == (10,) and tuple(a.qualified["Shape.area"]) == (11,)
    assert list(table.global_top["Shape"]) == [10, 13] and list(table.global_methods["area"]) == [11, 14]
    assert table.members == {10: {"area": 11, "size": 12}, 13: {"area": 14}}
    # after finish (the pools dropped) the table still takes definitions, and a third namesake
    table.add_definition(definition(16, "src/b.ts", "Shape", "class"))
    assert list(table.global_top["Shape"]) == [10, 13, 16] and list(b.top["Shape"]) == [13, 16]


SOURCES = {
    "src/base.ts": "export interface Runner { run(): void; }\n"
                   "export class Base { run() { return 1; } stop() { return 2; } }\n",
    "src/shapes.ts": "import { Base, Runner } from './base';\n"
                     "export class Circle extends Base implements Runner { run() { return super.run(); } }\n"
                     "export class Square extends Base { stop() { return 3; } }\n"
                     "export function make() { return new Circle(); }\n",
    "src/main.ts": "import { make } from './shapes';\nimport * as base from './base';\n"
                   "import { missing } from './nowhere';\nexport function main() { make().run(); }\n",
}


def test_structure_edges_flushed_in_batches_are_the_edges_of_one_pass() -> None:
    files = {path: parse_source(text.encode(), "typescript") for path, text in SOURCES.items()}
    table, _, _ = resolve_parsed(files)
    whole = EdgeSet()
    structure_edges(Resolver(table, ModuleResolver(files)), whole)
    batches: list[list[tuple]] = []

    def flush(edges: EdgeSet) -> None:
        batches.append([(e.src, e.dst, e.type, e.resolution, e.confidence, e.target, e.line, e.sites) for e in edges])
        edges.clear()

    rest = EdgeSet()
    structure_edges(Resolver(table, ModuleResolver(files)), rest, flush, batch=1)
    flush(rest)
    expected = sorted(((e.src, e.dst, e.type, e.resolution, e.confidence, e.target, e.line, e.sites) for e in whole),
                      key=repr)
    flushed = sorted((row for batch in batches for row in batch), key=repr)
    assert len(batches) > 3 and flushed == expected  # no edge split across batches, none lost
    types = {row[2] for row in expected}
    assert {"contains", "inherits", "implements", "imports"} <= types
