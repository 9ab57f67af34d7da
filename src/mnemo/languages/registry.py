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
QUERY_NAMES = ("definitions", "calls", "imports", "exports", "public", "complexity")

_INHERITS = "; inherits:"


@dataclass(frozen=True)
class LanguageSpec:
    """One registry entry: how to recognise a file of this language and load its grammar."""

    key: str
    extensions: tuple[str, ...]
    grammar_module: str  # the pip package exposing the grammar, e.g. "tree_sitter_python"; "" = none
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
    LanguageSpec("c", (".c",), "tree_sitter_c"),
    # `.h` is read as C++: the C++ grammar parses C headers too, the C grammar fails on C++ ones.
    LanguageSpec("cpp", (".cc", ".cpp", ".cxx", ".c++", ".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp"), "tree_sitter_cpp"),
    LanguageSpec("csharp", (".cs",), "tree_sitter_c_sharp"),
    LanguageSpec("ruby", (".rb", ".rake", ".gemspec"), "tree_sitter_ruby"),
    # language_php parses files that mix HTML and `<?php` blocks (the usual .php file).
    LanguageSpec("php", (".php",), "tree_sitter_php", "language_php"),
    LanguageSpec("kotlin", (".kt", ".kts"), "tree_sitter_kotlin"),
    LanguageSpec("swift", (".swift",), "tree_sitter_swift"),
    LanguageSpec("scala", (".scala", ".sc"), "tree_sitter_scala"),
    LanguageSpec("lua", (".lua",), "tree_sitter_lua"),
    LanguageSpec("bash", (".sh", ".bash"), "tree_sitter_bash"),
    LanguageSpec("elixir", (".ex", ".exs"), "tree_sitter_elixir"),
    LanguageSpec("haskell", (".hs",), "tree_sitter_haskell"),
    LanguageSpec("zig", (".zig",), "tree_sitter_zig"),
)

# Source code without a bundled grammar: indexed as line windows (mnemo.line_windows), so
# lexical and vector search still reach it, with no definitions, calls or imports. Only
# programming languages count; data, markup and config files (.json, .yaml, .md) are not indexed.
LINE_WINDOW_LANGUAGES: tuple[LanguageSpec, ...] = tuple(
    LanguageSpec(key, extensions, grammar_module="")
    for key, extensions in (
        ("objc", (".m", ".mm")),
        ("perl", (".pl", ".pm")),
        ("r", (".r",)),
        ("julia", (".jl",)),
        ("dart", (".dart",)),
        ("clojure", (".clj", ".cljs", ".cljc")),
        ("erlang", (".erl", ".hrl")),
        ("ocaml", (".ml", ".mli")),
        ("fsharp", (".fs", ".fsi", ".fsx")),
        ("groovy", (".groovy", ".gradle")),
        ("powershell", (".ps1", ".psm1")),
        ("visualbasic", (".vb",)),
        ("nim", (".nim",)),
        ("crystal", (".cr",)),
        ("elm", (".elm",)),
        ("solidity", (".sol",)),
        ("vue", (".vue",)),
        ("svelte", (".svelte",)),
        ("zsh", (".zsh",)),
        ("bats", (".bats",)),
        ("literate-haskell", (".lhs",)),
        ("fortran", (".f90", ".f95", ".f03")),
        ("tcl", (".tcl",)),
    )
)

_BY_KEY: dict[str, LanguageSpec] = {spec.key: spec for spec in (*LANGUAGES, *LINE_WINDOW_LANGUAGES)}
_BY_EXTENSION: dict[str, str] = {
    ext: spec.key for spec in (*LANGUAGES, *LINE_WINDOW_LANGUAGES) for ext in spec.extensions
}


@dataclass(frozen=True)
class Grammar:
    """A loaded language: the tree-sitter Language and its compiled queries (None = no file)."""

    key: str
    language: Language
    queries: dict[str, Query | None]

    def query(self, name: str) -> Query | None:
        return self.queries[name]


def supported_languages() -> list[str]:
    """Keys of the languages with a grammar, in registry order."""
    return [spec.key for spec in LANGUAGES]


def line_window_languages() -> list[str]:
    """Keys of the source languages indexed as line windows (no grammar), in registry order."""
    return [spec.key for spec in LINE_WINDOW_LANGUAGES]


def has_grammar(key: str) -> bool:
    """Whether the language is parsed with tree-sitter (False: line windows). KeyError if unknown."""
    return bool(spec_for(key).grammar_module)


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
    if not spec.grammar_module:
        raise KeyError(f"language {key!r} has no grammar; it is indexed as line windows")
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
