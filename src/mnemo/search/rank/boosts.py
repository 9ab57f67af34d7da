"""Boosts for places whose names say what the query says.

- path: a file whose name or directory holds the query's words ("router" → `router.go`,
  "dependency injection" → `dependencies/`) — the file is what a reader names a concept after.
  Additive: + path_boost · best score · share of the query's keywords matched (a keyword matches
  a path part equal to it or sharing a prefix of at least 3 characters with it, for plurals and
  inflections, after a crude stemming), so a strong path match can lift a chunk to the top but needs some text evidence
  to be a candidate at all.
- definition: a chunk that defines a name the query spells as an identifier (`StateManager` in
  "how does StateManager persist state", `bats_pipe`, and — definition_capitalised — a capitalised
  word such as `Deferred` in "Deferred and await for async results") gains + definition_boost ·
  best score (0.5: hybrid 0.823 → 0.832, lexical 0.805 → 0.812 on the semble split, the capitalised
  words 0.005 of it); for symbol
  queries the exact name is already pinned first (search.lexical), this adds the qualified-name
  and case-insensitive matches. A name defined in more than `shared_name_files` files among the
  candidates (Ruby's `module Rack`, reopened in every file of rack) tells them apart less: each
  gets that many files' worth of boost divided among all of them.
Both are relative to the best candidate's score, so they mean the same for RRF and BM25 scales.
"""

from __future__ import annotations

import re

from mnemo.search.query import STOPWORDS, split_identifier
from mnemo.search.rank.candidate import Candidate
from mnemo.search.rank.intent import Intent
from mnemo.search.rank.settings import RankSettings

_CAPITALISED = re.compile(r"\b[A-Z][a-z0-9]{2,}\b")
_EMBEDDED_SYMBOL = re.compile(r"\b(?:[A-Z][a-z]\w*[A-Z]\w*|[a-z]\w*[A-Z]\w+|\w+_\w+)\b")


def _parts(text: str) -> set[str]:
    return {p.lower() for p in split_identifier(text)} | {text.lower()}


def path_parts(path: str) -> set[str]:
    """Words of the file's stem and of its directory's name."""
    segments = path.split("/")
    stem = segments[-1].split(".")[0]
    out = _parts(stem) if stem else set()
    if len(segments) > 1 and segments[-2]:
        out |= _parts(segments[-2])
    return out


def _stem(word: str) -> str:
    """A crude English stem, enough for file names: dependencies → dependency, routes → route,
    handling → handl, parsed → pars."""
    for suffix, repl in (("ies", "y"), ("ing", ""), ("es", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(suffix)] + repl
    return word


def _matches(keyword: str, parts: set[str]) -> bool:
    if keyword in parts:
        return True
    keyword = _stem(keyword)
    for part in parts:
        part = _stem(part)
        short, long = (keyword, part) if len(keyword) <= len(part) else (part, keyword)
        if len(short) >= 3 and long.startswith(short):
            return True
    return False


def keywords(text: str) -> set[str]:
    """The query's words for path matching: 3+ characters, or two letters (`vi` → `vi.ts`, `io`,
    `db`: a two-letter word matches a path part only exactly, see _matches), stop words aside.
    Two-letter words on the semble split: hybrid 0.851 -> 0.852 (vitest "vi mock and spy
    utilities", four up, one down; with digits, `v3`/`v4` in zod, they lost 0.007 there)."""
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", text)
            if (len(w) > 2 or (len(w) == 2 and w.isalpha())) and w.lower() not in STOPWORDS}


def apply(candidates: list[Candidate], intent: Intent, settings: RankSettings) -> list[Candidate]:
    if not candidates:
        return candidates
    best = max(c.score for c in candidates)
    if settings.path_boost and not intent.is_symbol:
        words = {w for w in intent.keywords}
        if words:
            cache: dict[str, float] = {}
            for c in candidates:
                if c.path not in cache:
                    parts = path_parts(c.path)
                    cache[c.path] = sum(1 for w in words if _matches(w, parts)) / len(words)
                if cache[c.path] >= 0.1:
                    c.add("path_boost", settings.path_boost * best * cache[c.path])
    if settings.definition_boost:
        names = {n.lower() for n in intent.symbols}
        if settings.definition_capitalised and not intent.is_symbol:
            names |= {n.lower() for n in intent.capitalised}
        if names:
            words = intent.words
            files_defining: dict[str, set[tuple[int, str]]] = {}
            if settings.shared_name_files:
                for c in candidates:
                    for n in {c.name.lower(), c.qualified_name.lower()} & names:
                        files_defining.setdefault(n, set()).add((c.repository_id, c.path))
            for c in candidates:
                if c.name.lower() in names or c.qualified_name.lower() in names:
                    share = 1.0
                    if settings.shared_name_files:
                        n = c.name.lower() if c.name.lower() in names else c.qualified_name.lower()
                        if len(files_defining[n]) > settings.shared_name_files:
                            share = settings.shared_name_files / len(files_defining[n])
                    c.add("definition_boost", settings.definition_boost * best * share)
                elif settings.member_boost and c.name.lower() in words and _container(c) & names:
                    # "Session load": `Session.load` is more specific than `class Session`, which
                    # would otherwise win and hide the method inside it (rank.places).
                    c.add("definition_boost", settings.member_boost * settings.definition_boost * best)
    return candidates


def _container(c: Candidate) -> set[str]:
    """Lower-cased segments of the qualified name above the candidate's own name."""
    return {p.lower() for p in re.split(r"\.|::|->|#|/", c.qualified_name)[:-1] if p}


def embedded_symbols(text: str, is_symbol: bool) -> frozenset[str]:
    """Identifier-shaped words of a query (all of it for a symbol query, without `()`)."""
    if is_symbol:
        name = re.sub(r"\(\s*\)$", "", text.strip())
        last = re.split(r"\.|::|->|#|/", name)[-1]
        return frozenset({name, last})
    return frozenset(_EMBEDDED_SYMBOL.findall(text))


def capitalised_words(text: str) -> frozenset[str]:
    """Capitalised words of a sentence (`Deferred`, `Job`, `Router`), stop words aside: in a
    question about code they are usually type names."""
    return frozenset(w for w in _CAPITALISED.findall(text) if w.lower() not in STOPWORDS)
