"""Which languages Mnemo understands, and the tree-sitter objects that parse and query them.

A language is data: a registry entry (extensions, grammar package, query folder) plus a folder
of tree-sitter query files under `queries/`. Nothing else in the pipeline knows a language by
name, so adding one means adding an entry here, a query folder and a test.

Grammars, parsers and compiled queries are built once per language and reused for every file:
compiling a query costs far more than running it on a typical file.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePath

from tree_sitter import Language, Parser, Query, QueryError

QUERIES_DIR = Path(__file__).parent / "queries"

# The query files a language folder may hold (each optional; a missing one matches nothing).
QUERY_NAMES = ("definitions", "calls", "imports", "exports", "public", "complexity", "facts")

_INHERITS = "; inherits:"


@dataclass(frozen=True)
class LanguageSpec:
    """One registry entry: how to recognise a file of this language and load its grammar."""

    key: str
    extensions: tuple[str, ...]
    grammar_module: str  # the pip package exposing the grammar, e.g. "tree_sitter_python"
    grammar_function: str = "language"  # the function in that module returning the grammar
    query_folder: str = ""  # folder under queries/; defaults to the key

    @property
    def queries(self) -> str:
        return self.query_folder or self.key


LANGUAGES: tuple[LanguageSpec, ...] = (
    LanguageSpec("typescript", (".ts", ".mts", ".cts"), "tree_sitter_typescript", "language_typescript"),
    LanguageSpec("tsx", (".tsx",), "tree_sitter_typescript", "language_tsx"),
    LanguageSpec("javascript", (".js", ".mjs", ".cjs"), "tree_sitter_javascript"),
    # The javascript grammar parses JSX, so .jsx shares its grammar and queries.
    LanguageSpec("jsx", (".jsx",), "tree_sitter_javascript", query_folder="javascript"),
    LanguageSpec("python", (".py",), "tree_sitter_python"),
    LanguageSpec("go", (".go",), "tree_sitter_go"),
    LanguageSpec("java", (".java",), "tree_sitter_java"),
    LanguageSpec("rust", (".rs",), "tree_sitter_rust"),
)

_BY_KEY: dict[str, LanguageSpec] = {spec.key: spec for spec in LANGUAGES}
_BY_EXTENSION: dict[str, str] = {ext: spec.key for spec in LANGUAGES for ext in spec.extensions}


@dataclass(frozen=True)
class Grammar:
    """A loaded language: the tree-sitter Language and its compiled queries (None = no file)."""

    key: str
    language: Language
    queries: dict[str, Query | None]

    def query(self, name: str) -> Query | None:
        return self.queries[name]


def supported_languages() -> list[str]:
    """Registry keys, in registry order."""
    return [spec.key for spec in LANGUAGES]


def language_for_path(path: str) -> str | None:
    """The language key for a file name or path, by its last extension, or None."""
    return _BY_EXTENSION.get(PurePath(path).suffix.lower())


def spec_for(key: str) -> LanguageSpec:
    """The registry entry for a key; KeyError names the supported keys when it is unknown."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown language {key!r}; supported: {', '.join(_BY_KEY)}") from None


@cache
def load_grammar(key: str) -> Grammar:
    """The Language and compiled queries for a key, built on first use and then cached."""
    spec = spec_for(key)
    module = importlib.import_module(spec.grammar_module)
    language = Language(getattr(module, spec.grammar_function)())
    queries = {name: _compile(language, spec.queries, name) for name in QUERY_NAMES}
    return Grammar(key=key, language=language, queries=queries)


_parsers = threading.local()


def parser_for(key: str) -> Parser:
    """A Parser for the language, one per thread (a Parser is stateful and not thread-safe)."""
    cached: dict[str, Parser] = _parsers.__dict__.setdefault("by_key", {})
    parser = cached.get(key)
    if parser is None:
        parser = cached[key] = Parser(load_grammar(key).language)
    return parser


def _compile(language: Language, folder: str, name: str) -> Query | None:
    text = query_source(folder, name)
    if not text.strip():
        return None
    try:
        return Query(language, text)
    except QueryError as error:  # name the file: the grammar's message only has a row
        raise QueryError(f"queries/{folder}/{name}.scm (with inherited files): {error}") from error


def query_source(folder: str, name: str) -> str:
    """The text of `queries/<folder>/<name>.scm` with its inherited folders' files prepended.

    A file whose first line is `; inherits: a, b` starts with the same-named files of folders
    a and b (recursively), so TypeScript can reuse the patterns it shares with JavaScript.
    """
    path = QUERIES_DIR / folder / f"{name}.scm"
    if not path.is_file():
        return ""
    text = path.read_text(encoding="utf-8")
    first_line = text.split("\n", 1)[0]
    if not first_line.startswith(_INHERITS):
        return text
    parents = [p.strip() for p in first_line[len(_INHERITS) :].split(",") if p.strip()]
    return "\n".join([*(query_source(parent, name) for parent in parents), text])
