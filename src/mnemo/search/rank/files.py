"""File evidence: a file in which several candidates match is more likely the place asked for.
The best chunk of each file gains + file_evidence · best score · (the file's evidence / the
best file's), so a file with much evidence lifts its representative over a lone match elsewhere,
and the other chunks of the file are left as they were.

A file's evidence is the sum of its candidates' scores rescaled to [0, 1] between the weakest
and the strongest candidate, over the best `file_evidence_top` candidates only: reciprocal-rank
scores are flat (rank 50 still scores half of rank 1), and summing them raw counts how many
chunks a file has rather than how well they match.
"""

from __future__ import annotations

from collections import defaultdict

from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if not settings.file_evidence or not candidates:
        return candidates
    ranked = sorted(candidates, key=lambda c: -c.score)
    best, floor = ranked[0].score, ranked[-1].score
    span = best - floor
    if span <= 0:
        return candidates
    total: dict[tuple[int, str], float] = defaultdict(float)
    top: dict[tuple[int, str], Candidate] = {}
    for c in ranked[: settings.symbol_file_evidence_top if intent.is_symbol else settings.file_evidence_top]:
        key = (c.repository_id, c.path)
        total[key] += (c.score - floor) / span
        top.setdefault(key, c)
    most = max(total.values())
    if most <= 0:
        return candidates
    for key, c in top.items():
        c.add("file_evidence", settings.file_evidence * best * total[key] / most)
    return candidates
