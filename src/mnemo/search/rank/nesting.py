"""Shallow files first for queries in words: among candidates that match about as well, the file
nearer the top of the tree is more often the home of the concept asked about — the entry point
of a package or subsystem sits above the helpers it is split into (`rails/command.rb` above
`rails/commands/routes/routes_command.rb`, `Illuminate/Queue/QueueManager.php` above
`Queue/Connectors/DatabaseConnector.php`, `Text/Pandoc/Readers.hs` above its readers).

Each directory level below the shallowest of the best `depth_prior_top` candidates multiplies a
candidate's score by `depth_prior`, for at most `depth_prior_cap` levels. Depth is counted
relative to the candidates of the same repository, not the tree, so a repository whose code all
lives deep (`ktor-client/ktor-client-core/common/src/io/ktor/...`) is not penalised as a whole,
nor a `src/` layout searched together with a flat one. An older versioned copy (rank.penalties,
zod's `v3/types.ts` beside `v4/core/schemas.ts`) does not count as the shallowest: with it, every
current file was a level too deep (zod 0.671 -> 0.693, TypeScript 0.711 -> 0.722, the split's mean
unchanged: only zod has versioned copies).
Symbol queries are left alone: their definition tiers (rank.definitions) already prefer the
least nested name. Semble dev split, after the diversity fix: hybrid 0.857 -> 0.863 with
file_evidence_top 40 (0.9 per level, two levels; 0.85 and three levels the same within 0.001).
"""

from __future__ import annotations

from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings


def level(path: str) -> int:
    """How many directories deep a repository-relative path is (`a/b/c.py` → 2)."""
    return path.count("/")


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if settings.depth_prior == 1.0 or intent.is_symbol or not candidates:
        return candidates
    # Per repository: trees differ in layout (`src/util/x.ts` beside a flat `net/retry.py`).
    shallowest: dict[int, int] = {}
    for c in sorted(candidates, key=lambda c: -c.score)[: max(settings.depth_prior_top, 1)]:
        if "old_version_penalty" in c.contributions:
            continue  # an older copy (`v3/types.ts`) does not set the depth the current code is held to
        shallowest[c.repository_id] = min(shallowest.get(c.repository_id, level(c.path)), level(c.path))
    for c in candidates:
        extra = min(max(level(c.path) - shallowest.get(c.repository_id, level(c.path)), 0), settings.depth_prior_cap)
        if extra:
            c.scale("depth_prior", settings.depth_prior ** extra)
    return candidates
