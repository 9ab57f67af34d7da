"""File-level facts read from a parsed tree with the language's queries: calls, imports,
exports, public names, decision points and the bindings that type receivers (facts.scm).

Each finder runs one compiled query over the whole tree and returns plain values with their
positions; chunk.py then hands every fact to the definition that contains it. The language
knowledge lives in the query files (capture names are documented in queries/README.md), so
nothing here knows which language it is reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
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


_CALL_NODES = frozenset({"call_expression", "call"})
_MEMBER_NODES = frozenset({"member_expression", "attribute"})


def find_calls(grammar: Grammar, root: Node) -> list[CallSite]:
    """Every call whose callee is a name or a member chain, in document order.

    A call on a call's result keeps the inner callee with `()`: `f(x).subscribe()` has
    qualifier "f()", `this.pipe(a).subscribe()` "this.pipe()" (resolved through return types)."""
    calls = []
    for captures in matches(grammar, "calls", root):
        name_node = captures["call.name"][0]
        qualifier = None
        if "call.qualifier" in captures:
            qualifier = _qualifier_of(captures["call.qualifier"][0])
            if qualifier is None:
                continue
        calls.append(CallSite(name=text(name_node), qualifier=qualifier, at=Position.of(name_node)))
    calls.sort(key=lambda call: call.at.byte)
    return calls


def _qualifier_of(node: Node, depth: int = 0) -> str | None:
    """A qualifier's text as a chain, calls kept as `()`: `a(x).b(y)` → "a().b()"."""
    if depth < 8 and node.type == "non_null_expression" and node.named_children:
        return _qualifier_of(node.named_children[0], depth + 1)  # `xs.shift()!.m()`: the call's result
    if depth < 8 and node.type in _CALL_NODES:
        function = node.child_by_field_name("function")
        inner = _qualifier_of(function, depth + 1) if function is not None else None
        if inner is None or inner == "super":  # super().m(): calls.scm names that qualifier itself
            return None
        return f"{inner}()"
    if depth < 8 and node.type in _MEMBER_NODES:
        obj = node.child_by_field_name("object")
        prop = node.child_by_field_name("property") or node.child_by_field_name("attribute")
        if obj is not None and prop is not None and obj.type in _CALL_NODES | _MEMBER_NODES:
            base = _qualifier_of(obj, depth + 1)
            if base is not None and "()" in base:
                return f"{base}.{text(prop)}"
    return normalize_qualifier(text(node))


def normalize_qualifier(raw: str) -> str | None:
    """`a?.b` → "a.b", `this.x!` → "this.x", line breaks in a chain removed; None if not a chain.

    Paths keep the language's separator: Rust's `std::fs::read()` has qualifier "std::fs".
    """
    qualifier = _SPACE.sub("", raw).replace("?.", ".").replace("!.", ".").rstrip("!")
    return qualifier if _CHAIN.fullmatch(qualifier) else None


def dedupe_calls(calls: Iterable[CallSite], scopes: Sequence[tuple[int, int]] = ()) -> list[Call]:
    """Each distinct (name, qualifier) once, at the line of its first occurrence; once per
    nested function too, when `scopes` gives their line spans (the graph makes them nodes that
    own their calls: see nested_scopes)."""
    seen: dict[tuple[str, str | None, int], Call] = {}
    for call in calls:
        line = call.at.line
        scope = next((i for i, (start, end) in enumerate(scopes) if start <= line <= end), -1) if scopes else -1
        seen.setdefault((call.name, call.qualifier, scope), Call(call.name, call.qualifier, line))
    return list(seen.values())


def nested_scopes(facts: list[list]) -> list[tuple[int, int]]:
    """The line spans of the nested functions among a file's facts ("n" records), innermost
    (shortest) first."""
    spans = [(int(r[4]), int(r[3])) for r in facts if r[0] == "n" and str(r[3]).isdigit()]
    return sorted(spans, key=lambda span: span[1] - span[0])


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


# Fact records (JSON lists, stored per file in files.facts):
#   ["v", name, how, text, line]  a binding in the scope of the innermost definition at `line`
#   ["f", name, how, text, line]  a field (`this.x = …`, `self.x = …`, a parameter property) of
#                                 the innermost class at `line`
#   ["r", name, "t", text, line]  the declared return type of the definition named at `line`
#   ["m", name, "t", "", line]     a member signature (interface method, abstract method) of the
#                                 innermost class or interface at `line`: a node of its own
#   ["s", name, "t", "i|type", line]  parameter i of the definition named at `line` has a
#                                 function type (callbacks passed to it take their types from it)
#   ["n", name, "t", "end line", line]  a function nested in a function's body, spanning
#                                 `line`..end line: a node of its own (outer.inner)
#   ["g", name, "t", text, line]  type parameter `name` of the innermost definition at `line`
#                                 has the constraint (or default) `text`
#   ["o", name, "a", "key=value", line]  one entry of an object literal / dict bound to `name`
#                                 ("" for an object a function returns): key "..." is a spread,
#                                 an empty value an inline function
# how: "t" declared type (its text), "n" `new C()` (the constructor), "c" the value of a call
# (the callee chain), "a" an alias of another name or member chain, "p" an untyped parameter of
# a callback: "callee|argument index|parameter index[|declared type of the variable the call
# initializes]", "e" an element of the iterable chain
# (`for (const x of xs)`), "d" the member `name` of the chain (`const { name } = this`).
_FACT_HOW = (("fact.type", "t"), ("fact.new", "n"), ("fact.call", "c"), ("fact.alias", "a"), ("fact.element", "e"),
             ("fact.destructured", "d"))
_MAX_FACT_TEXT = 160


def find_facts(grammar: Grammar, root: Node) -> list[list]:
    """The declared types, constructor assignments, aliases and return types of a file, in
    document order, for the graph's receiver-type pass (the query file is facts.scm)."""
    found: dict[tuple, list] = {}
    for captures in matches(grammar, "facts", root):
        if "fact.callback" in captures:
            for record in _callback_facts(captures["fact.callback"][0]):
                found.setdefault((record[4], record[1], "p", record[3]), record)
            continue
        if "fact.member" in captures:
            node = captures["fact.member"][0]
            found.setdefault((node.start_byte, "m"), ["m", text(node), "t", "", node.start_point.row + 1])
            continue
        if "fact.object" in captures:
            owner = captures.get("fact.name")
            anchor = owner[0] if owner else captures["fact.object"][0]
            var = text(owner[0]) if owner else ""
            for entry in _object_entries(captures["fact.object"][0]):
                found.setdefault((anchor.start_byte, "o", entry), ["o", var, "a", entry, anchor.start_point.row + 1])
            continue
        if "fact.nested" in captures:
            name_node, span = captures["fact.nested"][0], captures["fact.span"][0]
            found.setdefault((span.start_byte, "n"), ["n", text(name_node), "t", str(span.end_point.row + 1),
                                                      span.start_point.row + 1])
            continue
        if "fact.signature" in captures:
            name_node = captures["fact.signature"][0]
            for record in _signature_facts(text(name_node), name_node, captures["fact.parameters"][0]):
                found.setdefault((name_node.start_byte, "s", record[3]), record)
            continue
        returns = captures.get("fact.returns")
        name_node = returns[0] if returns else (captures.get("fact.name") or [None])[0]
        if name_node is None:
            continue
        for capture, how in _FACT_HOW:
            if capture in captures:
                value = captures[capture][0]
                break
        else:
            continue
        raw = text(value)
        value_text = _SPACE.sub(" ", raw).strip() if how == "t" else _qualifier_of(value)
        if not value_text or len(value_text) > _MAX_FACT_TEXT:
            continue
        kind = "r" if returns else "f" if "fact.field" in captures else "g" if "fact.generic" in captures else "v"
        record = [kind, text(name_node), how, value_text, name_node.start_point.row + 1]
        found.setdefault((name_node.start_byte, kind, how, value_text), record)
    return [record for _, record in sorted(found.items(), key=lambda item: item[0][:1])]


_OBJECT_KEYS = frozenset({"property_identifier", "identifier", "string", "private_property_identifier"})
_INLINE_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "lambda"})


def _object_entries(node: Node) -> list[str]:
    """`{ a: f, b, ...ns, c() {} }` / `{"a": f}` → ["a=f", "b=b", "...=ns", "c="] (values that
    are no name or member chain are left out)."""
    entries = []
    for child in node.named_children:
        if child.type in ("shorthand_property_identifier", "shorthand_property"):
            entries.append(f"{text(child)}={text(child)}")
        elif child.type in ("spread_element", "dictionary_splat"):
            inner = child.named_children[0] if child.named_children else None
            value = normalize_qualifier(text(inner)) if inner is not None else None
            if value:
                entries.append(f"...={value}")
        elif child.type == "method_definition":
            name = child.child_by_field_name("name")
            if name is not None:
                entries.append(f"{text(name)}=")
        elif child.type == "pair":
            key, value = child.child_by_field_name("key"), child.child_by_field_name("value")
            if key is None or value is None or key.type not in _OBJECT_KEYS:
                continue
            name = text(key).strip("\"'")
            if not name.isidentifier() and not name.lstrip("$").isidentifier():
                continue
            if value.type in _INLINE_FUNCTIONS:
                entries.append(f"{name}=")
            elif value.type in ("identifier", "member_expression", "attribute"):
                chain = normalize_qualifier(text(value))
                if chain:
                    entries.append(f"{name}={chain}")
    return entries


def _parameters(node: Node) -> list[Node]:
    params = node.child_by_field_name("parameters")
    if params is not None:
        return [p for p in params.named_children if p.type != "comment"]
    single = node.child_by_field_name("parameter")
    return [single] if single is not None else []


def _parameter_name(param: Node) -> str | None:
    pattern = param.child_by_field_name("pattern") if param.type != "identifier" else param
    return text(pattern) if pattern is not None and pattern.type == "identifier" else None


def _callback_facts(callback: Node) -> list[list]:
    """Untyped parameters of a callback argument, each tied to the callee's parameter slot."""
    arguments = callback.parent
    call = arguments.parent if arguments is not None else None
    if call is None:
        return []
    callee_node = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if callee_node is None:
        return []
    callee = _qualifier_of(callee_node)
    if callee is None or len(callee) > _MAX_FACT_TEXT:
        return []
    index = [a.id for a in arguments.named_children if a.type != "comment"].index(callback.id)
    # `const X: Ctor<Y> = make((inst) => …)`: the declared type instantiates make's type parameters
    declared = ""
    holder = call.parent
    if holder is not None and holder.type == "variable_declarator":
        annotation = holder.child_by_field_name("type")
        if annotation is not None and annotation.named_children:
            declared = _SPACE.sub(" ", text(annotation.named_children[0]))
            declared = "" if len(declared) > _MAX_FACT_TEXT else f"|{declared}"
    records = []
    for position, param in enumerate(_parameters(callback)):
        name = _parameter_name(param)
        if name is not None and param.child_by_field_name("type") is None:
            records.append(["v", name, "p", f"{callee}|{index}|{position}{declared}", param.start_point.row + 1])
    return records


def _signature_facts(name: str, name_node: Node, parameters: Node) -> list[list]:
    records = []
    position = 0
    for param in parameters.named_children:
        if param.type == "comment":
            continue
        if _parameter_name(param) == "this":
            continue  # TypeScript's `this` parameter is no argument
        annotation = param.child_by_field_name("type")
        value = text(annotation.named_children[0]) if annotation is not None and annotation.named_children else ""
        if "=>" in value and len(value) <= 2 * _MAX_FACT_TEXT:
            records.append(["s", name, "t", f"{position}|{_SPACE.sub(' ', value)}", name_node.start_point.row + 1])
        position += 1
    return records


def count_loc(source: str) -> int:
    """Non-blank lines."""
    return sum(1 for line in source.splitlines() if line.strip())
