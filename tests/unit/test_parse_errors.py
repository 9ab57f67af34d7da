"""Syntax errors: reported with positions. Tolerant by default (the clean definitions are kept and
the rest of the file becomes file-level chunks); fatal when nothing parses or with strict=True."""

from __future__ import annotations

from textwrap import dedent

from mnemo.chunk import parse_source
from mnemo.models import MODULE_KIND, ParsedFile
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


def definitions(parsed: ParsedFile) -> list[tuple[str, int, int]]:
    return [(c.qualified_name, c.start_line, c.end_line) for c in parsed.chunks if c.kind != MODULE_KIND]


def module_spans(parsed: ParsedFile) -> list[tuple[int, int]]:
    return [(c.start_line, c.end_line) for c in parsed.chunks if c.kind == MODULE_KIND]


def test_invalid_code_gives_errors_and_no_chunks() -> None:
    """Nothing in the file parses: it fails even when tolerant, with its position."""
    for strict in (False, True):
        parsed = parse_source(BROKEN.encode(), "typescript", strict=strict)

        assert parsed.chunks == [] and parsed.imports == [] and parsed.module_calls == []
        assert parsed.failed and parsed.errors
        first = parsed.errors[0]
        assert (first.line, first.column) == (1, 1)
        assert "error" in first.message
        assert "this is not valid" in first.message
        assert str(first).startswith("line 1, column 1: syntax error")


def test_garbage_after_a_comment_still_fails() -> None:
    """A comment is not a statement that parsed: the file still has nothing to keep."""
    parsed = parse_source(b"// header\nthis is garbage {{{\n", "typescript")

    assert parsed.failed and parsed.errors[0].line == 2


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


def test_strict_keeps_nothing_of_a_file_with_an_error() -> None:
    parsed = parse_source(MIXED.encode(), "typescript", strict=True)

    assert parsed.errors and parsed.errors[0].line == 7
    assert parsed.chunks == [] and parsed.failed
    # the former spelling: allow_partial=False is strict
    assert parse_source(MIXED.encode(), "typescript", allow_partial=False).chunks == []


def test_tolerant_keeps_the_intact_definitions_and_the_rest_as_file_level_chunks() -> None:
    parsed = parse_source(MIXED.encode(), "typescript", path="src/mixed.ts")

    assert not parsed.failed
    assert parsed.errors and (parsed.errors[0].line, parsed.errors[0].column) == (7, 1)
    assert definitions(parsed) == [("good", 3, 5)]
    assert [(c.name, c.qualifier) for c in parsed.chunks[1].calls] == [("a", None)]
    assert [i.source for i in parsed.imports] == ["./a"]
    # the import and the broken function are file-level chunks named after the file
    assert module_spans(parsed) == [(1, 1), (7, 8)]
    broken = parsed.chunks[-1]
    assert broken.name == "mixed.ts" and broken.source.startswith("function broken( {")


def test_tolerant_keeps_a_class_with_a_broken_method_and_drops_only_the_method() -> None:
    """The error belongs to the innermost definition around it: `bad` goes, `Box` keeps its
    chunk (name, signature, docstring: what a search for `Box` wants) and `bad`'s lines stay in it."""
    code = dedent(
        """
        class Box {
          fine() { return 1; }
          bad() { return ( ; }
        }
        """
    ).lstrip("\n")

    strict = parse_source(code.encode(), "typescript", strict=True)
    partial = parse_source(code.encode(), "typescript")

    assert strict.chunks == []
    assert definitions(partial) == [("Box", 1, 4), ("Box.fine", 2, 2)]
    assert module_spans(partial) == []  # every line is in the class chunk


def test_tolerant_drops_a_class_whose_own_body_is_broken_but_keeps_its_methods() -> None:
    code = dedent(
        """
        class Box {
          fine() { return 1; }
          = = ;
          other() { return 2; }
        }
        """
    ).lstrip("\n")

    partial = parse_source(code.encode(), "typescript")

    assert definitions(partial) == [("Box.fine", 2, 2), ("Box.other", 4, 4)]
    assert module_spans(partial) == [(1, 1), (3, 3), (5, 5)]  # the class's own lines, the broken one included


def test_python_partial() -> None:
    code = b"def ok():\n    return 1\n\ndef broken(:\n    pass\n"

    assert parse_source(code, "python", strict=True).chunks == []
    parsed = parse_source(code, "python")
    assert definitions(parsed) == [("ok", 1, 2)]
    assert module_spans(parsed) == [(4, 5)]


def test_tolerant_drops_a_definition_missing_its_closing_brace() -> None:
    code = b"@@@\nfunction kept() { return 1; }\nfunction unclosed() {\n  return 2;\n"

    parsed = parse_source(code, "typescript")

    assert [e.line for e in parsed.errors] == [1, 4]
    assert definitions(parsed) == [("kept", 2, 2)]
    assert module_spans(parsed) == [(1, 1), (3, 4)]
