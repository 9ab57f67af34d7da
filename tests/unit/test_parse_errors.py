"""Syntax errors: reported with positions, fatal unless allow_partial keeps the intact chunks."""

from __future__ import annotations

from textwrap import dedent

from mnemo.chunk import parse_source
from mnemo.parse import first_syntax_error, parse_tree, syntax_errors

BROKEN = "this is not valid typescript {{{"

MIXED = dedent(
    """
    import { a } from './a';

    export function good(x: number): number {
      return a(x);
    }

    function broken( {
      return
    """
).lstrip("\n")


def test_invalid_code_gives_errors_and_no_chunks() -> None:
    parsed = parse_source(BROKEN.encode(), "typescript")

    assert parsed.chunks == [] and parsed.imports == [] and parsed.module_calls == []
    assert parsed.errors
    first = parsed.errors[0]
    assert (first.line, first.column) == (1, 1)
    assert "error" in first.message
    assert "this is not valid" in first.message
    assert str(first).startswith("line 1, column 1: syntax error")


def test_first_syntax_error_is_none_for_valid_code() -> None:
    tree = parse_tree(b"export const x = 1;\n", "typescript")

    assert first_syntax_error(tree) is None
    assert syntax_errors(tree) == []


def test_error_position_is_one_based_on_the_right_line() -> None:
    tree = parse_tree(b"const ok = 1;\nconst x = (1 + ;\n", "typescript")

    error = first_syntax_error(tree)
    assert error is not None
    assert error.line == 2
    assert "error" in error.message and "(1 +" in error.message


def test_missing_token_is_reported_as_missing() -> None:
    tree = parse_tree(b"def f(:\n    pass\n", "python")
    errors = syntax_errors(tree)

    assert errors
    assert all("syntax error" in e.message for e in errors)
    tree = parse_tree(b"function f() {\n  return 1;\n", "typescript")
    (missing,) = syntax_errors(tree)
    assert missing.message == "syntax error: missing '}'"
    assert (missing.line, missing.column) == (2, 12)  # where the parser needed it


def test_mixed_file_fails_without_allow_partial() -> None:
    parsed = parse_source(MIXED.encode(), "typescript")

    assert parsed.errors and parsed.errors[0].line == 7
    assert parsed.chunks == []


def test_allow_partial_keeps_the_intact_definitions() -> None:
    parsed = parse_source(MIXED.encode(), "typescript", allow_partial=True)

    assert parsed.errors and parsed.errors[0].line == 7
    assert [(c.name, c.start_line, c.end_line) for c in parsed.chunks] == [("good", 3, 5)]
    assert [(c.name, c.qualifier) for c in parsed.chunks[0].calls] == [("a", None)]
    assert [i.source for i in parsed.imports] == ["./a"]


def test_allow_partial_drops_a_class_with_a_broken_method_but_keeps_its_other_methods() -> None:
    code = dedent(
        """
        class Box {
          fine() { return 1; }
          bad() { return ( ; }
        }
        """
    ).lstrip("\n")

    strict = parse_source(code.encode(), "typescript")
    partial = parse_source(code.encode(), "typescript", allow_partial=True)

    assert strict.chunks == []
    assert [(c.qualified_name, c.start_line) for c in partial.chunks] == [("Box.fine", 2)]


def test_python_partial() -> None:
    code = b"def ok():\n    return 1\n\ndef broken(:\n    pass\n"

    assert parse_source(code, "python").chunks == []
    assert [c.name for c in parse_source(code, "python", allow_partial=True).chunks] == ["ok"]


def test_allow_partial_drops_a_definition_missing_its_closing_brace() -> None:
    code = b"@@@\nfunction kept() { return 1; }\nfunction unclosed() {\n  return 2;\n"

    parsed = parse_source(code, "typescript", allow_partial=True)

    assert [e.line for e in parsed.errors] == [1, 4]
    assert [c.name for c in parsed.chunks] == ["kept"]
