"""The stored per-file facts (mnemo.extract.find_facts) arranged for the receiver-type pass.

A fact record is `[kind, name, how, text, line]`; its scope is the innermost definition whose
lines hold `line` (see `Spans`): a function or method → a local of it, a class or interface → a
field of it, none → the module's. Two tables come out of them:

- `TypeFacts`, repository-wide and O(definitions): the fields of every class (declared types,
  `this.x = new C()`, `self.x = C()`), the return types of functions and methods, and module-level
  bindings (`export const scheduler = new Scheduler()`), with the module whose imports resolve them.
- `LocalFacts`, one module's locals by scope, built while that module's calls are resolved and
  dropped after: parameters and variables with declared types, constructor calls, call results,
  aliases, elements of collections (`for x of xs`), entries of object literals bound to a name.

TypeFacts also keeps the type parameters' bounds by definition (`<T extends C>`) and the entries
of the object literal each function returns (`return { batch, schedule }`), which type calls on
a factory's result (`createManager().batch()`).

Flow-insensitive, as in PyCG's assignment graph: every binding of a name in a scope counts, in
any order. Type texts stay text here; the resolver turns them into class nodes (`type_names`
says which names a type expression stands for).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field

from mnemo.graph.rules import LanguageRules

# (how, text, scope node or 0 for the module): one way a name or field gets a value
Value = tuple[str, str, int]
_CLASS_KINDS = frozenset({"class", "interface"})


def member_signatures(records: Iterable[list], spans: Spans) -> list[tuple[int, str, int, int]]:
    """(owner class/interface node, member name, first line, last line) for the member-signature
    records, once per name and owner: overloads share one node spanning them."""
    found: dict[tuple[int, str], list[int]] = {}
    for record in records or ():
        if not isinstance(record, list) or len(record) != 5 or record[0] != "m":
            continue
        line = int(record[4])
        owner = spans.innermost(line)
        if owner is not None and owner[1] in _CLASS_KINDS:
            span = found.setdefault((owner[0], record[1]), [line, line])
            span[0], span[1] = min(span[0], line), max(span[1], line)
    return [(owner, name, first, last) for (owner, name), (first, last) in found.items()]


class Spans:
    """The definitions of one module by line, to find the innermost one holding a line."""

    def __init__(self, definitions: Iterable[tuple[int, int, int, str]]) -> None:
        # (start, end, node, kind), sorted by start then by span length descending (outer first)
        self._items = sorted(definitions, key=lambda d: (d[0], -d[1]))
        self._starts = [d[0] for d in self._items]
        self.kinds = {node: kind for _, _, node, kind in self._items}

    def innermost(self, line: int) -> tuple[int, str] | None:
        """(node, kind) of the innermost definition whose lines hold `line`, or None."""
        index = bisect.bisect_right(self._starts, line) - 1
        while index >= 0:
            start, end, node, kind = self._items[index]
            if end >= line:
                return node, kind
            index -= 1
        return None

    def enclosing(self, line: int) -> list[int]:
        """Every definition holding `line`, innermost first."""
        found = []
        for start, end, node, _ in reversed(self._items[: bisect.bisect_right(self._starts, line)]):
            if end >= line:
                found.append(node)
        return found


@dataclass
class LocalFacts:
    """One module's bindings by scope (definition node, 0 = module level) and name."""

    scopes: dict[int, dict[str, list[Value]]] = field(default_factory=dict)

    def add(self, scope: int, name: str, value: Value) -> None:
        values = self.scopes.setdefault(scope, {}).setdefault(name, [])
        if value not in values:
            values.append(value)

    def lookup(self, scopes: Iterable[int], name: str) -> list[Value]:
        """The values of `name` in the first scope (innermost first) that binds it."""
        for scope in scopes:
            values = self.scopes.get(scope, {}).get(name)
            if values:
                return values
        return []


@dataclass
class TypeFacts:
    """Repository-wide: class fields, return types and module-level bindings, each with the
    module path that resolves its text."""

    fields: dict[int, dict[str, list[Value]]] = field(default_factory=dict)  # class node → field → values
    returns: dict[int, str] = field(default_factory=dict)  # function/method node → declared type text
    params: dict[int, dict[int, str]] = field(default_factory=dict)  # node → argument index → function type
    module_vars: dict[str, dict[str, list[Value]]] = field(default_factory=dict)  # path → name → values
    generics: dict[int, dict[str, list[str]]] = field(default_factory=dict)  # node → type parameter → bounds
    returned: dict[int, list[str]] = field(default_factory=dict)  # function node → "key=value" of its returned object

    def add_file(self, path: str, records: Iterable[list], spans: Spans) -> LocalFacts:
        """File the records of one module; returns its locals (the caller may drop them)."""
        local = LocalFacts()
        fields: list[tuple[int, str, Value]] = []
        for record in records:
            if not isinstance(record, list) or len(record) != 5:
                continue
            kind, name, how, text, line = record
            if how == "d":  # const { x } = this: an alias of this.x
                how, text = "a", f"{text}.{name}"
            if kind == "m":
                continue  # member signatures become nodes (resolve.member_signatures)
            owner = spans.innermost(int(line))
            if kind == "r":
                if owner is not None and how == "t":
                    self.returns.setdefault(owner[0], text)
                continue
            if kind == "g":
                if owner is not None:  # a type alias's parameters (module level) scope nothing
                    bounds = self.generics.setdefault(owner[0], {}).setdefault(name, [])
                    if text not in bounds:
                        bounds.append(text)
                continue
            if kind == "o":
                if not name:  # `return { … }`: the object the function around it returns
                    if owner is not None and owner[1] not in _CLASS_KINDS:
                        entries = self.returned.setdefault(owner[0], [])
                        if text not in entries:
                            entries.append(text)
                    continue
                how = "o"
            if kind == "s":
                index, _, signature = str(text).partition("|")
                if owner is not None and index.isdigit():
                    self.params.setdefault(owner[0], {}).setdefault(int(index), signature)
                continue
            if kind == "f":
                # this.x = … inside a method: the field of the class around the method
                scope = owner[0] if owner is not None else 0
                cls = next((n for n in spans.enclosing(int(line)) if spans.kinds[n] in _CLASS_KINDS), None)
                if cls is not None:
                    fields.append((cls, name, (how, text, scope)))
                continue
            if owner is not None and owner[1] in _CLASS_KINDS:
                fields.append((owner[0], name, (how, text, owner[0])))
            else:
                local.add(owner[0] if owner is not None else 0, name, (how, text, owner[0] if owner else 0))
        for cls, name, value in fields:
            how, text, scope = value
            resolved = [value]
            if how == "a" and "." not in text:
                # self.x = x: the field takes the local's (typically a typed parameter's) values
                resolved = [v for v in local.lookup((scope,), text) if v[0] != "a"] or [value]
            slot = self.fields.setdefault(cls, {}).setdefault(name, [])
            for v in resolved:
                if v not in slot:
                    slot.append(v)
        module_level = local.scopes.get(0)
        if module_level:
            self.module_vars[path] = module_level
        return local


def function_type_parameter(text: str, index: int) -> str | None:
    """The type of parameter `index` of a function type: `(a: A, b: B) => R`, 1 → "B"
    (a `this:` pseudo-parameter is skipped: it is no argument)."""
    start = text.find("(")
    if start < 0:
        return None
    depth = 0
    for end in range(start, len(text)):
        if text[end] in "(<[{":
            depth += 1
        elif text[end] in ")>]}" and not (text[end] == ">" and text[end - 1] == "="):
            depth -= 1
            if depth == 0:
                break
    else:
        return None
    params = [p for p in _split_top(text[start + 1 : end], ",") if not p.startswith("this:") and not p.startswith("this?:")]
    if index >= len(params):
        return None
    name, colon, kind = params[index].partition(":")
    return kind.strip() if colon else None


def type_names(text: str, rules: LanguageRules) -> list[str]:
    """The class names a type expression may stand for: `Subscriber<T> | Observer<T> | null` →
    [Subscriber, Observer]; `Optional["Foo"]` → [Foo]. Wrappers that keep their argument's
    methods (Optional, Readonly, …) are looked through; arrays, function and object types give
    nothing."""
    found: list[str] = []
    _collect(text.strip(), rules, found, 0)
    return found


def element_type_names(text: str, rules: LanguageRules) -> list[str]:
    """The class names the elements of a collection type may stand for: `Query[]`,
    `Array<Query> | undefined`, `readonly Observer<T>[]`, `list[Job]` → their element's names."""
    found: list[str] = []
    _elements(text.strip(), rules, found, 0)
    return found


def _elements(text: str, rules: LanguageRules, found: list[str], depth: int) -> None:
    if depth > 6 or not text:
        return
    text = text.strip()
    if text.startswith("readonly "):
        text = text[len("readonly ") :].strip()
    parts = _split_top(text, "|")
    if len(parts) > 1:
        for part in parts:
            _elements(part, rules, found, depth + 1)
        return
    if text.startswith("(") and text.endswith(")"):
        _elements(text[1:-1], rules, found, depth + 1)
        return
    if rules.family == "ecmascript" and text.endswith("[]"):
        for name in type_names(text[:-2], rules):
            if name not in found:
                found.append(name)
        return
    open_, close = ("<", ">") if rules.family == "ecmascript" else ("[", "]")
    head, _, rest = text.partition(open_)
    head = head.strip().split(".")[-1]
    if not rest.endswith(close):
        return
    arguments = _split_top(rest[:-1], ",")
    if head in rules.type_wrappers:
        for argument in arguments[:1]:
            _elements(argument, rules, found, depth + 1)
    elif head in rules.collection_types and arguments:
        for name in type_names(arguments[0], rules):
            if name not in found:
                found.append(name)


def _collect(text: str, rules: LanguageRules, found: list[str], depth: int) -> None:
    if depth > 6 or not text:
        return
    text = text.strip().strip("\"'").strip()
    if text.startswith("readonly "):
        text = text[len("readonly ") :]
    parts = _split_top(text, "|&") if rules.family == "ecmascript" else _split_top(text, "|")
    if len(parts) > 1:
        for part in parts:
            _collect(part, rules, found, depth + 1)
        return
    if text.startswith("(") and text.endswith(")") and rules.family == "ecmascript" and "=>" not in text:
        _collect(text[1:-1], rules, found, depth + 1)
        return
    open_, close = ("<", ">") if rules.family == "ecmascript" else ("[", "]")
    head, _, rest = text.partition(open_)
    head = head.strip()
    if not head or not all(part.isidentifier() or part.lstrip("$").isidentifier() for part in head.split(".")):
        return  # an array, a function or object type, a literal
    if rest:
        if not rest.endswith(close):
            return
        arguments = _split_top(rest[:-1], ",")
        if head.split(".")[-1] in rules.type_wrappers:
            for argument in arguments[:1] if head.split(".")[-1] in rules.first_argument_wrappers else arguments:
                _collect(argument, rules, found, depth + 1)
            return
    if head in rules.type_keywords:
        return
    if head not in found:
        found.append(head)


def _split_top(text: str, separators: str) -> list[str]:
    """Split at separators outside brackets and quotes."""
    parts, depth, current, quote = [], 0, [], None
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'`":
            quote = ch
        elif ch in "<([{":
            depth += 1
        elif ch in ">)]}":
            depth -= 1
        elif ch in separators and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]
