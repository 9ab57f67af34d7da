"""Definitions first for a symbol query: `Semaphore`, `Sinatra::Helpers`, `parse_config`.

The exact-name SQL (search.lexical) pins every chunk whose name equals the query ignoring case,
and the text scores then order them — so `fn serialize` in a file of hundreds of impls, or a
`router` helper in a task module, could sit above `trait Serialize` / `defmodule Phoenix.Router`.
A reader typing an identifier wants its definition: this rule gives each candidate a *tier*
(sorted before the score, search.rank) from how well its name matches:

- 3: the last segment of the name is the query's last segment, same case (`Phoenix.Router` for
  `Router`: module names are dotted in Elixir, Ruby, Scala), and for a qualified query
  (`Rails::Engine`, `QuerySet.filter`) the qualified name ends with its segments;
- 2.75: the same behind a `$` sigil (`$ZodType` for `ZodType`: JavaScript's "core" spelling);
- 2.5: a member of a definition so named (`Plug.Conn.halt` for `Conn`);
- 2: the same ignoring case; and a file-level chunk that lists the name (same case) among what
  it defines or re-exports (`pub use axum_core::response::IntoResponse`, `export { X } from`,
  `MAX_RETRIES = 3`): where the name enters this code base when no definition here has it;
- 1: the same ignoring case and `_`/`-` (`parse_config` ~ `parseConfig`);
- a qualified query whose qualifier does not match: one tier less.

Within a tier, fractions order the matches: the file named after the symbol (`semaphore.rs`,
`SqlMapper.cs`, not `SqlMapper.Async.cs`), a type-like definition for a capitalised query
(`interface Flow` before `fun flow`), the head part of a split definition, a type before its
constructor (`SqlMapper` before `SqlMapper.SqlMapper`, which still beats namesakes in files not
named after it: `JToken.cs`'s constructor before `JToken.Async.cs`'s class when the class has
no chunk of its own), the primary template before its specialisations (`formatter` before
`formatter<std::tm>`); tests, examples and
vendored copies drop a tier unless the query asks for them, an older versioned copy
(rank.penalties) `tier_old_version`; the least nested name and path win what is left.
"""

from __future__ import annotations

import re

from mnemo.models import MODULE_KIND
from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.penalties import is_example_path, is_test_path, is_vendor_path
from mnemo.search.rank.settings import RankSettings

_SEPARATORS = re.compile(r"\.|::|->|#|/|\\")
TYPE_KINDS = frozenset({"class", "interface", "struct", "trait", "enum", "type", "module", "protocol", "object",
                        "record", "union", "typedef", "namespace", "impl", "extension", "actor"})


def segments(name: str) -> list[str]:
    return [s for s in _SEPARATORS.split(name) if s]


def _loose(text: str) -> str:
    return text.replace("_", "").replace("-", "").replace("$", "").lower()


def _base(name: str) -> str:
    """`formatter<std::tuple<T...>>` → `formatter`, `formatter<R, enable_if_t<X>>.formatter` →
    `formatter.formatter`: template arguments (balanced `<...>`) are left out, so a C++
    specialisation is named after its template and its members after it (`->` stays)."""
    if "<" not in name:
        return name
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(name):
        ch = name[i]
        if ch == "-" and name.startswith("->", i) and depth == 0:
            out.append("->")
            i += 2
            continue
        if ch == "<":
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
        i += 1
    return "".join(out).strip() or name


SIGIL_LEVEL = 2.75
MEMBER_LEVEL = 2.5
LISTED_LEVEL = 2.0


def name_level(candidate: Candidate, query: list[str]) -> float:
    """0–3: how well the candidate's name spells the query's segments (see the module docstring)."""
    if not query:
        return 0
    want = query[-1]
    if candidate.kind == MODULE_KIND:
        # A file-level chunk is named after its file; what it defines is in its listed names.
        if len(query) == 1 and (want in candidate.names or "$" + want in candidate.names):
            return LISTED_LEVEL
        return 0
    own = segments(_base(candidate.name)) or [candidate.name]
    last = own[-1]
    if len(query) == 1 and last != want:
        container = segments(_base(candidate.qualified_name))[:-1]
        if container and container[-1] == want:
            return MEMBER_LEVEL  # a member of the definition asked for
    if last == want:
        level = 3.0
    elif last == "$" + want:
        level = SIGIL_LEVEL
    elif last.lower() == want.lower():
        level = 2
    elif _loose(last) == _loose(want) and _loose(want):
        level = 1
    else:
        return 0
    if len(query) > 1:
        qualified = [s.lower() for s in segments(candidate.qualified_name)]
        if len(own) > 1:
            qualified = qualified or [s.lower() for s in own]
        tail = [s.lower() for s in query]
        if qualified[-len(tail):] != tail:
            level -= 1
    return level


def is_constructor(c: Candidate) -> bool:
    """A method named like the type it is in (`JToken.JToken`, `formatter<T>.formatter`)."""
    if c.kind not in ("method", "function"):
        return False
    names = segments(_base(c.qualified_name))
    return len(names) > 1 and names[-1] == names[-2]


def _stem(path: str) -> str:
    file = path.rsplit("/", 1)[-1]
    return file.rsplit(".", 1)[0] if "." in file else file


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if not settings.definition_tiers or not intent.is_symbol or not intent.identifier:
        return candidates
    query = segments(intent.identifier)
    if not query:
        return candidates
    want = query[-1]
    capitalised = want[:1].isupper()
    for c in candidates:
        level = name_level(c, query)
        if not level:
            continue
        tier = float(level)
        if _loose(_stem(c.path)) == _loose(want):
            tier += settings.tier_file_named
        if capitalised and c.kind in TYPE_KINDS and c.kind != MODULE_KIND:
            tier += settings.tier_type_kind
        if c.part == 1:
            tier += settings.tier_head
        if is_constructor(c):
            tier -= settings.tier_constructor  # `SqlMapper.SqlMapper` just after `class SqlMapper`
        if "<" in c.name and "<" not in want:
            tier -= settings.tier_specialisation  # `formatter<std::tm>` after the primary `formatter`
        # The canonical definition of a bare name is the least nested one: `Ecto.Schema` before
        # `Ecto.Repo.Schema`, `Http/Request.php` before `Http/Client/Request.php`.
        tier -= settings.tier_nesting * min(len(segments(_base(c.qualified_name))) - 1, 5)
        tier -= settings.tier_nesting * 0.2 * min(c.path.count("/"), 10)
        if not intent.wants_tests and (is_test_path(c.path) or is_example_path(c.path) or is_vendor_path(c.path)):
            tier -= 1.0
        if "old_version_penalty" in c.contributions:
            tier -= settings.tier_old_version
        if c.wraps:
            tier -= settings.tier_wrapper  # a layer over a same-named definition elsewhere (rank.wrappers)
        c.tier = max(tier, 0.01)
        c.contributions["definition_tier"] = round(c.tier, 4)
    return candidates
