"""Graph build time and peak memory on a large corpus (default @babylonjs/core 9.35.0, ~3,400 .js
files), for comparing two versions of the graph code under the same conditions.

Indexes the corpus once (a hash-seeded stub embedder: the graph never reads vectors) into a
private embedded PostgreSQL (MNEMO_HOME=benchmarks/.cache/graph-build-home), then rebuilds the
graph in a fresh child process per run and prints each run's wall time and peak RSS (VmHWM) and
the medians. Run it with PYTHONPATH pointing at each version of `src/` to compare; `--reindex`
re-indexes first (needed when the version under test extracts new per-file facts).

    PYTHONPATH=src python benchmarks/graph_build.py --runs 3 --reindex
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpora  # noqa: E402

CACHE = Path(__file__).resolve().parent / ".cache"
HOME = CACHE / "graph-build-home"
CORPORA = {
    "babylon": ("npm:@babylonjs/core@9.35.0", "babylonjs-core-9.35.0.tgz", "package"),
    "rxjs": ("npm:rxjs@7.8.2", "rxjs-7.8.2.tgz", "package/src"),
}


def index(name: str) -> None:
    from graph_oracle.run import StubEmbedder
    from mnemo.pipeline import IndexOptions, index_repository
    from mnemo.store.db import Database

    spec, archive, sub = CORPORA[name]
    root = corpora.fetch(name, spec, archive, sub)
    started = time.perf_counter()
    summary = index_repository(Database.open(), root, IndexOptions(name=f"build-{name}", full=True,
                               model=StubEmbedder.model_name, build_graph=False), embedder=StubEmbedder())
    print(f"indexed {summary.files_indexed} files in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def build_once(name: str) -> None:
    from mnemo.graph.build import build_graph
    from mnemo.store.db import Database
    from mnemo.store.reads import get_repository

    database = Database.open()
    with database.connect() as conn:
        repo = get_repository(conn, f"build-{name}")
    started = time.perf_counter()
    stats = build_graph(database, repo.id)
    wall = time.perf_counter() - started
    hwm = next((int(line.split()[1]) / 1024 for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM:")), None)
    print(json.dumps({"wall_s": wall, "hwm_mb": hwm, "nodes": stats.node_count, "edges": stats.edge_count,
                      "isolated": stats.isolated.get("function_class_isolated_share"),
                      "timings": stats.timings}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="babylon", choices=sorted(CORPORA))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reindex", action="store_true", help="index the corpus again first")
    parser.add_argument("--build-once", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--index-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("MNEMO_HOME", str(HOME))
    if args.build_once:
        build_once(args.corpus)
        return
    if args.index_only:
        index(args.corpus)
        return
    env = os.environ.copy()
    if args.reindex:
        subprocess.run([sys.executable, __file__, "--index-only", "--corpus", args.corpus], check=True, env=env)
    runs = []
    for _ in range(args.runs):
        proc = subprocess.run([sys.executable, __file__, "--build-once", "--corpus", args.corpus],
                              capture_output=True, text=True, env=env, check=False)
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(f"run: {runs[-1]['wall_s']:.2f} s, VmHWM {runs[-1]['hwm_mb']:.0f} MB, "
              f"load {os.getloadavg()[0]:.2f}", flush=True)
    walls = [r["wall_s"] for r in runs]
    hwm = [r["hwm_mb"] for r in runs]
    last = runs[-1]
    print(f"{args.corpus}: {last['nodes']} nodes, {last['edges']} edges, isolated share {last['isolated']}")
    print(f"build wall median {statistics.median(walls):.2f} s, VmHWM median {statistics.median(hwm):.0f} MB; "
          f"phases (last run): {last['timings']}")


if __name__ == "__main__":
    main()
