"""What kind of question a query is: it decides which rules apply and how fusion leans.

- symbol: one identifier-like token (`parseConfig`, `QuerySet.filter`, `Foo::bar`) — the answer
  is the definition of that name;
- architecture: "how does X work / how is Y done", "where … handled", "flow", "lifecycle" — the
  answer is a few central places, often the entry point of a file;
- semantic: any other description in words.

The benchmark's categories use the same three names; this guess is made from the text alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mnemo.search.query import QueryPlan

_ARCHITECTURE = re.compile(
    r"^\s*(how\b|where\b|what happens|walk me|explain|overview)|\b(flow|lifecycle|pipeline|architecture|"
    r"work(s)?\s*\??$)",
    re.IGNORECASE,
)
_TESTY = re.compile(r"\b(tests?|testing|spec|specs|mock|mocks|fixtures?|examples?|benchmarks?|demo)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Intent:
    kind: str  # "symbol", "architecture" or "semantic"
    words: frozenset[str]  # the query's lower-cased lexemes (whole words and identifier parts)
    wants_tests: bool  # the query asks for tests/examples: no penalty for them
    keywords: frozenset[str] = frozenset()  # words of 3+ characters or 2 letters, no stop words (path matching)
    symbols: frozenset[str] = frozenset()  # identifier-shaped words (`StateManager`, `parse_config`)
    identifier: str | None = None  # a symbol query's identifier, without `()`
    capitalised: frozenset[str] = frozenset()  # capitalised words of a sentence (`Deferred`, `Job`)

    @property
    def is_symbol(self) -> bool:
        return self.kind == "symbol"


def classify(plan: QueryPlan) -> Intent:
    words = frozenset(lex for t in plan.terms for lex in t.lexemes)
    wants_tests = bool(_TESTY.search(plan.text))
    if plan.is_identifier:
        kind = "symbol"
    elif _ARCHITECTURE.search(plan.text):
        kind = "architecture"
    else:
        kind = "semantic"
    from mnemo.search.rank.boosts import capitalised_words, embedded_symbols, keywords

    return Intent(kind, words, wants_tests, frozenset(keywords(plan.text)),
                  embedded_symbols(plan.text, plan.is_identifier), plan.identifier,
                  capitalised_words(plan.text))
