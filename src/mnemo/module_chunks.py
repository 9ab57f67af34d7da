"""The code outside definitions → file-level chunks (kind `module`), so every line is findable.

Definitions (functions, classes, ...) are chunks of their own (chunk.py). Everything else a file
holds — imports, module constants, config objects, re-exports, top-level statements, code between
definitions, the text of a syntax error — lies in no definition, and code that is in no chunk can
never be found. This module covers it, with rules that know no language:

- The units are the tree's top-level children (statements, comments, ERROR nodes), minus the
  lines already in a kept definition. A top-level statement that holds a definition (an object
  literal whose methods are chunks) leaves the pieces before and after it.
- Consecutive pieces join one chunk until it would pass `max_lines`; a kept definition between
  two pieces always separates them, so a chunk's lines are one contiguous span of the file and
  its source is exactly those lines. A single statement longer than `max_lines` is cut into
  windows of `max_lines` lines.
- Blank lines at a piece's edges are left out; a piece of blank lines only is dropped.
- A chunk is named after the file (`config.ts`) and its signature lists the names its
  statements define — assigned and declared names, exported objects, object keys — found by a
  bounded walk over the tree's `name`/`left`/`declarator`/`key` fields, so lexical search (name
  weight A, signature weight B) and the embedded text's header find `MAX_RETRIES` or `handlers`.
- An import names what another file defines: its names are listed only when the statement
  re-exports them — `pub use axum_core::response::{IntoResponse, Response}` (a visibility
  modifier), `export { X } from` (an export statement), any import of a barrel file
  (`__init__.py`, `index.ts`) — so a symbol search can tell the file where a name enters the
  code base (search.rank.definitions) from the hundred files that merely use it. Which
  statements are imports is the language's `imports.scm` (the caller passes their lines) and,
  for forms it does not match, the statement's node type (`_IMPORT_TYPES`).

Module chunks carry no calls: calls at top level stay the module node's (`ParsedFile.module_calls`),
as before, so the graph does not count them twice. They are not graph nodes: the file's module
node is their owner.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from tree_sitter import Node

from mnemo.extract import count_loc
from mnemo.models import MODULE_KIND, Chunk

MODULE_CHUNK_LINES = 40  # lines per file-level chunk, at most
SIGNATURE_MAX_CHARS = 300
_MAX_NAMES = 24  # names listed in one chunk's signature
_NAME_FIELDS = frozenset({"name", "left", "declarator", "key", "pattern", "alias"})
_SKIP_FIELDS = frozenset({"body", "parameters", "arguments", "type", "return_type", "condition", "path"})
_OPAQUE = ("comment", "string", "template", "regex")  # nothing named inside: not walked
_WALK_DEPTH = 5
_WALK_NODES = 400  # nodes visited per statement, at most (a 5,000-line config object stays cheap)
_MAX_NAME_CHARS = 80
_NAME_LISTS = frozenset({"use_list"})  # Rust `{A, B}`: the bare identifiers in it are names (no field)
_PUBLIC_MARKERS = frozenset({"visibility_modifier"})  # a child that makes an import a re-export (`pub use`)
_BARREL_FILES = frozenset({"__init__.py", "index.ts", "index.tsx", "index.js", "index.mjs"})
# Import statements by node type, for the forms a language's imports.scm does not match
# (`use a::{b::C, d::{E, F}}`): Rust, Python, ECMAScript, Java, Go, Swift, Scala, C#, Kotlin, PHP, Haskell.
_IMPORT_TYPES = frozenset({
    "use_declaration", "import_statement", "import_from_statement", "future_import_statement",
    "import_declaration", "using_directive", "import_header", "import_list", "namespace_use_declaration", "import",
})


@dataclass
class _Group:
    start: int  # 1-based, inclusive
    end: int
    nodes: list[Node] = field(default_factory=list)


def module_chunks(
    root: Node,
    source: bytes,
    covered: Sequence[tuple[int, int]],
    file_name: str,
    max_lines: int = MODULE_CHUNK_LINES,
    import_lines: frozenset[int] | set[int] = frozenset(),
) -> list[Chunk]:
    """File-level chunks for the lines of `root`'s children outside the `covered` line spans.

    `covered`: 1-based inclusive line spans of the definition chunks kept for this file.
    `import_lines`: 1-based first lines of the file's import statements (their names are listed
    only when the statement re-exports them).
    """
    barrel = file_name in _BARREL_FILES
    spans = _merge(covered)
    starts = [start for start, _ in spans]
    lines = source.split(b"\n")

    groups: list[_Group] = []
    for node in root.children:
        first, last = node.start_point.row + 1, _end_line(node)
        for start, end in _subtract(first, last, spans, starts):
            start, end = _trim(lines, start, end)
            if start > end:
                continue
            current = groups[-1] if groups else None
            if (
                current is not None
                and not _covered_between(current.end, start, spans, starts)
                and end - current.start < max_lines
            ):
                current.end = max(current.end, end)
                if current.nodes[-1] is not node:
                    current.nodes.append(node)
            else:
                groups.append(_Group(start, end, [node]))

    chunks: list[Chunk] = []
    for group in groups:
        signature = _signature([n for n in group.nodes if barrel or _lists_names(n, import_lines)])
        for start in range(group.start, group.end + 1, max_lines):
            end = min(group.end, start + max_lines - 1)
            start, end = _trim(lines, start, end)
            if start > end:
                continue
            text = b"\n".join(lines[start - 1 : end]).decode("utf-8", errors="replace")
            chunks.append(
                Chunk(
                    kind=MODULE_KIND,
                    name=file_name,
                    qualified_name=file_name,
                    start_line=start,
                    end_line=end,
                    source=text,
                    signature=signature,
                    loc=count_loc(text),
                )
            )
    return chunks


def defined_names(node: Node) -> list[str]:
    """Names a top-level statement defines, in order, without repeats (bounded walk)."""
    found: dict[str, None] = {}
    stack: list[tuple[Node, int]] = [(node, 0)]
    visited = 0
    while stack and visited < _WALK_NODES:
        current, depth = stack.pop()
        visited += 1
        children = current.children
        pending = []
        for index, child in enumerate(children):
            if not child.is_named or child.is_extra:
                continue
            field_name = current.field_name_for_child(index)
            if field_name in _NAME_FIELDS and _is_name(child):
                found.setdefault(_text(child), None)
            elif child.type == "shorthand_property_identifier":
                found.setdefault(_text(child), None)
            elif current.type in _NAME_LISTS and field_name is None and child.type in ("identifier", "type_identifier"):
                found.setdefault(_text(child), None)
            elif field_name not in _SKIP_FIELDS and depth < _WALK_DEPTH and not _opaque(child):
                pending.append((child, depth + 1))
        stack.extend(reversed(pending))
    return [name for name in found if name and len(name) <= _MAX_NAME_CHARS]


def _signature(nodes: Sequence[Node]) -> str:
    names: dict[str, None] = {}
    for node in nodes:
        for name in defined_names(node):
            names.setdefault(name, None)
            if len(names) >= _MAX_NAMES:
                break
    return ", ".join(names)[:SIGNATURE_MAX_CHARS]


def _lists_names(node: Node, import_lines: frozenset[int] | set[int]) -> bool:
    """False for an import statement that does not re-export what it imports."""
    if node.start_point.row + 1 not in import_lines and node.type not in _IMPORT_TYPES:
        return True
    return node.type.startswith("export") or any(child.type in _PUBLIC_MARKERS for child in node.children)


def _is_name(node: Node) -> bool:
    """An identifier, or a short member chain such as `module.exports` / `app.locals`."""
    kind = node.type
    if "identifier" in kind or kind in ("constant", "word", "name"):
        return True
    if kind in ("member_expression", "attribute", "field_expression", "scoped_identifier", "dotted_name"):
        value = node.text or b""
        return len(value) <= _MAX_NAME_CHARS and not any(c in value for c in b" \t\n([{'\"`")
    return False


def _opaque(node: Node) -> bool:
    kind = node.type
    return any(part in kind for part in _OPAQUE)


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8", errors="replace")


def _end_line(node: Node) -> int:
    """1-based last line; a node ending at column 0 ends on the line before."""
    row, column = node.end_point
    return row + (1 if column > 0 or row == node.start_point.row else 0)


def _merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(
    first: int, last: int, spans: list[tuple[int, int]], starts: list[int]
) -> list[tuple[int, int]]:
    """The sub-ranges of [first, last] that no span covers."""
    pieces = []
    index = max(0, bisect.bisect_right(starts, first) - 1)
    cursor = first
    while cursor <= last:
        while index < len(spans) and spans[index][1] < cursor:
            index += 1
        if index >= len(spans) or spans[index][0] > last:
            pieces.append((cursor, last))
            break
        start, end = spans[index]
        if start > cursor:
            pieces.append((cursor, start - 1))
        cursor = max(cursor, end + 1)
    return pieces


def _covered_between(after: int, before: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether a span covers any line strictly between `after` and `before`."""
    if before - after <= 1:
        return False
    index = bisect.bisect_right(starts, before - 1) - 1
    return index >= 0 and spans[index][1] > after


def _trim(lines: list[bytes], start: int, end: int) -> tuple[int, int]:
    """[start, end] without blank lines at either edge (start > end when all are blank)."""
    while start <= end and not lines[start - 1].strip():
        start += 1
    while end >= start and not lines[end - 1].strip():
        end -= 1
    return start, end
