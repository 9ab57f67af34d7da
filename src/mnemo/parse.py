"""Source bytes → tree-sitter tree, and the syntax errors the parser recovered from.

tree-sitter never fails: it marks what it could not parse with ERROR nodes (unexpected text)
and MISSING nodes (a token it had to invent, e.g. a closing brace). Those are the file's
syntax errors; reporting them lets the indexer reject or partially keep a broken file.

A few valid constructs are newer than the newest grammar build on PyPI (tree-sitter-typescript
0.23.2, the same grammar tree-sitter-language-pack 0.13.0 bundles): TypeScript 4.7 variance
annotations (`interface I<in out T>`) and `static accessor` fields. They would make the whole
declaration an ERROR, so `parse_tree` blanks those keywords out first (`GRAMMAR_GAPS`): spaces
of the same length, so every byte offset, line and column stays true, and nothing Mnemo reads
(names, bodies, spans) depends on them. Chunk sources are cut from the original bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node, Tree

from mnemo.languages.registry import parser_for
from mnemo.models import SyntaxIssue

_SNIPPET_CHARS = 40

# `<in T>`, `<out T>`, `<in out T, const U>`: a variance modifier before a type parameter name that
# is followed by `,` `>` `=` or `extends` (never valid JavaScript, so no expression is touched).
_VARIANCE = re.compile(rb"(?<=[<,])(\s*)(in\s+out|in|out)(?=\s+[A-Za-z_$][\w$]*\s*(?:[,>=]|extends\b))")
# `static accessor x`, `private accessor y`: the grammar knows `accessor` only as the first modifier.
_ACCESSOR = re.compile(rb"\b(?:static|public|private|protected|override|readonly)\s+(accessor)(?=\s+[#\[\w$])")

_NON_SPACE = re.compile(rb"\S")

# language key → patterns whose last group is blanked before parsing (see the module docstring)
GRAMMAR_GAPS: dict[str, tuple[re.Pattern[bytes], ...]] = {
    "typescript": (_VARIANCE, _ACCESSOR),
    "tsx": (_VARIANCE, _ACCESSOR),
}


def parse_tree(source: bytes, language: str) -> Tree:
    """Parse source with the language's cached parser. Raises KeyError for an unknown language."""
    parser = parser_for(language)
    return parser.parse(fill_grammar_gaps(source, language))


def fill_grammar_gaps(source: bytes, language: str) -> bytes:
    """`source` with the constructs the grammar lacks blanked out, byte for byte (same length)."""
    for pattern in GRAMMAR_GAPS.get(language, ()):
        source = pattern.sub(_blank_last_group, source)
    return source


def _blank_last_group(match: re.Match[bytes]) -> bytes:
    """The match with its last group's non-space bytes turned to spaces (newlines stay)."""
    last = match.lastindex or 0
    offset = match.start()
    start, end = match.start(last) - offset, match.end(last) - offset
    text = match.group(0)
    return text[:start] + _NON_SPACE.sub(b" ", text[start:end]) + text[end:]


def error_nodes(tree: Tree) -> Iterator[Node]:
    """ERROR and MISSING nodes in document order, outermost only.

    Only subtrees flagged `has_error` are visited, so a clean tree costs one check.
    """
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            yield node
        elif node.has_error:
            stack.extend(reversed(node.children))


def syntax_issue(node: Node) -> SyntaxIssue:
    """A readable SyntaxIssue for one ERROR or MISSING node, 1-based line and column."""
    row, column = node.start_point
    return SyntaxIssue(line=row + 1, column=column + 1, message=_message(node))


def syntax_errors(tree: Tree) -> list[SyntaxIssue]:
    """Every syntax error of the tree, in document order."""
    return [syntax_issue(node) for node in error_nodes(tree)]


def first_syntax_error(tree: Tree) -> SyntaxIssue | None:
    """The first syntax error of the tree, or None when it parsed cleanly."""
    node = next(error_nodes(tree), None)
    return syntax_issue(node) if node is not None else None


def _message(node: Node) -> str:
    if node.is_missing:
        return f"syntax error: missing '{node.type}'"
    head = (node.text or b"")[: _SNIPPET_CHARS * 4]  # an ERROR node can span most of a file
    text = head.decode("utf-8", errors="replace").strip()
    if not text:
        return "syntax error: unexpected end of input"
    snippet = " ".join(text.split("\n", 1)[0].split())
    if len(snippet) > _SNIPPET_CHARS:
        snippet = snippet[: _SNIPPET_CHARS - 3] + "..."
    return f"syntax error: unexpected '{snippet}'"
