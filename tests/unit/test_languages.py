"""The language registry: extensions, grammars, cached queries, query inheritance."""

from __future__ import annotations

import threading

import pytest

from mnemo.chunk import parse_source
from mnemo.languages import (
    LANGUAGES,
    LINE_WINDOW_LANGUAGES,
    has_grammar,
    language_for_path,
    line_window_languages,
    load_grammar,
    parser_for,
    supported_languages,
)
from mnemo.languages.registry import QUERIES_DIR, query_source


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("src/a.ts", "typescript"),
        ("a.mts", "typescript"),
        ("a.cts", "typescript"),
        ("App.tsx", "tsx"),
        ("index.js", "javascript"),
        ("index.mjs", "javascript"),
        ("index.cjs", "javascript"),
        ("Button.jsx", "jsx"),
        ("pkg/mod.py", "python"),
        ("main.go", "go"),
        ("Main.java", "java"),
        ("lib.rs", "rust"),
        ("buffer.c", "c"),
        ("geometry.h", "cpp"),
        ("cache.hpp", "cpp"),
        ("hash.cc", "cpp"),
        ("hash.cxx", "cpp"),
        ("Inventory.cs", "csharp"),
        ("session.rb", "ruby"),
        ("tasks.rake", "ruby"),
        ("Router.php", "php"),
        ("Repository.kt", "kotlin"),
        ("build.gradle.kts", "kotlin"),
        ("Session.swift", "swift"),
        ("Codec.scala", "scala"),
        ("build.sc", "scala"),
        ("router.lua", "lua"),
        ("install.sh", "bash"),
        ("aliases.bash", "bash"),
        ("conn.ex", "elixir"),
        ("conn_test.exs", "elixir"),
        ("Parser.hs", "haskell"),
        ("list.zig", "zig"),
        ("Script.pl", "perl"),
        ("analysis.R", "r"),
        ("widget.dart", "dart"),
        ("helpers.bats", "bats"),
        ("UPPER.TS", "typescript"),
        ("stub.pyi", None),
        ("README.md", None),
        ("config.yaml", None),
        ("data.json", None),
        ("Makefile", None),
        ("archive.ts.bak", None),
    ],
)
def test_language_for_path(path: str, language: str | None) -> None:
    assert language_for_path(path) == language


def test_supported_languages() -> None:
    assert supported_languages() == [
        "typescript", "tsx", "javascript", "jsx", "python", "go", "java", "rust", "c", "cpp", "csharp",
        "ruby", "php", "kotlin", "swift", "scala", "lua", "bash", "elixir", "haskell", "zig",
    ]  # fmt: skip


def test_line_window_languages_have_no_grammar_and_no_extension_twice() -> None:
    windowed = line_window_languages()

    assert {"perl", "objc", "dart", "bats"} <= set(windowed)
    assert not set(windowed) & set(supported_languages())
    assert all(has_grammar(key) for key in supported_languages())
    assert not any(has_grammar(key) for key in windowed)
    extensions = [ext for spec in (*LANGUAGES, *LINE_WINDOW_LANGUAGES) for ext in spec.extensions]
    assert len(extensions) == len(set(extensions))
    with pytest.raises(KeyError, match="no grammar"):
        load_grammar("perl")
    with pytest.raises(KeyError, match="unknown language"):
        has_grammar("cobol")


@pytest.mark.parametrize("language", supported_languages())
def test_every_language_loads_and_its_queries_compile(language: str) -> None:
    grammar = load_grammar(language)

    assert grammar.query("definitions") is not None
    assert grammar.query("calls") is not None
    assert load_grammar(language) is grammar  # compiled once, reused


def test_unknown_language_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="supported"):
        load_grammar("cobol")
    with pytest.raises(KeyError):
        parse_source(b"", "cobol")


def test_parser_is_cached_per_thread() -> None:
    main = parser_for("python")
    assert parser_for("python") is main
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(parser_for("python")))
    thread.start()
    thread.join()
    assert other[0] is not main


def test_query_inheritance_prepends_the_parent_files() -> None:
    ecma = (QUERIES_DIR / "ecma" / "definitions.scm").read_text()
    own = (QUERIES_DIR / "typescript" / "definitions.scm").read_text()

    typescript = query_source("typescript", "definitions")
    assert typescript.startswith(ecma) and typescript.endswith(own)
    assert query_source("tsx", "definitions").startswith(typescript)
    assert query_source("javascript", "no-such-query") == ""


def test_jsx_shares_the_javascript_grammar_and_queries() -> None:
    assert load_grammar("jsx").language == load_grammar("javascript").language
    assert load_grammar("jsx").query("definitions") is not None


def test_empty_source_gives_an_empty_file() -> None:
    for language in supported_languages():
        parsed = parse_source(b"", language)
        assert (parsed.language, parsed.chunks, parsed.errors) == (language, [], [])
