"""A hostile-input corpus, generated per test: no input stops a run, every failure is named.

Each case builds a small tree with good files and one bad thing (invalid ignore lines, a file
name that is not UTF-8, a NUL after 8 KB, 64k-deep nesting, a FIFO swapped in after the scan,
legacy encodings, a symlink loop, a file deleted or growing mid-run, a huge file…) and asserts
that the run completes (exit 1 when a file failed, 0 when it was only skipped), that the good
files are stored, and that the bad one is named with its reason — in the summary and in the
database (`index_errors`, `index_skips`). Real PostgreSQL, real model, real grammars.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from mnemo.cli import main
from mnemo.pipeline import IndexingError, IndexOptions, index_repository
from mnemo.store.db import Database

GOOD = {
    "good.ts": "export function alpha(x: number): number { return x + 1; }\n",
    "lib/ok.py": 'def beta(y):\n    """Double it."""\n    return y * 2\n',
}


def _tree(root: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    for rel, content in {**GOOD, **(extra or {})}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def _stored(database: Database) -> dict[str, str]:
    with database.connect() as conn:
        return dict(conn.execute("SELECT path, status FROM files ORDER BY path").fetchall())


def _errors(database: Database) -> list[tuple[str, str, str]]:
    with database.connect() as conn:
        return conn.execute("SELECT path, severity, message FROM index_errors ORDER BY id").fetchall()


def _skips(database: Database) -> dict[str, str]:
    with database.connect() as conn:
        return dict(conn.execute("SELECT path, reason FROM index_skips ORDER BY id").fetchall())


def _assert_good_stored(database: Database) -> None:
    stored = _stored(database)
    assert stored.get("good.ts") == "indexed" and stored.get("lib/ok.py") == "indexed", stored


# -- 1. invalid ignore patterns ---------------------------------------------------------------


def test_invalid_gitignore_lines_are_skipped_with_a_warning(tmp_path: Path, database: Database, embedder) -> None:
    root = _tree(tmp_path / "repo", {
        ".gitignore": "build\\\n\\\n!\n[z-a]\nsecret.ts\n",
        "secret.ts": "export const s = 1;\n",
        "sub/.gitignore": "[z-a]\n",
        "sub/kept.ts": "export const k = 1;\n",
    })
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert summary.exit_code == 0
    _assert_good_stored(database)
    assert "secret.ts" not in _stored(database)  # the valid line still applies
    assert "sub/kept.ts" in _stored(database)
    warned = [(e.path, e.line) for e in summary.warnings]
    assert warned == [(".gitignore", 1), (".gitignore", 2), (".gitignore", 3), (".gitignore", 4), ("sub/.gitignore", 1)]
    assert all("invalid ignore pattern" in e.message for e in summary.warnings)
    assert len([e for e in _errors(database) if e[1] == "warning"]) == 5


@pytest.mark.parametrize("glob", ["foo\\", "[z-a]", "!", "a\x00b"])
def test_invalid_exclude_is_a_usage_error(tmp_path: Path, database: Database, database_url: str, glob: str,
                                          capsys: pytest.CaptureFixture) -> None:
    root = _tree(tmp_path / "repo")
    with pytest.raises(IndexingError, match="--exclude"):
        index_repository(database, root, IndexOptions(name="r", exclude=(glob,)))
    code = main(["index", str(root), "-r", "r", "--exclude", glob, "--no-progress", "--database-url", database_url])
    assert code == 2
    err = capsys.readouterr().err
    assert "--exclude" in err and ("invalid glob" in err or "NUL" in err), err
    assert _stored(database) == {}


# -- 2. file names that are not UTF-8 ----------------------------------------------------------


def test_non_utf8_file_name_is_indexed_under_an_escaped_path(tmp_path: Path, database: Database, embedder) -> None:
    root = _tree(tmp_path / "repo")
    bad_dir = os.path.join(os.fsencode(root), b"d\xe9p")
    os.mkdir(bad_dir)
    with open(os.path.join(bad_dir, b"caf\xe9.ts"), "wb") as f:
        f.write(b"export function gamma() { return 3; }\n")
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert summary.exit_code == 0 and summary.files_indexed == 3
    stored = _stored(database)
    assert stored["d\\xe9p/caf\\xe9.ts"] == "indexed"
    again = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert again.files_unchanged == 3 and again.files_indexed == 0  # the escaped path is stable


# -- 3. a NUL after the first 8 KB -------------------------------------------------------------


def test_nul_after_8kb_is_binary_and_named(tmp_path: Path, database: Database, embedder) -> None:
    body = b"export const a = 1;\n" * 600 + b"export const b = '\x00';\n"
    root = _tree(tmp_path / "repo", {"late_nul.ts": body})
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert summary.exit_code == 0
    _assert_good_stored(database)
    assert _skips(database)["late_nul.ts"] == "binary"
    assert summary.files_skipped["binary"] == 1


def test_a_message_with_nul_and_control_bytes_is_stored(tmp_path: Path, database: Database, embedder) -> None:
    """A syntax error quoting hostile text: the failure itself must be recordable."""
    root = _tree(tmp_path / "repo", {"broken.ts": "export function f( { \x1b]0;owned\x07 \x7f\n"})
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert summary.exit_code == 1 and summary.files_failed == 1
    assert [e.path for e in summary.errors] == ["broken.ts"]
    _assert_good_stored(database)
    assert _stored(database)["broken.ts"] == "failed"


# -- 4. pathological nesting -------------------------------------------------------------------


def test_64k_nested_calls_fail_fast_as_too_complex(tmp_path: Path, database: Database, embedder) -> None:
    chain = "function f() { return a" + ".b()" * 64_000 + "; }\n"  # 0.25 MB; minutes without a budget
    nested = "x = " + "g(" * 64_000 + "1" + ")" * 64_000 + "\n"
    # long lines would be skipped as minified; one call per line keeps it "hand-written"
    chain = chain.replace(".b()", "\n.b()")
    nested = nested.replace("g(", "g(\n").replace(")", ")\n")
    root = _tree(tmp_path / "repo", {"chain.ts": chain, "deep.py": nested})
    started = time.perf_counter()
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    elapsed = time.perf_counter() - started
    assert summary.exit_code == 1 and summary.files_failed == 2
    messages = {e.path: e.message for e in summary.errors}
    assert set(messages) == {"chain.ts", "deep.py"}
    assert all(m.startswith("too complex:") for m in messages.values()), messages
    _assert_good_stored(database)
    assert elapsed < 60, f"a too-complex file must fail fast, took {elapsed:.0f} s"


# -- 5. a file of thousands of tiny functions ------------------------------------------------


class _Recording:
    """The real model, with the size of each call recorded (what the test is about)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.dimension = inner.dimension
        self.calls: list[int] = []

    def embed_documents(self, texts):
        self.calls.append(len(texts))
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_many_tiny_functions_are_embedded_in_bounded_calls(tmp_path: Path, database: Database, embedder) -> None:
    many = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(1_500))
    root = _tree(tmp_path / "repo", {"many.py": many})
    recording = _Recording(embedder)
    summary = index_repository(database, root, IndexOptions(name="r", batch_chunks=128), embedder=recording)
    assert summary.exit_code == 0 and summary.chunks_written >= 1_500
    assert max(recording.calls) <= 128 and sum(recording.calls) == summary.chunks_written
    with database.connect() as conn:
        assert conn.execute("SELECT chunk_count FROM files WHERE path = 'many.py'").fetchone()[0] == 1_500


# -- 6. special files and files changing during the run ---------------------------------------


class _OnStart:
    """A progress hook: runs `action` once the scan is done, before any file is read."""

    def __init__(self, action) -> None:
        self.action = action

    def start(self, total_files: int) -> None:
        self.action()

    def advance(self, files: int, chunks: int) -> None:
        pass

    def close(self) -> None:
        pass


def test_file_swapped_for_a_fifo_after_the_scan_does_not_hang(tmp_path: Path, database: Database, embedder) -> None:
    root = _tree(tmp_path / "repo", {"swapped.ts": "export const s = 1;\n", "link_later.ts": "export const l = 1;\n"})

    def swap() -> None:
        (root / "swapped.ts").unlink()
        os.mkfifo(root / "swapped.ts")
        (root / "link_later.ts").unlink()
        (root / "link_later.ts").symlink_to("/dev/zero")

    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder, progress=_OnStart(swap))
    assert summary.exit_code == 0
    _assert_good_stored(database)
    skips = _skips(database)
    assert skips["swapped.ts"] == "not a regular file" and skips["link_later.ts"] == "symlink"


def test_files_deleted_or_growing_during_the_run(tmp_path: Path, database: Database, embedder) -> None:
    root = _tree(tmp_path / "repo", {"gone.ts": "export const g = 1;\n", "grows.ts": "export const x = 1;\n"})
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert "gone.ts" in _stored(database)

    def change() -> None:
        (root / "gone.ts").unlink()
        (root / "grows.ts").write_text("export const x = 1;\n" + "// padding padding padding\n" * 2_000)

    summary = index_repository(database, root, IndexOptions(name="r", max_file_bytes=20_000), embedder=embedder,
                               progress=_OnStart(change))
    assert summary.exit_code == 0
    skips = _skips(database)
    assert skips["gone.ts"] == "vanished during the run" and skips["grows.ts"] == "too large"
    stored = _stored(database)
    assert "gone.ts" not in stored and "grows.ts" not in stored  # skipped now: their old rows go
    _assert_good_stored(database)


def test_special_files_symlink_loops_and_default_excludes_are_counted_and_named(
    tmp_path: Path, database: Database, embedder
) -> None:
    root = _tree(tmp_path / "repo", {
        "node_modules/lib/index.js": "module.exports = 1;\n",
        "huge.ts": "export const big = 1;\n" + "// a comment line of normal length\n" * 40_000,
    })
    os.mkfifo(root / "pipe.ts")
    (root / "loop").symlink_to(root)  # a symlink loop: never followed
    (root / "lib" / "self").symlink_to(".")
    (root / "dangling.ts").symlink_to(root / "nowhere.ts")
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert summary.exit_code == 0
    _assert_good_stored(database)
    skips = _skips(database)
    assert skips == {
        "node_modules/": "default-excluded directory", "dangling.ts": "symlink", "huge.ts": "too large",
        "loop": "symlink", "pipe.ts": "not a regular file", "lib/self": "symlink",
    } or set(skips.items()) >= {("pipe.ts", "not a regular file"), ("loop", "symlink"), ("huge.ts", "too large"),
                                ("node_modules/", "default-excluded directory"), ("lib/self", "symlink")}
    assert summary.files_skipped["symlink"] == 3 and summary.files_skipped["not a regular file"] == 1
    assert summary.files_skipped["default-excluded directory"] == 1


# -- 9. encodings ----------------------------------------------------------------------------


def test_legacy_encodings_are_decoded_and_recorded(tmp_path: Path, database: Database, embedder) -> None:
    doc = 'def greet():\n    """Gr\u00fc\u00dfe, caf\u00e9 \u2014 \u00a9 2001."""\n    return 1\n'
    root = _tree(tmp_path / "repo", {
        "latin1.py": doc.replace("\u2014", "-").encode("latin-1"),
        "cp1252.py": doc.encode("cp1252"),
        "utf16.py": doc.encode("utf-16"),  # with a BOM
        "bom8.py": b"\xef\xbb\xbf" + doc.encode("utf-8"),
        "damaged.py": doc.encode("utf-8").replace(b"2001", b"20\xff1"),
    })
    summary = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert summary.exit_code == 0, summary.errors
    with database.connect() as conn:
        rows = dict(conn.execute(
            "SELECT f.path, f.encoding || ' ' || c.docstring FROM files f JOIN chunks c ON c.file_id = f.id "
            "WHERE c.name = 'greet'").fetchall())
    assert rows["latin1.py"] == "cp1252 Gr\u00fc\u00dfe, caf\u00e9 - \u00a9 2001."
    assert rows["cp1252.py"] == "cp1252 Gr\u00fc\u00dfe, caf\u00e9 \u2014 \u00a9 2001."
    assert rows["utf16.py"] == "utf-16-le Gr\u00fc\u00dfe, caf\u00e9 \u2014 \u00a9 2001."
    assert rows["bom8.py"] == "utf-8-sig Gr\u00fc\u00dfe, caf\u00e9 \u2014 \u00a9 2001."
    assert rows["damaged.py"] == "utf-8 Gr\u00fc\u00dfe, caf\u00e9 \u2014 \u00a9 20\ufffd1."
    assert [(w.path, "replaced" in w.message) for w in summary.warnings] == [("damaged.py", True)]


# -- 7. the database lost mid-run --------------------------------------------------------------


class _KillDatabaseAfter:
    """After `n` files, terminate every other backend of this database (the run's connections)."""

    def __init__(self, url: str, n: int) -> None:
        self.url, self.n, self.seen = url, n, 0

    def start(self, total_files: int) -> None:
        pass

    def advance(self, files: int, chunks: int) -> None:
        self.seen += files
        if self.seen == self.n:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE datname = current_database() AND pid <> pg_backend_pid()")

    def close(self) -> None:
        pass


def test_database_lost_mid_run_ends_with_a_message_and_a_summary(
    tmp_path: Path, database: Database, database_url: str, embedder
) -> None:
    files = {f"m{i:02d}.ts": f"export function f{i}() {{ return {i}; }}\n" for i in range(40)}
    root = _tree(tmp_path / "repo", files)
    summary = index_repository(database, root, IndexOptions(name="r", window_files=4), embedder=embedder,
                               progress=_KillDatabaseAfter(database_url, 8))
    assert summary.status == "failed" and summary.exit_code == 2
    assert "database connection was lost" in summary.fatal_error
    assert summary.to_json()["fatal_error"] == summary.fatal_error
    stored = _stored(database)
    assert 8 <= len(stored) < 42  # what committed before stays
    with database.connect() as conn:
        partial = conn.execute(
            "SELECT count(*) FROM files f WHERE f.chunk_count <> (SELECT count(*) FROM chunks c WHERE c.file_id = f.id)"
        ).fetchone()[0]
    assert partial == 0
    again = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert again.exit_code == 0 and again.files_indexed + again.files_unchanged == 42
    with database.connect() as conn:
        statuses = [r[0] for r in conn.execute("SELECT status FROM index_runs ORDER BY id")]
    assert statuses == ["interrupted", "succeeded"]  # the lost run is closed by the next


# -- 8. graph freshness after a deletion -------------------------------------------------------


def test_graph_rebuilt_after_a_deletion_whose_graph_phase_was_killed(tmp_path: Path, database: Database,
                                                                     embedder) -> None:
    from mnemo.graph.build import graph_is_current

    root = _tree(tmp_path / "repo", {"extra.ts": "export function extra() { return 1; }\n"})
    first = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert first.graph is not None
    (root / "extra.ts").unlink()
    # the run that removes the file dies before its graph phase (as a SIGKILL would)
    removed = index_repository(database, root, IndexOptions(name="r", build_graph=False), embedder=embedder)
    assert removed.files_removed == 1
    with database.connect() as conn:
        repo_id = conn.execute("SELECT id FROM repositories WHERE name = 'r'").fetchone()[0]
    assert not graph_is_current(database, repo_id)
    later = index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    assert later.files_indexed == 0 and later.files_removed == 0
    assert later.graph is not None, "a stale graph must be rebuilt even when no file changed"
    assert graph_is_current(database, repo_id)
    with database.connect() as conn:
        names = {r[0] for r in conn.execute("SELECT name FROM graph_nodes WHERE repository_id = %s", (repo_id,))}
    assert "extra" not in names and "alpha" in names


# -- 10. SIGTERM and the skipped listing --------------------------------------------------------


def test_sigterm_marks_the_run_interrupted(tmp_path: Path, database_url: str) -> None:
    files = {f"m{i:03d}.ts": "\n".join(f"export function f{i}_{j}() {{ return {j}; }}" for j in range(8)) + "\n"
             for i in range(150)}
    root = _tree(tmp_path / "repo", files)
    env = {**os.environ, "MNEMO_DATABASE_URL": database_url}
    cmd = [sys.executable, "-m", "mnemo", "index", str(root), "-r", "t", "--no-progress", "--no-graph"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 120
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.time() < deadline and proc.poll() is None:
            if conn.execute("SELECT count(*) FROM files").fetchone()[0] >= 4:
                break
            time.sleep(0.05)
    assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    assert "terminated" in proc.stderr.read().decode()
    with psycopg.connect(database_url) as conn:
        status, files = conn.execute("SELECT status, (SELECT count(*) FROM files) FROM index_runs").fetchone()
        partial = conn.execute(
            "SELECT count(*) FROM files f WHERE f.chunk_count <> (SELECT count(*) FROM chunks c WHERE c.file_id = f.id)"
        ).fetchone()[0]
    assert status == "interrupted" and 0 < files < 152 and partial == 0


def test_runs_skipped_lists_paths_and_reasons_escaped(tmp_path: Path, database: Database, database_url: str,
                                                      embedder, capsys: pytest.CaptureFixture) -> None:
    root = _tree(tmp_path / "repo", {"types.d.ts": "export type T = 1;\n", "evil\x1b[2J.min.js": "x()\n"})
    index_repository(database, root, IndexOptions(name="r"), embedder=embedder)
    capsys.readouterr()
    assert main(["runs", "r", "--skipped", "--database-url", database_url]) == 0
    out = capsys.readouterr().out
    assert "skipped: types.d.ts: declaration or generated file" in out
    assert "skipped: evil\\x1b[2J.min.js: declaration or generated file" in out
    assert "\x1b" not in out
    assert main(["runs", "r", "--skipped", "--json", "--database-url", database_url]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert {"path": "types.d.ts", "reason": "declaration or generated file"} in data[0]["skipped_paths"]
    assert data[0]["skipped"]["declaration or generated file"] == 2
