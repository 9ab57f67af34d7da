"""Every line findable: definitions are chunks, the code outside them file-level `module` chunks.

The invariant test reads every fixture file of every language the registry knows (so languages
added later are checked as soon as their fixtures land): each non-blank line lies in a chunk's
span, or in the doc comment directly above a definition (that comment is the definition's
docstring: embedded and searchable with it).
"""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from mnemo.chunk import parse_source
from mnemo.embed import chunk_text
from mnemo.languages.registry import language_for_path
from mnemo.models import MODULE_KIND, Chunk, ParsedFile
from mnemo.module_chunks import MODULE_CHUNK_LINES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIXTURE_FILES = sorted(p for p in FIXTURES.rglob("*") if p.is_file() and language_for_path(p.name))


def parse(code: str, language: str, path: str = "src/app.ts", **options) -> ParsedFile:
    return parse_source(dedent(code).lstrip("\n").encode(), language, path=path, **options)


def modules(parsed: ParsedFile) -> list[Chunk]:
    return [c for c in parsed.chunks if c.kind == MODULE_KIND]


def uncovered_lines(source: bytes, chunks: list[Chunk]) -> list[int]:
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.doc_line or chunk.start_line, chunk.end_line + 1))
    lines = source.decode("utf-8", errors="replace").split("\n")
    return [number for number, line in enumerate(lines, 1) if line.strip() and number not in covered]


def test_fixtures_of_several_languages_are_present() -> None:
    languages = {language_for_path(p.name) for p in FIXTURE_FILES}
    assert {"typescript", "javascript", "python"} <= languages


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_every_line_of_every_fixture_is_in_a_chunk(path: Path) -> None:
    source = path.read_bytes()
    parsed = parse_source(source, language_for_path(path.name), path=path.name)

    assert not parsed.failed
    assert uncovered_lines(source, parsed.chunks) == []
    lines = source.decode("utf-8").split("\n")
    definitions = [c for c in parsed.chunks if c.kind != MODULE_KIND]
    for chunk in modules(parsed):
        # one contiguous span, its exact text, bounded, and never overlapping a definition
        assert chunk.source == "\n".join(lines[chunk.start_line - 1 : chunk.end_line])
        assert chunk.end_line - chunk.start_line < MODULE_CHUNK_LINES
        assert chunk.name == path.name and chunk.calls == []
        assert not any(d.start_line <= chunk.end_line and chunk.start_line <= d.end_line for d in definitions)


def test_module_level_code_becomes_named_file_level_chunks() -> None:
    parsed = parse(
        """
        import { join } from "path";

        export const MAX_RETRIES = 3;
        export const handlers = { onOpen: "open", onClose: "close" };

        export function retry(): number {
          return MAX_RETRIES;
        }

        registerAll(handlers);
        export default { retries: MAX_RETRIES };
        export * from "./more";
        """,
        "typescript",
        path="src/config.ts",
    )

    assert [(c.kind, c.name, c.start_line, c.end_line) for c in parsed.chunks] == [
        ("module", "config.ts", 1, 4),
        ("function", "retry", 6, 8),
        ("module", "config.ts", 10, 12),
    ]
    first, last = modules(parsed)
    assert first.signature == "MAX_RETRIES, handlers, onOpen, onClose"  # `join` is imported, not defined
    assert first.source.startswith('import { join } from "path";\n\nexport const MAX_RETRIES = 3;')
    assert last.signature == "retries"
    assert chunk_text(first, "src/config.ts").split("\n", 1)[0] == (
        "module src/config.ts: MAX_RETRIES, handlers, onOpen, onClose"
    )
    # calls at top level stay the module node's, not a chunk's (the graph counts them once)
    assert [c.name for c in parsed.module_calls] == ["registerAll"] and last.calls == []


def test_python_constants_main_block_and_module_docstring() -> None:
    parsed = parse(
        '''
        """Settings for the worker."""
        import os

        TIMEOUT = int(os.environ.get("TIMEOUT", "5"))
        __all__ = ["run"]


        def run():
            return TIMEOUT


        if __name__ == "__main__":
            QUEUE = "default"
            run()
        ''',
        "python",
        path="worker/settings.py",
    )

    assert [(c.kind, c.start_line, c.end_line) for c in parsed.chunks] == [
        ("module", 1, 5),
        ("function", 8, 9),
        ("module", 12, 14),
    ]
    first, main = modules(parsed)
    assert first.name == "settings.py" and first.signature == "TIMEOUT, __all__"
    assert main.signature == "QUEUE"


def test_rust_pub_use_lists_the_names_it_re_exports_and_a_private_use_none() -> None:
    parsed = parse(
        """
        use http::{header, StatusCode};
        use crate::body::Body;
        use axum_core::{extract::FromRequestParts, response::{IntoResponseParts, ResponseParts}};

        pub use axum_core::response::{IntoResponse, Response as CoreResponse};
        pub(crate) use self::{redirect::Redirect, sse::Sse};
        pub use crate::Json;
        """,
        "rust",
        path="src/response/mod.rs",
    )

    (chunk,) = modules(parsed)
    # the names a reader can reach through this module, not the ones it merely uses
    assert chunk.signature == "IntoResponse, CoreResponse, Redirect, Sse, Json"


def test_imports_of_a_barrel_file_are_its_names() -> None:
    parsed = parse("from .main import FastAPI as FastAPI\nfrom .routing import APIRouter\n", "python",
                   path="fastapi/__init__.py")
    assert modules(parsed)[0].signature == "FastAPI, APIRouter"
    plain = parse("from .main import FastAPI\nAPP = FastAPI()\n", "python", path="app/server.py")
    assert modules(plain)[0].signature == "APP"


def test_typescript_re_exports_are_listed_and_imports_are_not() -> None:
    parsed = parse('import { helper } from "./helper";\nexport { Schema, type Issue } from "./schema";\n',
                   "typescript", path="src/api.ts")
    assert modules(parsed)[0].signature.split(", ")[:2] == ["Schema", "Issue"]


def test_nested_definitions_stay_inside_the_enclosing_chunk() -> None:
    parsed = parse(
        """
        function outer() {
          const inner = () => 1;
          function helper() { return inner(); }
          return helper();
        }
        """,
        "typescript",
    )

    assert [(c.kind, c.qualified_name, c.start_line, c.end_line) for c in parsed.chunks] == [
        ("function", "outer", 1, 5),
    ]


def test_long_runs_split_at_statement_boundaries_and_long_statements_by_lines() -> None:
    statements = "".join(f"const value{i} = [\n  {i},\n];\n" for i in range(6))  # 3 lines each
    parsed = parse(statements + "const big = {\n" + "  a: 1,\n" * 10 + "};\n", "javascript", max_module_lines=7)

    spans = [(c.start_line, c.end_line) for c in modules(parsed)]
    assert spans[:3] == [(1, 6), (7, 12), (13, 18)]  # two whole statements each, never half of one
    assert spans[3:] == [(19, 25), (26, 30)]  # the 12-line statement: windows of 7 lines
    assert modules(parsed)[0].signature == "value0, value1"


def test_a_definition_between_two_statements_separates_their_chunks() -> None:
    parsed = parse("const a = 1;\nfunction f() {}\nconst b = 2;\n", "javascript")

    assert [(c.kind, c.start_line, c.end_line) for c in parsed.chunks] == [
        ("module", 1, 1), ("function", 2, 2), ("module", 3, 3),
    ]


def test_a_doc_comment_belongs_to_its_definition_and_a_detached_one_to_the_file() -> None:
    parsed = parse(
        """
        /** Adds. */
        export function add(a: number, b: number) { return a + b; }

        /* a detached note: a blank line separates it */

        export function sub(a: number, b: number) { return a - b; }
        """,
        "typescript",
    )

    assert [(c.kind, c.start_line, c.end_line, c.doc_line) for c in parsed.chunks] == [
        ("function", 2, 2, 1),
        ("module", 4, 4, None),
        ("function", 6, 6, None),
    ]


def test_a_file_of_blank_lines_and_definitions_only_has_no_module_chunk() -> None:
    parsed = parse("\n\nexport function a() {}\n\n\nexport function b() {}\n\n", "typescript")

    assert modules(parsed) == []


def test_without_a_path_module_chunks_are_named_module() -> None:
    parsed = parse_source(b"x = 1\n", "python")

    assert [(c.kind, c.name, c.qualified_name) for c in parsed.chunks] == [("module", "module", "module")]
