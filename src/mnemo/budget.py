"""A per-file budget for parsing and extraction: one file must never stall a run.

tree-sitter parses in linear time, but extraction walks the tree and takes text of nested
nodes; on pathological nesting (a chain `a.b().b()…` of 64,000 calls, 0.4 MB) that grows
super-quadratically and one file took minutes. Real code nests a few dozen levels deep, so
the budget is structural and deterministic: before extraction, one cursor walk of the tree
(linear, in C-backed steps) stops at the first node deeper than `max_depth` or past
`max_nodes` nodes, and the file fails as "too complex: …" with the line where it happened.
Deterministic matters: the same content fails the same way, so an unchanged bad file is not
retried on every run, and a slow machine never fails a file a fast one accepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Tree

from mnemo.languages.registry import has_grammar
from mnemo.parse import parse_tree

MAX_DEPTH = 1_000  # syntax-tree levels; deepest in rxjs and babylon: well under 100
MAX_NODES = 2_000_000  # a 1 MB file of dense code has ~500,000


@dataclass(frozen=True)
class TooComplex:
    """Why a file is over budget, and where."""

    message: str
    line: int
    column: int


def check_complexity(data: bytes, language: str, *, max_depth: int = MAX_DEPTH,
                     max_nodes: int = MAX_NODES, tree: Tree | None = None) -> TooComplex | None:
    """None when the file's syntax tree is within budget, else where it went over. Languages
    without a grammar are cut into line windows, linear by construction: always within.

    `tree`: the file's tree when the caller already parsed it (the indexer parses each file once
    and hands the same tree to chunking: parsing twice was 7% of a cold run)."""
    if not has_grammar(language):
        return None
    if tree is None:
        tree = parse_tree(data, language)
    cursor = tree.walk()
    depth = nodes = 0
    while True:
        nodes += 1
        if nodes > max_nodes:
            return _at(cursor.node, f"too complex: more than {max_nodes} syntax nodes")
        if cursor.goto_first_child():
            depth += 1
            if depth > max_depth:
                return _at(cursor.node, f"too complex: syntax nested deeper than {max_depth} levels")
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return None
            depth -= 1


def _at(node, message: str) -> TooComplex:
    row, column = node.start_point if node is not None else (0, 0)
    return TooComplex(message, row + 1, column + 1)
