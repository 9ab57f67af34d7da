"""Boosts for a definition whose own name, or whose file's name, says what the query says:
`RetryPolicy.backoff` for "retry backoff", `router.go` for "how does the router match routes".
The factor is 1 + weight · (share of the query's words found in the name / in the file path's
last two segments); identifier parts count (`parseConfig` holds `parse` and `config`).
"""

from __future__ import annotations

from mnemo.search.query import code_words
from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings


def _words(text: str) -> set[str]:
    return {w.lower() for w in code_words(text).split()}


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if not intent.words or (settings.name_boost == 0 and settings.path_boost == 0):
        return candidates
    n = len(intent.words)
    for c in candidates:
        if settings.name_boost:
            share = len(intent.words & _words(c.qualified_name or c.name)) / n
            if share:
                c.scale("name_boost", 1.0 + settings.name_boost * share)
        if settings.path_boost:
            tail = "/".join(c.path.split("/")[-2:])
            share = len(intent.words & _words(tail)) / n
            if share:
                c.scale("path_boost", 1.0 + settings.path_boost * share)
    return candidates
