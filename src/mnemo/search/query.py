"""Query analysis: pure functions from the user's text to what the lexical search asks for.

Nothing here touches the database, so it is tested on its own. The identifier splitting mirrors
the SQL function `mnemo_code_words` (migration 0003) that builds each chunk's document: a
query word must become the same lexemes the document holds, or it would never match.

Two kinds of query behave differently:
- an *identifier* query (`parseConfig`, `user_id`, `QuerySet.filter`, `save()`) asks for a
  definition by name: every token counts, exact and fuzzy name matches weigh most;
- a *words* query ("retry a request with backoff") asks by meaning: English filler words are
  dropped, the remaining terms are OR-ed and ranked, and the vector side matters more.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 10_000
"""Longer input is cut here: nobody types more, and the work below is linear in it."""
MAX_TERMS = 32
"""At most this many query terms reach SQL: a 10 kB paste must not become a 2,000-term query."""
MAX_IDENTIFIER_CHARS = 200

# English function words that say nothing about code. Deliberately small: words that are also
# common identifiers or keywords with meaning in code (get, set, is, not, none, new, return)
# are kept; those that are too common in a given index are dropped by document frequency.
STOPWORDS = frozenset(
    """a an the of to in on at by for from with without into onto over under about as and or nor
    but so than then that this these those it its it's be been being is are was were am do does
    did done doing has have had having i me my we our you your he she they them their there here
    which who whom whose what when where why how all any each every some such only own same very
    can could should would may might must shall will just also too if else whether via using use
    used uses given e g eg ie etc one""".split()
)

_WORD_RE = re.compile(r"[^\W_]+")  # a run of letters and digits: what the document's parser sees
_TOKEN_RE = re.compile(r"\w+")  # letters, digits and underscores: one identifier
_IDENTIFIER_QUERY_RE = re.compile(r"^[\w$@#]+(?:(?:\.|::|->|#|/)[\w$@#]+)*(?:\(\s*\))?$")
_CAMEL_RES = (
    re.compile(r"([a-z0-9])([A-Z])"),  # parseConfig → parse Config
    re.compile(r"([A-Z])([A-Z][a-z])"),  # HTTPServer → HTTP Server
    re.compile(r"([^\W\d_])(\d)"),  # utf8 → utf 8
    re.compile(r"(\d)([^\W\d_])"),  # 2d → 2 d
)


def clean(text: str) -> str:
    """The query as searched: NUL and other control characters removed (PostgreSQL text cannot
    hold NUL), whitespace collapsed, cut at MAX_QUERY_CHARS."""
    text = text[: MAX_QUERY_CHARS * 2]
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    return " ".join(text.split())[:MAX_QUERY_CHARS]


def split_identifier(word: str) -> list[str]:
    """The parts of one identifier: `parseConfig` → [parse, Config], `HTTPServer2` →
    [HTTP, Server, 2], `user_id` → [user, id]; a word without boundaries → [word]."""
    parts: list[str] = []
    for piece in _WORD_RE.findall(word):
        for rx in _CAMEL_RES:
            piece = _unicode_camel(rx, piece)
        parts.extend(piece.split())
    return parts


def _unicode_camel(rx: re.Pattern[str], piece: str) -> str:
    # The ASCII patterns above cover code; non-ASCII letters get the same lower→Upper rule.
    piece = rx.sub(r"\1 \2", piece)
    if not piece.isascii():
        out = []
        for i, ch in enumerate(piece):
            if i and ch.isupper() and piece[i - 1].islower() and not (ch.isascii() and piece[i - 1].isascii()):
                out.append(" ")
            out.append(ch)
        piece = "".join(out)
    return piece


def code_words(text: str) -> str:
    """Python mirror of SQL `mnemo_code_words`: words, then each word with boundaries split."""
    words = _WORD_RE.findall(text)
    extra = [p for w in words if len(parts := split_identifier(w)) > 1 for p in parts]
    return " ".join(words + extra)


def looks_like_identifier(text: str) -> bool:
    """True for `parseConfig`, `user_id`, `QuerySet.filter`, `Foo::bar`, `save()`: one token,
    no spaces. Single plain words (`retry`) count too: they are as likely a name as a word."""
    text = text.strip()
    return bool(text) and len(text) <= MAX_IDENTIFIER_CHARS and bool(_IDENTIFIER_QUERY_RE.match(text))


@dataclass(frozen=True)
class Term:
    """One query token and the lexemes that stand for it in a document.

    `alternatives` are OR-ed: the whole word (`parseconfig`) or its parts as a phrase
    (`parse <-> config`). A snake_case token has no whole-word lexeme (the document splits on
    `_`), only the phrase.
    """

    text: str
    whole: str | None  # lower-cased whole word, when the document can hold it as one lexeme
    parts: tuple[str, ...]  # lower-cased parts, len > 1 when the token has boundaries

    def tsquery(self) -> str:
        """This term in to_tsquery syntax. Lexemes are letters and digits only, each quoted, so
        no user character can reach tsquery syntax (the string itself is a bound parameter)."""
        options = []
        if self.whole:
            options.append(_quote(self.whole))
        if len(self.parts) > 1:
            options.append("(" + " <-> ".join(_quote(p) for p in self.parts) + ")")
        return options[0] if len(options) == 1 else "(" + " | ".join(options) + ")"

    @property
    def lexemes(self) -> tuple[str, ...]:
        """Every lexeme this term may match, for document-frequency look-ups and snippets."""
        out = [self.whole] if self.whole else []
        out.extend(p for p in self.parts if p not in out)
        return tuple(out)


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("'", "''").replace("\\", "\\\\") + "'"


@dataclass(frozen=True)
class QueryPlan:
    """Everything the search needs to know about a query's text."""

    text: str  # cleaned text, what is embedded
    identifier: str | None  # the identifier to match names against, for identifier queries
    terms: tuple[Term, ...] = field(default_factory=tuple)

    @property
    def is_identifier(self) -> bool:
        return self.identifier is not None

    def highlight_words(self) -> frozenset[str]:
        """Lower-cased words a snippet should mark."""
        return frozenset(lex for t in self.terms for lex in t.lexemes if len(lex) > 1 or lex.isdigit())


def analyse(text: str) -> QueryPlan:
    """Turn the user's text into a QueryPlan."""
    cleaned = clean(text)
    identifier: str | None = None
    if looks_like_identifier(cleaned):
        identifier = re.sub(r"\(\s*\)$", "", cleaned)
    terms: list[Term] = []
    seen: set[tuple[str | None, tuple[str, ...]]] = set()
    for token in _TOKEN_RE.findall(cleaned):
        parts = tuple(p.lower() for p in split_identifier(token))
        if not parts:
            continue  # only underscores
        whole = token.lower() if "_" not in token.strip("_") else None
        whole = whole.strip("_") if whole else whole
        if whole is not None and len(parts) == 1:
            whole, parts = parts[0], (parts[0],)
        if identifier is None and len(parts) == 1 and parts[0] in STOPWORDS:
            continue
        key = (whole, parts)
        if key in seen:
            continue
        seen.add(key)
        terms.append(Term(text=token, whole=whole, parts=parts))
        if len(terms) >= MAX_TERMS:
            break
    return QueryPlan(text=cleaned, identifier=identifier, terms=tuple(terms))
