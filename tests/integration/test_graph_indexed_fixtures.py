"""Each resolution rule through the real indexer, the real model and PostgreSQL: the fixture
trees are indexed with `index_repository` (which builds the graph at its end) and the stored
edges must match tests/fixtures/graph/cases.py, like the parse-level unit test."""

from __future__ import annotations

import pytest

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store.db import Database
from tests.fixtures.graph.cases import CASES, FIXTURES, Absent, Edge, External


def stored_edges(database: Database, repository: str) -> set[tuple]:
    with database.connect() as conn:
        rows = conn.execute(
            """SELECT CASE WHEN s.kind = 'module' THEN s.path ELSE s.path || ':' || s.qualified_name END,
                      e.type,
                      CASE WHEN d.id IS NULL THEN e.target
                           WHEN d.kind = 'module' THEN d.path ELSE d.path || ':' || d.qualified_name END,
                      d.id IS NOT NULL, e.resolution
               FROM graph_edges e JOIN graph_nodes s ON s.id = e.src LEFT JOIN graph_nodes d ON d.id = e.dst
               JOIN repositories r ON r.id = e.repository_id WHERE r.name = %s""",
            (repository,),
        ).fetchall()
    return set(rows)


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_through_the_indexer(case: str, database: Database, embedder) -> None:
    summary = index_repository(database, FIXTURES / case, IndexOptions(name=case), embedder=embedder)
    assert summary.files_failed == 0 and summary.graph is not None
    found = stored_edges(database, case)
    for item in CASES[case].expect:
        if isinstance(item, Edge):
            assert (item.src, item.type, item.dst, True, item.resolution) in found, item
        elif isinstance(item, External):
            assert (item.src, item.type, item.target, False, item.resolution) in found, item
        elif isinstance(item, Absent):
            assert not any(f[:3] == (item.src, item.type, item.dst) for f in found), item
