"""Source → chunks: one Chunk per definition (function, method, class, interface, type, enum),
and file-level `module` chunks for everything else (mnemo.module_chunks), so every line is in one.

`parse_source` is the stage's entry point. What counts as a definition, its name, body,
wrappers, decorators and docstring comes from the language's `definitions.scm` query; the rules
here are generic:

- A definition's span grows to the wrappers around it (`export`, a single-declarator `const`,
  Python's decorated_definition) and to decorators written as its preceding siblings.
- Nesting decides the rest: inside a class (or interface, enum) → qualified `Class.name` (a
  function there becomes a method); inside a function or method → not a chunk (its lines and
  calls belong to the enclosing one). A `@receiver` capture (Go receivers, Rust impl blocks,
  JavaScript's `app.handle = function` / `X.prototype.m = …` / `Object.defineProperty(req, 'host',
  …)`) names the parent of a definition written outside its type; a receiver `X.prototype` names
  X, and a function X of the file whose prototype gets members becomes a class (ES5 constructor).
- Every call and decision point belongs to the innermost chunk containing it; those outside
  every definition are the module's.
- Syntax errors: tolerant by default. An error belongs to the innermost definition around it:
  that definition is dropped and its lines go to the chunk around it, or to file-level chunks
  with the rest. A class with one broken method keeps its chunk (its name, signature and
  docstring: `partial class SqlMapper` in a 4,000-line file with one `#if` inside an expression),
  a broken class body drops the class and keeps its intact members. A file in which nothing
  parsed keeps nothing (it fails), and so does any file with an error under `strict`.
"""

from __future__ import annotations

import bisect
import inspect
import math
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from tree_sitter import Node, Tree

from mnemo.extract import (
    CallSite,
    Captures,
    Position,
    count_loc,
    dedupe_calls,
    nested_scopes,
    find_calls,
    find_decisions,
    find_exports,
    find_facts,
    find_imports,
    find_public_names,
    matches,
    text,
)
from mnemo.languages.registry import Grammar, has_grammar, load_grammar
from mnemo.line_windows import window_chunks
from mnemo.models import MODULE_KIND, Chunk, Export, ParsedFile
from mnemo.module_chunks import MODULE_CHUNK_LINES, module_chunks
from mnemo.parse import error_nodes, parse_tree, syntax_issue

SIGNATURE_MAX_CHARS = 300
_FUNCTION_KINDS = ("function", "method")
_DEFINITION_PREFIX = "definition."
_STRING_QUOTES = re.compile(r"^[rRbBuUfF]*(\"\"\"|'''|\"|')(.*)\1$", re.DOTALL)
_PROTOTYPE = re.compile(r"\s*\.\s*prototype$")
_COMMENT_MARKER = re.compile(r"^\s*(?:/\*+|\*+(?!/)|//+!?|#+|--+(?:\s?\|)?|\{-+(?:\s?\|)?)\s?")  # also `--`, `-- |`, `{-` (Lua, Haskell)


def parse_source(
    source: bytes,
    language: str,
    *,
    strict: bool = False,
    path: str | None = None,
    max_chunk_lines: int = 200,
    max_module_lines: int = MODULE_CHUNK_LINES,
    allow_partial: bool | None = None,
    tree: Tree | None = None,
) -> ParsedFile:
    """Parse one file's bytes into chunks, calls, imports and exports.

    Every non-blank line ends up in a chunk: definitions are chunks of their own, the code
    outside them becomes file-level `module` chunks named after `path`'s file name (see
    mnemo.module_chunks).

    Tolerant by default: with syntax errors, the definitions whose own span holds no error are
    kept and the rest of the file (the broken code included) becomes file-level chunks; the
    caller records the file as partial. A file in which nothing parsed (no clean top-level
    statement, no clean definition) keeps nothing. `strict=True` keeps nothing whenever there is
    an error. `allow_partial` is the former spelling (`allow_partial=False` means strict).

    Never raises for broken code: syntax errors go in `errors`, and `ParsedFile.failed` says
    whether anything was kept. Raises KeyError only for an unknown language key. Pure: no I/O.
    """
    if allow_partial is not None:
        strict = not allow_partial
    if not has_grammar(language):
        return window_chunks(source, language, path=path)  # a source language without a grammar
    grammar = load_grammar(language)
    if tree is None:
        tree = parse_tree(source, language)
    root = tree.root_node
    broken = list(error_nodes(tree))
    errors = [syntax_issue(node) for node in broken]
    if errors and strict:
        return ParsedFile(language=language, errors=errors)

    exports = find_exports(grammar, root)
    definitions = _definitions(grammar, root, source, public=find_public_names(grammar, root), exports=exports)
    owners = _SpanIndex([(d.start_byte, d.end_byte) for d in definitions])
    module_calls: list[CallSite] = []
    for call in find_calls(grammar, root):
        owner = owners.owner(call.at.byte)
        (definitions[owner].calls if owner is not None else module_calls).append(call)
    for decision in find_decisions(grammar, root):
        owner = owners.owner(decision.byte)
        if owner is not None:
            definitions[owner].decisions.append(decision)

    if broken:
        owning = {owners.innermost(node.start_byte, node.end_byte) for node in broken}
        intact = [d for index, d in enumerate(definitions) if index not in owning]
    else:
        intact = definitions
    if broken and not intact and not _any_clean_statement(root):
        return ParsedFile(language=language, errors=errors)  # nothing parsed: the file fails
    facts = find_facts(grammar, root)
    nested = nested_scopes(facts)  # a nested function's calls are its own (graph nodes)
    chunks = [chunk for d in intact for chunk in _chunks(d, max_chunk_lines, nested)]
    file_name = posixpath.basename(path) if path else MODULE_KIND
    imports = find_imports(grammar, root)
    # a definition's doc comment is its docstring (embedded and searchable with it): covered
    covered = [(d.chunk.doc_line or d.chunk.start_line, d.chunk.end_line) for d in intact]
    chunks.extend(module_chunks(root, source, covered, file_name, max_module_lines, {i.line for i in imports}))
    chunks.sort(key=lambda chunk: (chunk.start_line, -chunk.end_line))
    return ParsedFile(
        language=language,
        chunks=chunks,
        imports=imports,
        exports=exports,
        module_calls=dedupe_calls(module_calls),
        errors=errors,
        facts=facts,
    )


# Nodes that wrap a whole file's statements: a C/C++ include guard (`#ifndef X_H ... #endif`)
# or `extern "C" { ... }`. Their statements count as top-level ones.
_FILE_WRAPPERS = frozenset(
    {"preproc_ifdef", "preproc_if", "preproc_else", "preproc_elif", "linkage_specification", "declaration_list"}
)


def _any_clean_statement(root: Node) -> bool:
    """Whether some top-level statement (not a comment) parsed without an error; statements
    inside a file wrapper (an include guard) count as top-level."""
    if root.is_error:
        return False
    stack = [(child, True) for child in root.children]
    while stack:
        child, top = stack.pop()
        if not child.is_named or child.is_extra or child.is_missing or child.is_error:
            continue
        if not child.has_error:
            if top or child.child_count > 0:  # a wrapper's own name (the guard macro) is no statement
                return True
        elif child.type in _FILE_WRAPPERS:
            stack.extend((grandchild, False) for grandchild in child.children)
    return False


@dataclass
class _Definition:
    """A definition kept as a chunk, with the facts assigned to it before it is split."""

    chunk: Chunk  # names, lines, source, signature, docstring, heritage, exported
    start_byte: int
    end_byte: int
    calls: list[CallSite] = field(default_factory=list)
    decisions: list[Position] = field(default_factory=list)


@dataclass(frozen=True)
class _Candidate:
    """One `@definition.<kind>` match: the declaration node, its name, body and receiver type."""

    kind: str
    node: Node
    name: Node
    body: Node | None
    receiver: str | None
    prototype: bool = False  # the receiver was `X.prototype`: X's instances get the member


@dataclass
class _DefinitionQuery:
    """Everything the definitions query found in one tree, sorted by role."""

    candidates: list[_Candidate] = field(default_factory=list)
    wrappers: dict[int, Node] = field(default_factory=dict)  # wrapped node id → wrapper
    decorators: dict[int, Node] = field(default_factory=dict)  # by node id
    comments: set[int] = field(default_factory=set)  # node ids
    owned: dict[int, Captures] = field(default_factory=dict)  # definition node id → doc/base/implements

    def add(self, captures: Captures) -> None:
        kind = next((key[len(_DEFINITION_PREFIX) :] for key in captures if key.startswith(_DEFINITION_PREFIX)), None)
        if kind is not None:
            body = captures.get("body")
            receiver = captures.get("receiver")
            self.candidates.append(
                _Candidate(
                    kind=kind,
                    node=captures[_DEFINITION_PREFIX + kind][0],
                    name=captures["name"][0],
                    body=body[0] if body else None,
                    receiver=_receiver_name(text(receiver[0])) if receiver else None,
                    prototype=bool(receiver) and _PROTOTYPE.search(text(receiver[0])) is not None,
                )
            )
        elif "wrapper" in captures:
            self.wrappers[captures["wrapped"][0].id] = captures["wrapper"][0]
        elif "decorator" in captures:
            self.decorators.update((node.id, node) for node in captures["decorator"])
        elif "comment" in captures:
            self.comments.update(node.id for node in captures["comment"])
        elif "owner" in captures:
            owned = self.owned.setdefault(captures["owner"][0].id, {})
            for key, nodes in captures.items():
                owned.setdefault(key, []).extend(nodes)


@dataclass(frozen=True)
class _FileContext:
    """What building one file's chunks needs besides the candidate itself."""

    source: bytes
    found: _DefinitionQuery
    public: set[int]  # start bytes of names public by convention
    exported_locals: set[str]  # local names the module exports
    decorator_spans: list[tuple[int, int]]  # sorted (start, end) bytes


def _definitions(
    grammar: Grammar, root: Node, source: bytes, *, public: set[int], exports: list[Export]
) -> list[_Definition]:
    """The file's chunks-to-be in document order, parents before their members."""
    found = _DefinitionQuery()
    for captures in matches(grammar, "definitions", root):
        found.add(captures)
    context = _FileContext(
        source=source,
        found=found,
        public=public,
        exported_locals={export.local for export in exports if export.source is None and export.local},
        decorator_spans=sorted((node.start_byte, node.end_byte) for node in found.decorators.values()),
    )

    spans = {}
    for candidate in found.candidates:
        if text(candidate.name):  # a MISSING name in broken code has no text
            spans.setdefault((candidate.node.id, candidate.name.id), (candidate, _span(candidate.node, found)))
    ordered = sorted(spans.values(), key=lambda item: (item[1][0].start_byte, -item[1][1].end_byte))

    definitions: list[_Definition] = []
    stack: list[tuple[int, _Definition | None]] = []  # (end byte, kept definition or None if dropped)
    for candidate, (first, last) in ordered:
        while stack and stack[-1][0] <= first.start_byte:
            stack.pop()
        parent = stack[-1][1] if stack else None
        dropped = bool(stack) and (parent is None or parent.chunk.kind in _FUNCTION_KINDS)
        definition = None if dropped else _definition(candidate, first, last, parent, context)
        if definition is not None:
            definitions.append(definition)
        stack.append((last.end_byte, definition))
    _promote_constructors(definitions, {c.receiver for c in found.candidates if c.prototype})
    return definitions


def _receiver_name(receiver: str) -> str:
    """`Router.prototype` → `Router`; whitespace in a member chain dropped."""
    return _PROTOTYPE.sub("", "".join(receiver.split()))


def _promote_constructors(definitions: list[_Definition], prototyped: set[str | None]) -> None:
    """A function whose prototype gets members (`X.prototype.m = ...`) is a class: an ES5
    constructor. As a class its members attach to it, so `this.m()` inside them resolves."""
    if not prototyped:
        return
    for definition in definitions:
        chunk = definition.chunk
        if chunk.kind == "function" and chunk.qualified_name in prototyped:
            chunk.kind = "class"


def _span(node: Node, found: _DefinitionQuery) -> tuple[Node, Node]:
    """The first and last node of a definition's span: wrappers, then preceding decorators."""
    while node.id in found.wrappers:
        node = found.wrappers[node.id]
    first = node
    while (previous := first.prev_named_sibling) is not None and previous.id in found.decorators:
        first = previous
    return first, node


def _definition(
    candidate: _Candidate, first: Node, last: Node, parent: _Definition | None, context: _FileContext
) -> _Definition:
    name = text(candidate.name)
    kind = candidate.kind
    if parent is not None and kind == "function":
        kind = "method"  # e.g. a Python def in a class body
    parent_name = parent.chunk.qualified_name if parent else candidate.receiver
    owned = context.found.owned.get(candidate.node.id, {})
    block = _comment_block(first, context.found.comments)
    chunk = Chunk(
        kind=kind,
        name=name,
        qualified_name=f"{parent_name}.{name}" if parent_name else name,
        start_line=first.start_point.row + 1,
        end_line=_end_line(last),
        source=context.source[first.start_byte : last.end_byte].decode("utf-8", errors="replace"),
        signature=_signature(context, first, candidate),
        docstring=_docstring(owned, block),
        doc_line=block[-1].start_point.row + 1 if block and "doc" not in owned else None,
        parent=parent_name,
        bases=[text(node) for node in owned.get("base", [])],
        implements=[text(node) for node in owned.get("implements", [])],
        exported=candidate.name.start_byte in context.public
        or (parent_name is None and name in context.exported_locals),
    )
    return _Definition(chunk=chunk, start_byte=first.start_byte, end_byte=last.end_byte)


def _end_line(node: Node) -> int:
    """1-based last line; a node ending at column 0 ends on the line before."""
    row, column = node.end_point
    return row + (1 if column > 0 or row == node.start_point.row else 0)


def _signature(context: _FileContext, first: Node, candidate: _Candidate) -> str:
    """The header up to the body, without decorators, whitespace collapsed, capped."""
    start = first.start_byte
    name_start = candidate.name.start_byte
    # decorators written before the name (not parameter decorators after it)
    decorators = context.decorator_spans
    index = bisect.bisect_left(decorators, (start, -1))
    while index < len(decorators) and decorators[index][0] < name_start:
        start = max(start, decorators[index][1])
        index += 1
    header = " ".join(context.source[start : _header_end(candidate)].decode("utf-8", errors="replace").split())
    return header.rstrip(" :{;")[:SIGNATURE_MAX_CHARS]


def _header_end(candidate: _Candidate) -> int:
    """Where the header ends: before the body, skipping comments between the two."""
    if candidate.body is None:
        return candidate.node.end_byte
    before = candidate.body.prev_sibling
    while before is not None and before.is_extra:
        before = before.prev_sibling
    return before.end_byte if before is not None else candidate.body.start_byte


def _comment_block(first: Node, comments: set[int]) -> list[Node]:
    """The comments directly above a definition's span (no blank line between), nearest first."""
    block: list[Node] = []
    below = first
    while (comment := below.prev_named_sibling) is not None and comment.id in comments:
        if _end_line(comment) < below.start_point.row or _is_trailing(comment):
            break  # a blank line in between, or the comment ends a line of code
        block.append(comment)
        below = comment
    return block


def _docstring(owned: Captures, block: list[Node]) -> str | None:
    """The language's docstring (`@doc`), else the comment block directly above the span."""
    if "doc" in owned:
        match = _STRING_QUOTES.match(text(owned["doc"][0]).strip())
        return (inspect.cleandoc(match.group(2)) or None) if match else None
    cleaned = "\n".join(_clean_comment(text(comment)) for comment in reversed(block)).strip()
    return cleaned or None


def _is_trailing(comment: Node) -> bool:
    """True for a comment at the end of a code line (`x = 1  // note`): not a doc comment."""
    previous = comment.prev_sibling
    if previous is None:
        return False
    row, column = previous.end_point  # a line comment may end at column 0 of the next line
    return row == comment.start_point.row and column > 0


def _clean_comment(raw: str) -> str:
    """Comment text without `/** */`, leading `*`, `//`, `///` or `#` markers."""
    body = raw.strip()
    if body.endswith("*/"):
        body = body[:-2]
    lines = [_COMMENT_MARKER.sub("", line, count=1) for line in body.splitlines()]
    return inspect.cleandoc("\n".join(lines))


def _chunks(definition: _Definition, max_lines: int, nested: list[tuple[int, int]] = ()) -> list[Chunk]:
    """The definition as one chunk, or as consecutive pieces of at most max_lines lines."""
    base = definition.chunk
    lines = base.source.split("\n")
    parts = max(1, math.ceil(len(lines) / max_lines))
    chunks = []
    for part in range(parts):
        start = base.start_line + part * max_lines
        piece = "\n".join(lines[part * max_lines : (part + 1) * max_lines])
        end = min(start + piece.count("\n"), base.end_line)  # a node may end with its newline
        chunks.append(
            replace(
                base,
                start_line=start,
                end_line=end,
                source=piece,
                calls=dedupe_calls((call for call in definition.calls if start <= call.at.line <= end), nested),
                complexity=1 + sum(1 for decision in definition.decisions if start <= decision.line <= end),
                loc=count_loc(piece),
                part=part + 1,
                parts=parts,
                doc_line=base.doc_line if part == 0 else None,
                bases=list(base.bases),
                implements=list(base.implements),
            )
        )
    return chunks


class _SpanIndex:
    """Finds the innermost of a set of properly nested byte spans containing an offset."""

    def __init__(self, spans: Sequence[tuple[int, int]]) -> None:
        """`spans` sorted by start, outer spans before the spans they contain."""
        self._starts = [start for start, _ in spans]
        self._ends = [end for _, end in spans]
        self._parents: list[int | None] = []
        stack: list[int] = []
        for index, (start, _) in enumerate(spans):
            while stack and self._ends[stack[-1]] <= start:
                stack.pop()
            self._parents.append(stack[-1] if stack else None)
            stack.append(index)

    def innermost(self, start: int, end: int) -> int | None:
        """Index of the innermost span holding all of [start, end), or None. An error node
        around an intact definition (recovery sometimes wraps good code in ERROR) is held by
        no span inside it: the definition itself parsed cleanly."""
        index = self.owner(start if end > start else max(start - 1, 0))  # a MISSING node is zero-width
        while index is not None and (self._ends[index] < end or self._starts[index] > start):
            index = self._parents[index]
        return index

    def owner(self, offset: int) -> int | None:
        """Index of the innermost span containing offset, or None."""
        index: int | None = bisect.bisect_right(self._starts, offset) - 1
        while index is not None and index >= 0:
            if offset < self._ends[index]:
                return index
            index = self._parents[index]
        return None
