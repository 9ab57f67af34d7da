"""One result per place: a chunk that lies inside a better-ranked result (a method under its
class, a piece of a module chunk) adds nothing a reader would not see there, so it is dropped;
two chunks with the same span show once; a definition split into parts is represented once, by
its head part (which carries the name, signature and docstring), at the best rank any part
reached. The head's own row is supplied by the caller (`heads`); without it the best part stays.
"""

from __future__ import annotations

from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings


def split_key(c: Candidate) -> tuple[int, str, str, str]:
    return (c.repository_id, c.path, c.kind, c.qualified_name)


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings,
          heads: dict[tuple[int, str, str, str], Candidate] | None = None) -> list[Candidate]:
    kept: list[Candidate] = []
    seen_splits: set[tuple[int, str, str, str]] = set()
    spans: set[tuple[int, str, int, int]] = set()
    for c in candidates:
        if c.parts > 1:
            key = split_key(c)
            if key in seen_splits:
                c.contributions["split_part"] = 0.0
                continue
            seen_splits.add(key)
            if settings.split_head and c.part != 1 and heads and key in heads:
                head = heads[key]
                head.score, head.order, head.pinned = c.score, c.order, c.pinned
                head.tier = c.tier + settings.tier_head if c.tier else 0.0
                head.contributions = {**c.contributions, "split_head": 1.0}
                c = head
        span = (c.repository_id, c.path, c.start_line, c.end_line)
        if span in spans:
            continue
        if settings.drop_contained and any(k.contains(c) for k in kept):
            c.contributions["contained"] = 0.0
            continue
        spans.add(span)
        kept.append(c)
    return kept
