"""The seed plan's cases, against the real embedded PostgreSQL and the real packaged model."""

from __future__ import annotations

from pathlib import Path

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store.db import Database
from tests.integration.conftest import write_tree

USER_TS = """
export function validateUser(email: string): boolean {
    if (!email) return false;
    return email.includes("@");
}

export function logError(message: string): void {
    console.error(message);
}
"""


def _chunks(database: Database, repository: str) -> list[tuple]:
    with database.connect() as conn:
        return conn.execute(
            """SELECT c.name, c.kind, c.path, vector_dims(c.embedding), r.name, c.start_line, c.end_line
               FROM chunks c JOIN repositories r ON r.id = c.repository_id
               WHERE r.name = %s ORDER BY c.start_line, c.path""",
            (repository,),
        ).fetchall()


def test_file_gives_its_two_functions_with_vectors(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {"user.ts": USER_TS})
    summary = index_repository(database, root, IndexOptions(name="test_streaming"), embedder=embedder)
    assert summary.files_indexed == 1 and summary.chunks_written == 2 and summary.exit_code == 0
    rows = _chunks(database, "test_streaming")
    assert [(r[0], r[1]) for r in rows] == [("validateUser", "function"), ("logError", "function")]
    assert all(r[3] == embedder.dimension == 384 for r in rows)
    assert all(r[4] == "test_streaming" for r in rows)
    assert [(r[5], r[6]) for r in rows] == [(2, 5), (7, 9)]


def test_invalid_file_fails_with_position_and_stores_no_chunks(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {"invalid.ts": "this is not valid typescript {{{"})
    summary = index_repository(database, root, IndexOptions(name="test_rollback"), embedder=embedder)
    assert summary.files_failed == 1 and summary.chunks_written == 0 and summary.exit_code == 1
    error = summary.errors[0]
    assert error.path == "invalid.ts" and "error" in error.message.lower()
    assert error.line == 1 and error.column is not None
    assert _chunks(database, "test_rollback") == []
    with database.connect() as conn:
        status, last_error = conn.execute("SELECT status, last_error FROM files WHERE path = 'invalid.ts'").fetchone()
        recorded = conn.execute("SELECT path, line, severity FROM index_errors").fetchall()
    assert status == "failed" and "line 1" in last_error
    assert recorded == [("invalid.ts", 1, "error")]


def test_three_files_give_three_chunks(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {f"file{i}.ts": f"export function func{i}() {{ return {i}; }}" for i in range(3)})
    summary = index_repository(database, root, IndexOptions(name="test_multi"), embedder=embedder)
    assert (summary.files_seen, summary.files_indexed, summary.files_failed, summary.chunks_written) == (3, 3, 0, 3)
    assert sorted(r[0] for r in _chunks(database, "test_multi")) == ["func0", "func1", "func2"]


def test_run_continues_past_a_failing_file(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {
        "valid1.ts": "export function good1() { return 1; }",
        "invalid.ts": "this is garbage {{{",
        "valid2.ts": "export function good2() { return 2; }",
    })
    summary = index_repository(database, root, IndexOptions(name="test_errors"), embedder=embedder)
    assert (summary.files_seen, summary.files_indexed, summary.files_failed) == (3, 2, 1)
    assert len(summary.errors) == 1 and "invalid.ts" in summary.errors[0].path
    assert sorted(r[0] for r in _chunks(database, "test_errors")) == ["good1", "good2"]
    with database.connect() as conn:
        run = conn.execute("SELECT status, files_indexed, files_failed FROM index_runs").fetchone()
    assert run == ("partial", 2, 1)


def test_a_local_syntax_error_keeps_clean_definitions_as_partial(tmp_path: Path, database: Database,
                                                                 embedder) -> None:
    root = write_tree(tmp_path / "repo", {
        "mixed.ts": "export function ok(a: number) { return a + 1; }\n\nfunction broken( {\n  return ;;; {{\n",
    })
    strict = index_repository(database, root, IndexOptions(name="strict", strict=True), embedder=embedder)
    assert strict.files_failed == 1 and strict.chunks_written == 0
    assert (strict.errors[0].line, strict.errors[0].column) == (3, 1)
    partial = index_repository(database, root, IndexOptions(name="partial"), embedder=embedder)
    assert partial.files_failed == 0 and partial.files_indexed == 1 and partial.exit_code == 0
    rows = _chunks(database, "partial")
    assert [(r[0], r[1], r[5], r[6]) for r in rows] == [("ok", "function", 1, 1), ("mixed.ts", "module", 3, 4)]
    assert partial.warnings and partial.warnings[0].severity == "warning"
    assert (partial.warnings[0].line, partial.warnings[0].column) == (3, 1)
    with database.connect() as conn:
        assert conn.execute("SELECT status FROM files f JOIN repositories r ON r.id = f.repository_id "
                            "WHERE r.name = 'partial'").fetchone()[0] == "partial"
        recorded = conn.execute("SELECT e.path, e.line, e.col, e.severity FROM index_errors e "
                                "JOIN repositories r ON r.id = e.repository_id WHERE r.name = 'partial'").fetchall()
    assert recorded == [("mixed.ts", 3, 1, "warning")]


def test_python_tsx_and_jsx_fixtures_chunk_with_names_and_lines(tmp_path: Path, database: Database, embedder) -> None:
    root = write_tree(tmp_path / "repo", {
        "svc.py": (
            "import os\n"
            "\n"
            "class Store:\n"
            '    """Keeps things."""\n'
            "\n"
            "    def save(self, item):\n"
            "        return self.write(item)\n"
            "\n"
            "    def write(self, item):\n"
            "        os.write(1, item)\n"
            "\n"
            "def main():\n"
            "    Store().save(b'x')\n"
        ),
        "Button.tsx": (
            "import React from 'react';\n"
            "\n"
            "interface Props { label: string }\n"
            "\n"
            "export const Button = ({ label }: Props) => {\n"
            "  return <button onClick={() => go(label)}>{label}</button>;\n"
            "};\n"
        ),
        "List.jsx": (
            "export function List({ items }) {\n"
            "  return <ul>{items.map(i => <li key={i}>{i}</li>)}</ul>;\n"
            "}\n"
        ),
    })
    summary = index_repository(database, root, IndexOptions(name="mixed"), embedder=embedder)
    assert summary.files_failed == 0, summary.errors
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT path, kind, qualified_name, start_line, end_line, language FROM chunks ORDER BY path, start_line"
        ).fetchall()
    assert rows == [
        ("Button.tsx", "module", "Button.tsx", 1, 1, "tsx"),  # the import: file-level code
        ("Button.tsx", "interface", "Props", 3, 3, "tsx"),
        ("Button.tsx", "function", "Button", 5, 7, "tsx"),
        ("List.jsx", "function", "List", 1, 3, "jsx"),
        ("svc.py", "module", "svc.py", 1, 1, "python"),
        ("svc.py", "class", "Store", 3, 10, "python"),
        ("svc.py", "method", "Store.save", 6, 7, "python"),
        ("svc.py", "method", "Store.write", 9, 10, "python"),
        ("svc.py", "function", "main", 12, 13, "python"),
    ]
