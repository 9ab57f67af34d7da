"""The language registry: extensions, grammars, cached queries, query inheritance."""

from __future__ import annotations

import threading

import pytest

from mnemo.chunk import parse_source
from mnemo.languages import language_for_path, load_grammar, parser_for, supported_languages
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
        ("UPPER.TS", "typescript"),
        ("stub.pyi", None),
        ("README.md", None),
        ("Makefile", None),
        ("archive.ts.bak", None),
    ],
)
def test_language_for_path(path: str, language: str | None) -> None:
    assert language_for_path(path) == language


def test_supported_languages() -> None:
    assert supported_languages() == ["typescript", "tsx", "javascript", "jsx", "python", "go", "java", "rust"]


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
