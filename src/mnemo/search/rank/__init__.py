"""The code-aware reranker: small rules applied in order over the fused candidates.

Each rule is one module and one idea; each multiplies candidates' scores (or removes
candidates) and records what it did in `Candidate.contributions`, which `--explain` shows.
Order matters and is fixed here: score adjustments first (penalties, boosts, file evidence),
then the places (one result per place, split-definition heads), then file diversity, which
only reorders what is left. A rule is on when its setting says so (rank.settings); each was kept
only because it raised NDCG@10 on the semble dev split (benchmarks/search_semble.py, see the
module docstrings for the figures).
"""

from __future__ import annotations

from collections.abc import Callable

from mnemo.search.rank import boosts, definitions, diversity, files, generic, nesting, penalties, places, wrappers
from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent, classify
from mnemo.search.rank.settings import RankSettings, settings_from

__all__ = ["Candidate", "Intent", "RankSettings", "classify", "rerank", "settings_from"]

Rule = Callable[[list[Candidate], Intent, RankSettings], list[Candidate]]
SCORING_RULES: tuple[Rule, ...] = (
    penalties.apply, wrappers.apply, boosts.apply, files.apply, definitions.apply, nesting.apply, generic.apply,
)


def sort_key(c: Candidate) -> tuple:
    """Best first: the definition tier (symbol queries), then pinned exact names, then the score."""
    return (-c.tier, c.pinned is False, -round(c.score, 12), c.order)


def rerank(
    candidates: list[Candidate], intent: Intent, settings: RankSettings,
    heads: dict[tuple[int, str, str, str], Candidate] | None = None,
) -> list[Candidate]:
    """The candidates, best first, after every enabled rule. `heads`: the head parts of split
    definitions among the candidates (see rank.places)."""
    ranked = list(candidates)
    for rule in SCORING_RULES:
        ranked = rule(ranked, intent, settings)
    ranked.sort(key=sort_key)
    ranked = places.apply(ranked, intent, settings, heads)
    return diversity.apply(ranked, intent, settings)
