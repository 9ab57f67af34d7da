"""Helpers for indexing fixture trees with the real model into a fresh database."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnemo.embed import load_embedder


@pytest.fixture(scope="session")
def embedder():
    """The real packaged model (all-MiniLM-L6-v2), loaded once for the session."""
    return load_embedder()


def write_tree(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
