"""Source bytes → tree-sitter tree, and the syntax errors the parser recovered from.

tree-sitter never fails: it marks what it could not parse with ERROR nodes (unexpected text)
and MISSING nodes (a token it had to invent, e.g. a closing brace). Those are the file's
syntax errors; reporting them lets the indexer reject or partially keep a broken file.
"""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node, Tree

from mnemo.languages.registry import parser_for
from mnemo.models import SyntaxIssue

_SNIPPET_CHARS = 40


def parse_tree(source: bytes, language: str) -> Tree:
    """Parse source with the language's cached parser. Raises KeyError for an unknown language."""
    return parser_for(language).parse(source)


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
