"""Helpers for the per-language chunking tests: parse a file of tests/fixtures/languages/."""

from __future__ import annotations

from pathlib import Path

from mnemo.chunk import parse_source
from mnemo.languages import language_for_path
from mnemo.models import MODULE_KIND, ParsedFile

FIXTURES = Path(__file__).parents[1] / "fixtures" / "languages"


def parse_fixture(name: str, language: str) -> ParsedFile:
    """The fixture parsed as `language`, which must also be the language its extension maps to."""
    assert language_for_path(name) == language
    parsed = parse_source((FIXTURES / name).read_bytes(), language)
    assert parsed.errors == []
    return parsed


def summary(parsed: ParsedFile) -> list[tuple[str, str, int, int, bool]]:
    """(kind, qualified name, first line, last line, exported) of each definition chunk, in order.

    File-level `module` chunks (the code between definitions) are left out: tests/unit/test_coverage.py
    checks that they and the definitions together cover every line.
    """
    return [(c.kind, c.qualified_name, c.start_line, c.end_line, c.exported) for c in parsed.chunks
            if c.kind != MODULE_KIND]


def calls(parsed: ParsedFile, qualified_name: str) -> list[tuple[str, str | None]]:
    """(name, qualifier) of the calls of the first chunk with that qualified name."""
    chunk = next(c for c in parsed.chunks if c.qualified_name == qualified_name)
    return [(call.name, call.qualifier) for call in chunk.calls]


def chunk(parsed: ParsedFile, qualified_name: str):
    return next(c for c in parsed.chunks if c.qualified_name == qualified_name)
