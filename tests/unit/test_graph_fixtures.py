"""Each resolution rule on its fixture tree, from parse output to edges (no database).

The same expectations (tests/fixtures/graph/cases.py) are checked through the real indexer and
PostgreSQL in tests/integration/test_graph_indexed_fixtures.py.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

import pytest

from mnemo.chunk import parse_source
from mnemo.graph.modules import load_ts_configs
from mnemo.graph.resolve import resolve_parsed
from mnemo.languages.registry import language_for_path
from tests.fixtures.graph.cases import CASES, FIXTURES, Absent, Edge, External


def parse_tree(root: Path) -> dict:
    files = {}
    for path in sorted(root.rglob("*")):
        language = language_for_path(str(path))
        if path.is_file() and language:
            files[path.relative_to(root).as_posix()] = parse_source(path.read_bytes(), language)
    return files


def edges_of(root: Path) -> set[tuple]:
    """(src, type, dst or target, resolution) in the cases' notation."""
    files = parse_tree(root)
    configs = load_ts_configs(root, {posixpath.dirname(p) for p in files})
    table, edges, _ = resolve_parsed(files, configs)
    names = {m.node: m.path for m in table.modules.values()}
    names.update({d.node: f"{d.path}:{d.qualified_name}" for d in table.definitions.values()})
    return {(names[e.src], e.type, names[e.dst] if e.dst else e.target, e.dst is not None, e.resolution) for e in edges}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_resolution(case: str) -> None:
    found = edges_of(FIXTURES / case)
    for item in CASES[case].expect:
        if isinstance(item, Edge):
            assert (item.src, item.type, item.dst, True, item.resolution) in found, item
        elif isinstance(item, External):
            assert (item.src, item.type, item.target, False, item.resolution) in found, item
        elif isinstance(item, Absent):
            assert not any(f[:3] == (item.src, item.type, item.dst) for f in found), item


def test_every_fixture_tree_has_a_case() -> None:
    trees = {p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert trees == set(CASES)
