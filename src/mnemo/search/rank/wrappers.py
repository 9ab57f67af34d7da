"""Wrappers below what they wrap: a definition that calls, extends or implements a definition
of the same name in another file is a layer over it — zod's `classic/errors.ts` `interface
ZodError extends $ZodError` over `core/errors.ts`, a facade's `Route::get` over `Router::get`,
a method `VitestMocker.resolveMocks` that forwards to `mocker.resolveMocks`. A reader asking for
the concept wants the code that does the work, so the wrapper's score is multiplied by
`wrapper_penalty`, and for a symbol query it drops `tier_wrapper` in the definition tier
(rank.definitions), so `ZodError` finds core's `$ZodError` before the classic layer's `ZodError`.

"Same name" ignores case, `$` and `_` (`ZodError` ~ `$ZodError`, `optional` ~ `_optional`):
JavaScript code marks internal or core spellings with those sigils. The relation comes from the
code graph (search.fetch_wrappers reads it for the candidates: calls, inherits and implements
edges resolved to a definition in another file), so it needs no text of the candidates; without
a graph nothing is marked.

On the semble dev split (replayed, hybrid, static model) with the other rules of this change:
wrapper_penalty 1.0 → 0.6 lifted the mean 0.848 → 0.851 (fastapi's response classes over
starlette's, Laravel's facades, zod; 0.5: 0.850, 0.7: 0.849; calls alone 0.849, inheritance
alone 0.848) and tier_wrapper 0.5 the symbol MRR 0.981 → 0.988 (zod `ZodError`, `ZodType`;
0.3–1.0 the same). Lexical mode leaves it off, so its searches make no graph query.
"""

from __future__ import annotations

from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings

# What search.fetch_wrappers asks PostgreSQL: candidates (by chunk id) whose graph node has a
# calls/inherits/implements edge to a node of another file with the same loose name.
WRAPPERS_SQL = """
SELECT DISTINCT s.chunk_id
FROM graph_nodes s
JOIN graph_edges e ON e.src = s.id AND e.type IN ('calls', 'inherits', 'implements')
JOIN graph_nodes d ON d.id = e.dst
WHERE s.chunk_id = ANY(%s) AND d.file_id <> s.file_id
  AND lower(translate(d.name, '$_', '')) = lower(translate(s.name, '$_', ''))
  AND translate(s.name, '$_', '') <> ''
"""


def loose_name(name: str) -> str:
    """The name as WRAPPERS_SQL compares it: lower case, without `$` and `_`."""
    return name.replace("$", "").replace("_", "").lower()


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if settings.wrapper_penalty == 1.0:
        return candidates
    for c in candidates:
        if c.wraps:
            c.scale("wrapper_penalty", settings.wrapper_penalty)
    return candidates
