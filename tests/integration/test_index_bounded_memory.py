"""What a run holds at once is bounded: windows of parsed files within their chunk, character and
file bounds (one file alone may exceed them, and is still embedded and written whole), the same
rows whatever the windows, and the scan's skips stored at the start instead of held to the end."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import mnemo.pipeline as pipeline
from mnemo.embed import MAX_TEXT_CHARS
from mnemo.pipeline import IndexOptions, index_repository
from mnemo.store.db import Database
from tests.integration.conftest import write_tree


def _long_function(name: str, lines: int) -> str:
    body = "".join(f"  const v{j} = scale(x, {j}) + offset{j};\n" for j in range(lines))
    return f"export function {name}(x: number): number {{\n{body}  return x;\n}}\n"


# Files in scan (path) order: small ones, a file of many chunks arriving at a window that holds
# some already, files of ~1,100 characters (two fill the test's character bound), a file of long
# chunks, one more small one. The test's bounds: 8 chunks, 3,000 characters, 5 files a window.
FILES = {
    **{f"src/a_small{i}.ts": f"export function f{i}(x: number) {{ return x + {i}; }}\n"
                             f"export const k{i} = {i};\n" for i in range(6)},
    "src/m_many.ts": "".join(f"export function many{j}(x: number) {{ return x * {j}; }}\n" for j in range(30)),
    **{f"src/n_mid{i}.ts": _long_function(f"mid{i}", 27) for i in range(4)},
    "src/p_long.ts": "".join(_long_function(f"long{i}", 40) for i in range(6)),
    "src/z_tail.ts": "export function tail() { return 0; }\n",
}


def _stored(database: Database, repository: str) -> tuple[list[tuple], list[np.ndarray]]:
    with database.connect() as conn:
        rows = conn.execute(
            "SELECT c.path, c.kind, c.qualified_name, c.start_line, c.end_line, c.source, c.text_hash, c.embedding "
            "FROM chunks c JOIN repositories r ON r.id = c.repository_id WHERE r.name = %s "
            "ORDER BY c.path, c.start_line, c.qualified_name", (repository,)).fetchall()
    return [r[:-1] for r in rows], [r[-1].to_numpy() for r in rows]


def test_windows_stay_within_their_bounds_and_store_the_same_rows(
    tmp_path: Path, database: Database, embedder, monkeypatch
) -> None:
    root = write_tree(tmp_path / "repo", FILES)
    windows: list[list[tuple[str, int, int]]] = []
    flush = pipeline.FileIndexer._flush_window

    def recording_flush(self):
        if self.window:
            windows.append([(p.source.rel_path, len(p.texts), sum(min(len(t), MAX_TEXT_CHARS) for t in p.texts))
                            for p in self.window])
        return flush(self)

    monkeypatch.setattr(pipeline.FileIndexer, "_flush_window", recording_flush)
    monkeypatch.setattr(pipeline, "WINDOW_CHARS", 3_000)
    bounded = IndexOptions(name="bounded", batch_chunks=8, window_files=5)
    summary = index_repository(database, root, bounded, embedder=embedder)
    assert summary.files_indexed == len(FILES) and summary.files_failed == 0
    assert summary.chunks_embedded == summary.chunks_written  # a cold run: every vector computed here

    seen = [path for window in windows for path, _, _ in window]
    assert sorted(seen) == sorted(FILES) and len(seen) == len(set(seen))  # every file once
    alone = set()
    for window in windows:
        chunks, chars = sum(n for _, n, _ in window), sum(c for _, _, c in window)
        if len(window) == 1:
            if chunks > 8 or chars > 3_000:
                alone.add(window[0][0])
            continue
        assert chunks <= 8 and chars <= 3_000 and len(window) <= 5, window
    assert alone == {"src/m_many.ts", "src/p_long.ts"}  # over the bounds alone, so in windows of their own
    # the medium files would fit one window by chunks and files, not by characters
    assert len([w for w in windows if any(path.startswith("src/n_mid") for path, _, _ in w)]) >= 2

    # one window for everything, from an empty cache: the same chunks and the same vectors
    with database.connect(autocommit=True) as conn:
        conn.execute("TRUNCATE embedding_cache")
    monkeypatch.setattr(pipeline, "WINDOW_CHARS", 10**9)
    windows.clear()
    whole = index_repository(database, root, IndexOptions(name="whole", batch_chunks=10**6, window_files=10**6),
                             embedder=embedder)
    assert len(windows) == 1 and whole.chunks_embedded == whole.chunks_written == summary.chunks_written
    (rows_a, vectors_a), (rows_b, vectors_b) = _stored(database, "bounded"), _stored(database, "whole")
    assert rows_a == rows_b and len(rows_a) == summary.chunks_written
    assert all(np.allclose(a, b, atol=1e-6) for a, b in zip(vectors_a, vectors_b))


def test_scan_skips_are_stored_at_the_start_and_the_summary_keeps_the_first(
    tmp_path: Path, database: Database, embedder
) -> None:
    files = {f"types/t{i:02d}.d.ts": f"export declare const t{i}: number;\n" for i in range(60)}
    files["src/ok.ts"] = "export function ok() { return 1; }\n"
    files["src/blob.ts"] = "export const a = 1;\n\x00\x01binary\n"  # skipped by content, while the files run
    root = write_tree(tmp_path / "repo", files)
    summary = index_repository(database, root, IndexOptions(name="skips"), embedder=embedder)
    assert summary.files_indexed == 1
    with database.connect() as conn:
        stored = dict(conn.execute(
            "SELECT s.path, s.reason FROM index_skips s WHERE s.run_id = %s", (summary.run_id,)).fetchall())
    assert len(stored) == 61 and stored["src/blob.ts"] == "binary"
    assert all(stored[f"types/t{i:02d}.d.ts"] == "declaration or generated file" for i in range(60)), set(stored.values())
    assert len(summary.skipped) == pipeline.MAX_REPORTED_ERRORS
    assert {s["path"] for s in summary.skipped} <= {p for p in stored if p.endswith(".d.ts")}
