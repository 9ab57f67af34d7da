"""Multi-row `VALUES` lists: one INSERT statement for a batch of rows.

Why not `executemany`: it sends one statement per row, and the chunks table's BM25 trigger
(migration 0005) is a statement-level trigger, so it ran once per chunk, each run a plan over a
one-row transition table. One statement per file's batch runs it once per batch, and saves a
protocol round per row besides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

_CACHE: dict[tuple[int, int], str] = {}


def placeholders(rows: int, columns: int) -> str:
    """`(%s, …), (%s, …)` for `rows` rows of `columns` values (cached per shape)."""
    key = (rows, columns)
    text = _CACHE.get(key)
    if text is None:
        row = "(" + ", ".join(["%s"] * columns) + ")"
        text = ", ".join([row] * rows)
        if len(_CACHE) < 512:
            _CACHE[key] = text
    return text


def flatten(rows: Iterable[Sequence[Any]]) -> list[Any]:
    """The parameters of a multi-row VALUES list, row after row."""
    return [value for row in rows for value in row]
