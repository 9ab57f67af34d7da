"""TypeScript 4.7–5.x syntax parses without errors (fixtures in tests/fixtures/typescript5/).

The newest grammar on PyPI lacks variance annotations and `static accessor`; parse.py blanks those
keywords out byte for byte, so positions and chunk sources stay those of the original file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mnemo.chunk import parse_source
from mnemo.models import MODULE_KIND
from mnemo.parse import fill_grammar_gaps, parse_tree, syntax_errors

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "typescript5"

EXPECTED = {
    "variance.ts": [
        ("interface", "Producer", 2, 4), ("interface", "Consumer", 6, 8), ("interface", "Mapper", 10, 12),
        ("class", "Box", 14, 19), ("method", "Box.constructor", 15, 15), ("method", "Box.get", 16, 18),
        ("type", "Getter", 21, 21), ("function", "unbox", 23, 25),
    ],
    "satisfies.ts": [("type", "Palette", 2, 2), ("function", "redChannel", 9, 12)],
    "accessor.ts": [("class", "Counter", 2, 12), ("method", "Counter.increment", 8, 11)],
    "using.ts": [("function", "readConfig", 5, 8), ("function", "countUsers", 10, 13)],
    "decorators.ts": [
        ("function", "logged", 2, 4), ("function", "sealed", 6, 6), ("class", "Service", 8, 19),
        ("method", "Service.fetch", 10, 13), ("method", "Service.create", 15, 18),
    ],
    "const_type_params.ts": [
        ("function", "names", 2, 4), ("function", "pair", 6, 6), ("class", "Registry", 8, 12),
        ("method", "Registry.keys", 9, 11),
    ],
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("language", ["typescript", "tsx"])
def test_fixture_parses_cleanly_with_its_definitions(name: str, language: str) -> None:
    source = (FIXTURES / name).read_bytes()

    parsed = parse_source(source, language, strict=True, path=name)

    assert parsed.errors == []
    definitions = [(c.kind, c.qualified_name, c.start_line, c.end_line) for c in parsed.chunks if c.kind != MODULE_KIND]
    assert definitions == EXPECTED[name]


def test_variance_and_accessor_chunks_keep_the_original_text() -> None:
    source = (FIXTURES / "variance.ts").read_bytes()
    chunks = {c.qualified_name: c for c in parse_source(source, "typescript").chunks}

    assert chunks["Mapper"].signature == 'export interface Mapper<in out T, const U extends string = "x">'
    assert chunks["unbox"].source.startswith("export function unbox<in out T>(box: Box<T>): T {")
    counter = parse_source((FIXTURES / "accessor.ts").read_bytes(), "typescript").chunks[0]
    assert "static accessor total: number = 1;" in counter.source


def test_blanking_keeps_every_offset_and_touches_no_expression() -> None:
    code = b"interface I<in\n  out T> {}\nfor (const k in obj) {}\nconst x = a < b, out = 1;\nclass C { static accessor n = 1 }\n"

    filled = fill_grammar_gaps(code, "typescript")

    assert len(filled) == len(code) and filled.count(b"\n") == code.count(b"\n")
    assert filled.startswith(b"interface I<  \n      T> {}\nfor (const k in obj) {}\nconst x = a < b, out = 1;")
    assert b"static          n = 1" in filled
    assert syntax_errors(parse_tree(code, "typescript")) == []
    assert fill_grammar_gaps(code, "javascript") == code  # only the TypeScript grammars lack these


def test_the_unpatched_grammar_still_rejects_variance() -> None:
    """Guard: when a newer grammar parses `<out T>` itself, GRAMMAR_GAPS can shrink."""
    import tree_sitter_typescript
    from tree_sitter import Language, Parser

    parser = Parser(Language(tree_sitter_typescript.language_typescript()))
    assert parser.parse(b"interface P<out T> { make(): T }\n").root_node.has_error
