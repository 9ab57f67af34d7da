"""File diversity: after `max_per_file` results from one file, each further one from it has its
score multiplied by `file_decay` once per extra result (picked greedily, best first), so a
strong second chunk of a file can still beat a weak other file but ten chunks of one file
cannot crowd the top 10 (the default, one per file, rank.settings). Off when max_per_file is 0."""

from __future__ import annotations

from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if settings.max_per_file <= 0 or len(candidates) < 2:
        return candidates
    pending = list(candidates)  # already best first
    chosen: list[Candidate] = []
    per_file: dict[tuple[int, str], int] = {}
    while pending:
        def effective(c: Candidate) -> float:
            excess = per_file.get((c.repository_id, c.path), 0) - settings.max_per_file + 1
            return c.score * (settings.file_decay ** excess if excess > 0 else 1.0)

        pick = max(pending[: 4 * settings.max_per_file + 8], key=lambda c: (c.tier, c.pinned, effective(c), -c.order))
        i = pending.index(pick)
        factor = effective(pick) / pick.score if pick.score else 1.0
        if factor != 1.0:
            pick.scale("diversity", factor)
        pending.pop(i)
        chosen.append(pick)
        key = (pick.repository_id, pick.path)
        per_file[key] = per_file.get(key, 0) + 1
    return chosen
