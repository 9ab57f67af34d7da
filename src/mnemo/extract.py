"""File-level facts read from a parsed tree with the language's queries: calls, imports,
exports, public names and decision points.

Each finder runs one compiled query over the whole tree and returns plain values with their
positions; chunk.py then hands every fact to the definition that contains it. The language
knowledge lives in the query files (capture names are documented in queries/README.md), so
nothing here knows which language it is reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tree_sitter import Node, QueryCursor

from mnemo.languages.registry import Grammar
from mnemo.models import Call, Export, Import, ImportedName

Captures = dict[str, list[Node]]

# An identifier/member chain such as `a.b`, `this`, `this.#cache`, `$el`, `std::fs`. Anything
# else left of a call's last member access (a call, an index, a cast) is not a usable qualifier.
_NAME = r"(?:[^\W\d]|\$)[\w$]*"
_CHAIN = re.compile(rf"#?{_NAME}(?:(?:\.|::)#?{_NAME})*")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Position:
    """Where a fact sits: its byte offset (to find the owning definition) and 1-based line."""

    byte: int
    line: int

    @classmethod
    def of(cls, node: Node) -> Position:
        return cls(byte=node.start_byte, line=node.start_point.row + 1)


@dataclass(frozen=True)
class CallSite:
    """A call found in the tree, before it is assigned to a chunk."""

    name: str
    qualifier: str | None
    at: Position


def matches(grammar: Grammar, query_name: str, root: Node) -> list[Captures]:
    """The capture dicts of every match of one of the language's queries (none if it has no file)."""
    query = grammar.query(query_name)
    if query is None:
        return []
    return [captures for _, captures in QueryCursor(query).matches(root)]


def text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _first_text(captures: Captures, name: str) -> str | None:
    nodes = captures.get(name)
    return text(nodes[0]) if nodes else None


def find_calls(grammar: Grammar, root: Node) -> list[CallSite]:
    """Every call whose callee is a name or a member chain, in document order."""
    calls = []
    for captures in matches(grammar, "calls", root):
        name_node = captures["call.name"][0]
        qualifier = None
        if "call.qualifier" in captures:
            qualifier = normalize_qualifier(text(captures["call.qualifier"][0]))
            if qualifier is None:
                continue
        calls.append(CallSite(name=text(name_node), qualifier=qualifier, at=Position.of(name_node)))
    calls.sort(key=lambda call: call.at.byte)
    return calls


def normalize_qualifier(raw: str) -> str | None:
    """`a?.b` → "a.b", `this.x!` → "this.x", line breaks in a chain removed; None if not a chain.

    Paths keep the language's separator: Rust's `std::fs::read()` has qualifier "std::fs".
    """
    qualifier = _SPACE.sub("", raw).replace("?.", ".").replace("!.", ".").rstrip("!")
    return qualifier if _CHAIN.fullmatch(qualifier) else None


def dedupe_calls(calls: Iterable[CallSite]) -> list[Call]:
    """Each distinct (name, qualifier) once, at the line of its first occurrence."""
    seen: dict[tuple[str, str | None], Call] = {}
    for call in calls:
        seen.setdefault((call.name, call.qualifier), Call(call.name, call.qualifier, call.at.line))
    return list(seen.values())


def find_decisions(grammar: Grammar, root: Node) -> list[Position]:
    """Positions of the decision points that add to cyclomatic complexity."""
    return sorted(
        (Position.of(node) for captures in matches(grammar, "complexity", root) for node in captures["decision"]),
        key=lambda position: position.byte,
    )


def find_public_names(grammar: Grammar, root: Node) -> set[int]:
    """Start bytes of definition names public by the language's convention (e.g. Python's no `_`)."""
    return {node.start_byte for captures in matches(grammar, "public", root) for node in captures["public"]}


def find_imports(grammar: Grammar, root: Node) -> list[Import]:
    """One Import per import statement and source module, names in source order."""
    by_statement: dict[tuple[int, str], tuple[Import, list[tuple[int, ImportedName]]]] = {}
    for captures in matches(grammar, "imports", root):
        statement = captures["import"][0]
        source = text(captures["import.source"][0])
        found, names = by_statement.setdefault(
            (statement.id, source), (Import(source=source, line=statement.start_point.row + 1), [])
        )
        name = _imported_name(captures)
        if name is not None:
            names.append(name)
    imports = []
    for found, names in by_statement.values():
        for _, name in sorted(names, key=lambda item: item[0]):
            if name not in found.names:
                found.names.append(name)
        imports.append(found)
    return sorted(imports, key=lambda found: found.line)


def _imported_name(captures: Captures) -> tuple[int, ImportedName] | None:
    """The binding a match names, with its byte offset (matches do not arrive in source order)."""
    for capture, imported in (("import.default", "default"), ("import.namespace", "*")):
        if capture in captures:
            node = captures[capture][0]
            return node.start_byte, ImportedName(imported, text(node))
    if "import.name" not in captures:
        return None  # a side-effect import: the module, no bindings
    node = captures["import.name"][0]
    name = text(node)
    alias = _first_text(captures, "import.alias")
    return node.start_byte, ImportedName(name, alias if alias != name else None)


def find_exports(grammar: Grammar, root: Node) -> list[Export]:
    """Exports in source order, one per (name, source); a match naming the local definition wins
    over a vaguer one for the same statement (`export default foo` also matches `export default
    <expression>`)."""
    merged: dict[tuple[str, str | None], Export] = {}
    for captures in matches(grammar, "exports", root):
        export = _export(captures)
        key = (export.name, export.source)
        if key not in merged or merged[key].local is None:
            merged[key] = export
    return list(merged.values())


def _export(captures: Captures) -> Export:
    star = "export.star" in captures
    local = "*" if star else _first_text(captures, "export.local")
    name = _first_text(captures, "export.name")
    if name is None:
        name = "default" if "export.default" in captures else local
    if name is None:
        raise ValueError("an exports.scm pattern captures neither @export.name, @export.local nor @export.default")
    return Export(name=name, local=local, source=_first_text(captures, "export.source"))


def count_loc(source: str) -> int:
    """Non-blank lines."""
    return sum(1 for line in source.splitlines() if line.strip())
