"""File diversity: at most `max_per_file` results from one file before any other file's next
result; the extra ones follow, in order, after the rest. Off at 0."""

from __future__ import annotations

from collections import Counter

from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if settings.max_per_file <= 0:
        return candidates
    per_file: Counter[tuple[int, str]] = Counter()
    first, later = [], []
    for c in candidates:
        key = (c.repository_id, c.path)
        per_file[key] += 1
        if per_file[key] <= settings.max_per_file:
            first.append(c)
        else:
            c.contributions["diversity"] = -1.0
            later.append(c)
    return first + later
