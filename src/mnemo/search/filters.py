"""Search filters and the SQL they become.

Every value reaches SQL as a bound parameter; only fixed SQL text is composed here. Path globs
are translated to an anchored POSIX regular expression (`~`), so `*`, `?`, `**` and `[...]`
keep their glob meaning and every other character, including regex metacharacters, is literal.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from psycopg import sql

from mnemo.config import ConfigError
from mnemo.models import KINDS


class InvalidFilter(ConfigError):
    """A filter value that cannot match anything by construction (unknown kind, bad glob)."""


@dataclass(frozen=True)
class Filters:
    """What narrows a search. Empty tuples mean "no restriction"."""

    repository_ids: tuple[int, ...] = ()
    languages: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    path_regex: str | None = None

    def where(self, alias: str = "c") -> tuple[sql.Composed, list[object]]:
        """`AND …` conditions over the chunks table aliased `alias`, and their parameters."""
        col = lambda name: sql.SQL("{}.{}").format(sql.Identifier(alias), sql.Identifier(name))  # noqa: E731
        parts: list[sql.Composable] = []
        params: list[object] = []
        if self.repository_ids:
            parts.append(sql.SQL(" AND {} = ANY(%s)").format(col("repository_id")))
            params.append(list(self.repository_ids))
        if self.languages:
            parts.append(sql.SQL(" AND {} = ANY(%s)").format(col("language")))
            params.append(list(self.languages))
        if self.kinds:
            parts.append(sql.SQL(" AND {} = ANY(%s)").format(col("kind")))
            params.append(list(self.kinds))
        if self.path_regex is not None:
            parts.append(sql.SQL(" AND {} ~ %s").format(col("path")))
            params.append(self.path_regex)
        return sql.Composed(parts), params

    @property
    def narrows_chunks(self) -> bool:
        """True when a filter beyond the repository applies (the vector search then scans
        the HNSW graph iteratively, because most nearest neighbours may be filtered out)."""
        return bool(self.languages or self.kinds or self.path_regex)


def normalise_values(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """None, "a", "a,b" or ["a", "b,c"] → ("a", "b", "c") without blanks or duplicates."""
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    out: list[str] = []
    for item in items:
        for part in str(item).split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return tuple(out)


def check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    """Lower-cased kinds; an unknown kind is an error rather than an empty result."""
    out = tuple(k.lower() for k in kinds)
    unknown = [k for k in out if k not in KINDS]
    if unknown:
        raise InvalidFilter(f"unknown kind {unknown[0]!r}; choose from {', '.join(KINDS)}")
    return out


def glob_to_regex(pattern: str) -> str:
    """Translate a path glob into an anchored POSIX regex over POSIX paths relative to the root.

    - `*` matches within one path segment, `**` across segments (`**/` also matches nothing),
      `?` one character, `[abc]` / `[!abc]` a character class;
    - a pattern without `/` matches the file name at any depth (`*.py`, `test_*`), like
      .gitignore;
    - a pattern also matches everything below a directory it names (`src/api` ⊇ `src/api/x.py`);
    - a leading `./` or `/` anchors at the root and is dropped.
    """
    pat = pattern.strip().replace("\\", "/")
    if not pat:
        raise InvalidFilter("empty path pattern")
    anchored = pat.startswith("/") or pat.startswith("./")
    pat = pat.lstrip("/") if pat.startswith("/") else pat[2:] if pat.startswith("./") else pat
    pat = pat.rstrip("/")
    if not pat:
        return ".*"
    body = _translate(pat)
    prefix = "^" if anchored or "/" in pat else "^(?:.*/)?"
    return f"{prefix}{body}(?:/.*)?$"


def _translate(pat: str) -> str:
    out: list[str] = []
    i, n = 0, len(pat)
    while i < n:
        ch = pat[i]
        if ch == "*":
            if pat.startswith("**", i):
                i += 2
                if i < n and pat[i] == "/":
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[":
            end = pat.find("]", i + 2 if i + 1 < n and pat[i + 1] in "!^" else i + 1)
            if end == -1:
                out.append(re.escape(ch))
            else:
                inner = pat[i + 1 : end]
                negate = inner[:1] in ("!", "^")
                if negate:
                    inner = inner[1:]
                inner = "".join("\\" + c if c in "\\]^[" else c for c in inner)
                out.append(f"[{'^' if negate else ''}{inner}]")
                i = end + 1
                continue
        else:
            out.append(_escape(ch))
        i += 1
    return "".join(out)


def _escape(ch: str) -> str:
    # POSIX ARE metacharacters; everything else (including non-ASCII) is literal as is.
    return "\\" + ch if ch in ".^$|()[]{}*+?\\" else ch
