"""Fixtures for the agent-facing tests: the fixture git repository indexed with the real
pipeline and model into a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents_support import make_repo
from mnemo.pipeline import IndexOptions, index_repository


@pytest.fixture
def agent_repo(database, embedder, tmp_path: Path):
    """(database, root, name): the fixture repository, committed and indexed with its graph."""
    root = make_repo(tmp_path / "greet")
    summary = index_repository(database, root, IndexOptions(name="greet"), embedder=embedder)
    assert summary.files_failed == 0 and summary.graph_error is None
    return database, root, "greet"
