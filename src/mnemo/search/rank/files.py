"""File evidence: a file in which several candidates match is more likely the place asked for,
so its chunks are lifted by the others' evidence: factor 1 + weight · min(1, Σ others' scores /
own score). The best chunk of a well-matching file gains most relative to lone matches elsewhere.
"""

from __future__ import annotations

from collections import defaultdict

from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if not settings.file_evidence:
        return candidates
    total: dict[tuple[int, str], float] = defaultdict(float)
    for c in candidates:
        total[(c.repository_id, c.path)] += c.score
    for c in candidates:
        others = total[(c.repository_id, c.path)] - c.score
        if others > 0 and c.score > 0:
            c.scale("file_evidence", 1.0 + settings.file_evidence * min(1.0, others / c.score))
    return candidates
