"""The generic file before its specialisations, for queries in words: among the best candidates,
a file whose name is contained in another candidate file's name (`Pair.java` in
`ImmutablePair.java`, `InsertStatement.kt` in `BatchInsertStatement.kt`, `Store.php` in
`SessionStore.php`, `Column.kt` in `ColumnType.kt`) names the concept the others refine, and
gains × generic_boost. Words, not characters: `Store` is inside `SessionStore`, `Route` is not
inside `Router`. Only files of the same repository are compared, and only the best `generic_top`
candidates, so a namesake far down the list does not lift a file."""

from __future__ import annotations

from mnemo.search.query import split_identifier
from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings


def stem_words(path: str) -> tuple[str, ...]:
    """The lower-cased words of a file's name without its extension (`BatchInsertStatement.kt` →
    (batch, insert, statement))."""
    name = path.rsplit("/", 1)[-1]
    stem = name.split(".", 1)[0]
    return tuple(w.lower() for w in split_identifier(stem))


def _inside(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """`short` is a run of consecutive words of `long`, and shorter."""
    n = len(short)
    return 0 < n < len(long) and any(long[i:i + n] == short for i in range(len(long) - n + 1))


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if settings.generic_boost == 1.0 or intent.is_symbol or not candidates:
        return candidates
    best = sorted(candidates, key=lambda c: -c.score)[: max(settings.generic_top, 1)]
    files = {(c.repository_id, c.path): stem_words(c.path) for c in best}
    generic: set[tuple[int, str]] = set()
    for key, words in files.items():
        if len(words) and any(k[0] == key[0] and k != key and _inside(words, other) for k, other in files.items()):
            generic.add(key)
    for c in candidates:
        if (c.repository_id, c.path) in generic:
            c.scale("generic_boost", settings.generic_boost)
    return candidates
