"""Graph benchmark on a real corpus: rxjs 7.8.2 `src/` (251 .ts files).

Fetches the package with `npm pack` into benchmarks/.cache/ (never committed), indexes it once
with the real model into a private embedded PostgreSQL (MNEMO_HOME=benchmarks/.cache/graph-home),
then rebuilds the graph in a fresh child process per run, so the build's time and peak RSS are
the graph phase's own (no model in memory). Prints nodes and edges by type, the share of
function/method/class nodes without any edge, the resolution of call sites, the top 10 by
PageRank, and build time / peak RSS (median of --runs).

    python benchmarks/graph_rxjs.py --runs 3
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

import corpora  # benchmarks/corpora.py: the scripts run with benchmarks/ on sys.path

CACHE = Path(__file__).resolve().parent / ".cache"
HOME = CACHE / "graph-home"
SPEC, TARBALL, NAME = "rxjs@7.8.2", "rxjs-7.8.2.tgz", "rxjs"


def fetch() -> Path:
    """Download and unpack rxjs once; return its src/ directory."""
    return corpora.fetch(NAME, f"npm:{SPEC}", TARBALL, "package/src")


def ensure_indexed(root: Path, full: bool = False) -> None:
    """Index rxjs (without the graph phase) unless the private database already holds it;
    `full`: every file again (a version that extracts new per-file facts needs it)."""
    from mnemo.pipeline import IndexOptions, index_repository
    from mnemo.store.db import Database

    database = Database.open()
    summary = index_repository(database, root, IndexOptions(name=NAME, build_graph=False, full=full))
    print(f"indexed {root}: {summary.files_seen} files seen, {summary.files_indexed} indexed, "
          f"{summary.files_failed} failed, {summary.chunks_written} chunks written")


def build_once() -> None:
    """Child process: rebuild the graph, print its stats, wall time and peak RSS as JSON."""
    from mnemo.graph.build import build_graph
    from mnemo.store.db import Database
    from mnemo.store.reads import get_repository

    database = Database.open()
    with database.connect() as conn:
        repo = get_repository(conn, NAME)
    started = time.perf_counter()
    stats = build_graph(database, repo.id)
    wall = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"wall_s": wall, "peak_rss_mb": peak_mb, "hwm_mb": vm_hwm_mb(), "stats": stats.to_json()}))


def vm_hwm_mb() -> float | None:
    """This process image's own peak RSS (Linux VmHWM). getrusage's ru_maxrss also keeps the
    high-water mark of the process that forked us, which is why the parent stays small."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def report(runs: list[dict]) -> None:
    from mnemo.graph import query
    from mnemo.store.db import Database

    stats = runs[-1]["stats"]
    print(f"\nrxjs 7.8.2 src/ — graph build, {len(runs)} run(s)")
    print("nodes by kind:   " + ", ".join(f"{k} {v}" for k, v in sorted(stats["nodes"].items())))
    print("edges by type:   " + ", ".join(f"{k} {v}" for k, v in sorted(stats["edges"].items()))
          + "   (with a target node)")
    print("without target:  " + ", ".join(f"{k} {v}" for k, v in sorted(stats["unresolved_edges"].items()))
          + "   (external, builtin, local, unresolved, ambiguous)")
    iso = stats["isolated"]
    print(f"isolated function/method/class nodes: {iso['function_class_isolated']} of "
          f"{iso['function_class_nodes']} = {iso['function_class_isolated_share']:.1%}  "
          f"(counting only certain edges: {iso['function_class_isolated_strict_share']:.1%})")
    for kind, row in iso["by_kind"].items():
        print(f"    {kind:<10} {row['isolated']:5d} of {row['nodes']:5d} isolated  (strict {row['isolated_strict']})")
    calls = stats["calls"]
    print(f"call sites: {calls['call_sites']}; by resolution: "
          + ", ".join(f"{k} {v}" for k, v in calls["by_resolution"].items()))
    rate = calls["local_resolution_rate"]
    print(f"local call sites: {calls['local_call_sites']}, resolved to one node: {calls['local_resolved']} "
          f"= {rate:.1%}" if rate is not None else "no local call sites")
    print(f"pagerank: {stats['pagerank']['iterations']} iterations, converged {stats['pagerank']['converged']}")
    print("top 10 by PageRank:")
    for i, node in enumerate(query.top(Database.open(), NAME, by="pagerank", limit=10), start=1):
        print(f"  {i:2d}. {node.pagerank:.5f}  {node.path}:{node.start_line}  {node.qualified_name} ({node.kind})"
              f"  in {node.in_degree} out {node.out_degree}")
    walls = [r["wall_s"] for r in runs]
    rss = [r["peak_rss_mb"] for r in runs]
    hwm = [r["hwm_mb"] for r in runs if r.get("hwm_mb")]
    print("build wall time: " + ", ".join(f"{w:.2f}" for w in walls) + f" s; median {statistics.median(walls):.2f} s")
    print("build peak RSS (getrusage): " + ", ".join(f"{m:.0f}" for m in rss)
          + f" MB; median {statistics.median(rss):.0f} MB"
          + (f"; VmHWM median {statistics.median(hwm):.0f} MB" if hwm else ""))
    print("phases (last run): " + ", ".join(f"{k} {v:.2f} s" for k, v in stats["timings"].items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="graph builds to time (default 3)")
    parser.add_argument("--build-once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--reindex", action="store_true", help="index every file again first (new facts)")
    args = parser.parse_args()
    os.environ.setdefault("MNEMO_HOME", str(HOME))
    if args.build_once:
        build_once()
        return
    if args.index_only:
        ensure_indexed(fetch(), full=args.reindex)
        return
    # Indexing loads the model: it runs in its own process so that this one stays small and the
    # build processes forked from it inherit no large high-water mark.
    subprocess.run([sys.executable, __file__, "--index-only", *(["--reindex"] if args.reindex else [])], check=True,
                   env=os.environ.copy())
    runs = []
    for _ in range(args.runs):
        proc = subprocess.run([sys.executable, __file__, "--build-once"], capture_output=True, text=True, check=False,
                              env=os.environ.copy())
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    report(runs)


if __name__ == "__main__":
    main()
