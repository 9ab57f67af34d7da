"""Metric computation on a synthetic graph of 1,000,000 edges stored in the real database.

One child process inserts a repository of --files files, --nodes nodes (one module node per
file, the rest definitions) and --edges edges with COPY (binary, straight from numpy arrays):
targets follow a power law so that a few nodes gather most calls, as in real code; 90% calls,
5% imports between modules, 5% inherits; one edge in ten is a 0.5-confidence guess. Then, for
each of --runs runs, a fresh child process times mnemo.graph.metrics.compute_and_store
(binary COPY out → sparse PageRank, degrees, coupling → binary COPY in + one UPDATE) and
reports its peak RSS with resource.getrusage. The parent only orchestrates, so the children
inherit no high-water mark. Prints each run and the medians. Target: ≤ 5 s and ≤ 400 MB.

    python benchmarks/graph_synthetic.py                     # private embedded PostgreSQL
    python benchmarks/graph_synthetic.py --database-url URL  # any PostgreSQL with pgvector
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
HOME = CACHE / "graph-home"
REPOSITORY = "synthetic-graph"
_HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)


def _database(url: str | None):
    from mnemo.store.db import Database

    return Database.open(url)


def insert(args: argparse.Namespace) -> None:
    """Child: (re)create the synthetic repository with COPY."""
    import numpy as np

    database = _database(args.database_url)
    rng = np.random.default_rng(42)
    started = time.perf_counter()
    with database.connect() as conn:
        conn.execute("DELETE FROM repositories WHERE name = %s", (REPOSITORY,))
        repo_id = conn.execute(
            "INSERT INTO repositories (name, root, model, dimension) VALUES (%s, '/synthetic', 'none', 384) RETURNING id",
            (REPOSITORY,),
        ).fetchone()[0]
        with conn.cursor() as cur, cur.copy(
            "COPY files (repository_id, path, language, size_bytes, status) FROM STDIN"
        ) as copy:
            for i in range(args.files):
                copy.write_row((repo_id, f"src/m{i // 100}/f{i}.ts", "typescript", 1000, "indexed"))
        file_ids = np.array(
            [r[0] for r in conn.execute("SELECT id FROM files WHERE repository_id = %s ORDER BY id", (repo_id,))]
        )
        first = conn.execute(
            "SELECT nextval(pg_get_serial_sequence('graph_nodes', 'id')) FROM generate_series(1, %s)",
            (args.nodes,),
        ).fetchall()
        node_ids = np.array([r[0] for r in first], dtype=np.int64)
        # modules: the first `files` nodes; definitions spread over the files
        node_file = np.concatenate([file_ids, rng.choice(file_ids, args.nodes - args.files)])
        with conn.cursor() as cur, cur.copy(
            "COPY graph_nodes (id, repository_id, file_id, kind, name, qualified_name, path, language) FROM STDIN"
        ) as copy:
            for i, (node, file_id) in enumerate(zip(node_ids.tolist(), node_file.tolist())):
                kind = "module" if i < args.files else "function"
                copy.write_row((node, repo_id, file_id, kind, f"n{i}", f"n{i}", f"f{file_id}.ts", "typescript"))
        src, dst, types, confidence = _edges(rng, args, len(node_ids))
        _copy_edges(conn, repo_id, node_ids[src], node_ids[dst], types, confidence)
        count = conn.execute("SELECT count(*) FROM graph_edges WHERE repository_id = %s", (repo_id,)).fetchone()[0]
    print(json.dumps({"repository_id": repo_id, "nodes": len(node_ids), "edges": count,
                      "insert_s": time.perf_counter() - started}))


def _edges(rng, args: argparse.Namespace, n: int):
    """Power-law targets (a few hubs), uniform sources; module → module for imports."""
    import numpy as np

    e = args.edges
    types = rng.choice(np.array([0, 1, 2], dtype=np.int8), size=e, p=[0.90, 0.05, 0.05])  # calls, imports, inherits
    src = rng.integers(args.files, n, size=e)
    dst = args.files + ((n - args.files) * rng.random(e) ** 3).astype(np.int64)
    imports = types == 1
    src[imports] = rng.integers(0, args.files, size=int(imports.sum()))
    dst[imports] = (args.files * rng.random(int(imports.sum())) ** 2).astype(np.int64)
    keep = src != dst
    confidence = np.where(rng.random(e) < 0.1, 0.5, 1.0).astype(np.float32)
    return src[keep], dst[keep], types[keep], confidence[keep]


def _copy_edges(conn, repo_id: int, src, dst, types, confidence) -> None:
    """Binary COPY of (repository_id, src, dst, type, resolution, confidence, line, sites)."""
    import numpy as np

    names = np.array([b"calls", b"imports", b"inherits"])
    resolutions = np.array([b"import", b"import", b"same_file"])
    # text columns have a variable length: write rows of one type at a time with a fixed layout
    for code in range(3):
        mask = types == code
        count = int(mask.sum())
        type_name, resolution = names[code], resolutions[code]
        dtype = np.dtype([
            ("n", ">i2"),
            ("l1", ">i4"), ("repo", ">i8"),
            ("l2", ">i4"), ("src", ">i8"),
            ("l3", ">i4"), ("dst", ">i8"),
            ("l4", ">i4"), ("type", f"S{len(type_name)}"),
            ("l5", ">i4"), ("resolution", f"S{len(resolution)}"),
            ("l6", ">i4"), ("confidence", ">f4"),
        ])
        rows = np.zeros(count, dtype=dtype)
        rows["n"] = 6
        rows["l1"], rows["l2"], rows["l3"] = 8, 8, 8
        rows["l4"], rows["l5"], rows["l6"] = len(type_name), len(resolution), 4
        rows["repo"] = repo_id
        rows["src"], rows["dst"] = src[mask], dst[mask]
        rows["type"], rows["resolution"] = type_name, resolution
        rows["confidence"] = confidence[mask]
        with conn.cursor() as cur, cur.copy(
            "COPY graph_edges (repository_id, src, dst, type, resolution, confidence) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            view = memoryview(_HEADER + rows.tobytes() + b"\xff\xff")
            for start in range(0, len(view), 1 << 22):
                copy.write(view[start:start + (1 << 22)])


def measure(args: argparse.Namespace) -> None:
    """Child: time the metric computation on the stored graph; print time and peak RSS."""
    from mnemo.graph import metrics
    from mnemo.store.reads import get_repository

    database = _database(args.database_url)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with database.connect() as conn:
        repo_id = get_repository(conn, REPOSITORY).id
        t0 = time.perf_counter()
        graph = metrics.load(conn, repo_id)
        t1 = time.perf_counter()
        result = metrics.compute(graph)
        t2 = time.perf_counter()
        metrics.store(conn, graph, result)
        conn.commit()
        t3 = time.perf_counter()
    print(json.dumps({
        "load_s": t1 - t0, "compute_s": t2 - t1, "store_s": t3 - t2, "total_s": t3 - t0,
        "edges": len(graph.src), "nodes": int(graph.size), "iterations": result.iterations,
        "converged": result.converged, "baseline_rss_mb": baseline,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


def _child(flag: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, flag, "--files", str(args.files), "--nodes", str(args.nodes),
           "--edges", str(args.edges)]
    if args.database_url:
        cmd += ["--database-url", args.database_url]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy(), check=False)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="default: a private embedded PostgreSQL in benchmarks/.cache")
    parser.add_argument("--insert", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("MNEMO_HOME", str(HOME))
    if args.insert:
        return insert(args)
    if args.measure:
        return measure(args)
    made = _child("--insert", args)
    print(f"inserted {made['nodes']:,} nodes and {made['edges']:,} edges with COPY in {made['insert_s']:.1f} s")
    runs = []
    for i in range(args.runs):
        r = _child("--measure", args)
        runs.append(r)
        print(f"run {i + 1}: {r['edges']:,} edges  load {r['load_s']:.2f} s  compute {r['compute_s']:.2f} s "
              f"(PageRank {r['iterations']} iterations, converged {r['converged']})  store {r['store_s']:.2f} s  "
              f"total {r['total_s']:.2f} s  peak RSS {r['peak_rss_mb']:.0f} MB (at start {r['baseline_rss_mb']:.0f} MB)")
    for key, label in (("load_s", "load"), ("compute_s", "compute"), ("store_s", "store"), ("total_s", "total")):
        print(f"median {label:<8} {statistics.median(r[key] for r in runs):.2f} s")
    print(f"median peak RSS {statistics.median(r['peak_rss_mb'] for r in runs):.0f} MB")


if __name__ == "__main__":
    main()
