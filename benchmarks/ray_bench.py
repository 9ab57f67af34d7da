"""Distributed indexing benchmark: many npm packages together, one process vs Ray with 1 and 2
worker processes, into a private embedded PostgreSQL.

    python benchmarks/ray_bench.py                     # 24 npm packages (> 5,000 files), all modes
    python benchmarks/ray_bench.py --packages 8 --modes single,ray2 --model static
    python benchmarks/ray_bench.py --runs 3            # medians of three runs per mode

Each mode indexes every package as its own repository into a fresh database:
  single  one process, `index_repository` for each package in turn (the model loaded once)
  rayN    `mnemo index --ray --manifest … --workers N` (a local Ray cluster started by the command)

Printed per mode: wall time of the whole command (Ray start and model loads included) and of the
indexing itself, files/s and chunks/s, the ratio against `single` measured in the same run, peak
RSS of the driver and of each worker process, per-file CPU cost by stage, the database size, the
load average, and the row counts (which must be equal across modes: same answers). Speed and
memory are measured here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import corpora  # benchmarks/corpora.py: the scripts run with benchmarks/ on sys.path

CACHE = Path(__file__).resolve().parent / ".cache"
HOME = CACHE / "ray-bench-home"  # the private embedded PostgreSQL of this benchmark

# name: (npm spec, tarball name, folder inside the package). Code the packages ship as source:
# mnemo skips dist/, build/, *.min.js and .d.ts itself, as it would in a real checkout.
# 22 packages, 6,300 files to index (date-fns and core-js would add 6,100 more: --extra).
PACKAGES = {
    "lodash": ("lodash@4.17.21", "lodash-4.17.21.tgz", "package"),
    "ramda": ("ramda@0.30.1", "ramda-0.30.1.tgz", "package/src"),
    "rxjs": ("rxjs@7.8.2", "rxjs-7.8.2.tgz", "package/src"),
    "zod": ("zod@4.6.7", "zod-4.6.7.tgz", "package/src"),
    "graphql": ("graphql@16.9.0", "graphql-16.9.0.tgz", "package"),
    "moment": ("moment@2.30.1", "moment-2.30.1.tgz", "package/src"),
    "mathjs": ("mathjs@13.2.0", "mathjs-13.2.0.tgz", "package/lib/esm"),
    "dayjs": ("dayjs@1.11.13", "dayjs-1.11.13.tgz", "package/esm"),
    "validator": ("validator@13.12.0", "validator-13.12.0.tgz", "package/es"),
    "eslint": ("eslint@9.14.0", "eslint-9.14.0.tgz", "package/lib"),
    "webpack": ("webpack@5.96.1", "webpack-5.96.1.tgz", "package/lib"),
    "jquery": ("jquery@3.7.1", "jquery-3.7.1.tgz", "package/src"),
    "svelte": ("svelte@5.1.0", "svelte-5.1.0.tgz", "package/src"),
    "fp-ts": ("fp-ts@2.16.9", "fp-ts-2.16.9.tgz", "package/es6"),
    "query-core": ("@tanstack/query-core@5.59.0", "tanstack-query-core-5.59.0.tgz", "package/src"),
    "axios": ("axios@1.7.7", "axios-1.7.7.tgz", "package/lib"),
    "yargs": ("yargs@17.7.2", "yargs-17.7.2.tgz", "package"),
    "express": ("express@4.21.1", "express-4.21.1.tgz", "package"),
    "ajv": ("ajv@8.17.1", "ajv-8.17.1.tgz", "package/lib"),
    "immer": ("immer@10.1.1", "immer-10.1.1.tgz", "package/src"),
    "luxon": ("luxon@3.5.0", "luxon-3.5.0.tgz", "package/src"),
    "three": ("three@0.170.0", "three-0.170.0.tgz", "package/src"),
}
EXTRA = {
    "date-fns": ("date-fns@4.1.0", "date-fns-4.1.0.tgz", "package"),
    "core-js": ("core-js@3.39.0", "core-js-3.39.0.tgz", "package"),
}


def fetch_all(names: list[str]) -> dict[str, Path]:
    roots = {}
    for name in names:
        spec, tarball, sub = PACKAGES[name]
        roots[name] = corpora.fetch(f"ray-{name}", f"npm:{spec}", tarball, sub)
    return roots


def server_uri() -> str:
    from mnemo.store import db

    return db.embedded_server(HOME / "pgdata").get_uri()


def fresh_database(name: str) -> str:
    import psycopg

    from mnemo.store import db

    uri = server_uri()
    with psycopg.connect(uri, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = db._with_database(uri, name)
    db.migrate(url)
    return url


def database_figures(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        chunks_size = conn.execute("SELECT pg_total_relation_size('chunks')").fetchone()[0]
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("repositories", "files", "chunks", "graph_nodes", "graph_edges")}
        failed = conn.execute("SELECT count(*) FROM files WHERE status = 'failed'").fetchone()[0]
    return {"db_mb": size / 2**20, "chunks_table_mb": chunks_size / 2**20, "rows": counts, "failed_files": failed}


def timed(cmd: list[str], env: dict[str, str]) -> tuple[dict, float, float]:
    """Run under /usr/bin/time -v; return the JSON it printed, its wall time and peak RSS (MB)."""
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[:6])}… failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    out = json.loads(proc.stdout)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
    return out, seconds, rss


def run_single(manifest: Path, url: str, model: str | None, env: dict[str, str]) -> dict:
    cmd = [sys.executable, __file__, "--_single", str(manifest), url] + (["--model", model] if model else [])
    out, wall, rss = timed(cmd, env)
    return {"mode": "single", "wall_s": wall, "index_wall_s": out["wall_s"], "driver_rss_mb": rss,
            "worker_rss_mb": [], "stages": out["stages"], "files": out["files"], "chunks": out["chunks"]}


def run_ray(manifest: Path, url: str, workers: int, model: str | None, env: dict[str, str]) -> dict:
    cmd = [sys.executable, "-m", "mnemo", "index", "--ray", "--manifest", str(manifest), "--workers", str(workers),
           "--json", "--no-progress", "--database-url", url] + (["--model", model] if model else [])
    out, wall, rss = timed(cmd, env)
    repos = out["repositories"]
    stages = {k: sum(r[k] for r in repos) for k in ("read_s", "parse_s", "embed_s", "write_s", "graph_s")}
    return {"mode": f"ray{workers}", "wall_s": wall, "index_wall_s": out["wall_s"],
            "driver_rss_mb": out["driver_peak_rss_mb"], "worker_rss_mb": [w["peak_rss_mb"] for w in out["workers"]],
            "stages": stages, "files": out["totals"]["files_indexed"], "chunks": out["totals"]["chunks_written"],
            "workers_lost": out["workers_lost"]}


def single_process(manifest: Path, url: str, model: str | None) -> None:
    """The baseline, in this process: each repository in turn with one model, as `mnemo index` would."""
    from mnemo.distributed.manifest import read_manifest
    from mnemo.embed import load_embedder
    from mnemo.pipeline import IndexOptions, index_repository
    from mnemo.store.db import Database

    started = time.perf_counter()
    database = Database.open(url)
    embedder = load_embedder(model)
    stages = dict.fromkeys(("read_s", "parse_s", "embed_s", "write_s", "graph_s"), 0.0)
    files = chunks = 0
    for spec in read_manifest(manifest):
        s = index_repository(database, spec.path, IndexOptions(name=spec.name, model=model), embedder=embedder)
        for k in stages:
            stages[k] += getattr(s, k)
        files += s.files_indexed
        chunks += s.chunks_written
    json.dump({"wall_s": time.perf_counter() - started, "stages": stages, "files": files, "chunks": chunks},
              sys.stdout)


QUERIES = [
    "debounce a function call", "deep clone an object", "parse a date from a string", "merge two sorted arrays",
    "retry a request with backoff", "validate an email address", "format a duration", "flatten nested arrays",
    "subscribe to an observable", "compile a template", "resolve a module path", "throttle events",
    "compare two values deeply", "matrix multiplication", "escape html entities", "parse command line arguments",
    "group items by key", "cancel a pending promise", "schema validation error message", "camera projection matrix",
]


def search_latency(url: str, model: str | None) -> str:
    """Cross-repository search over every repository of the last database: p50/p95 per mode."""
    from mnemo.search import search
    from mnemo.store.db import Database

    database = Database(url).pooled(max_size=2)
    lines = []
    try:
        search(database, QUERIES[0], mode="hybrid")  # load the model, warm the caches
        for mode in ("lexical", "vector", "hybrid"):
            times = []
            for q in QUERIES:
                t = time.perf_counter()
                search(database, q, mode=mode, limit=10)
                times.append((time.perf_counter() - t) * 1000)
            times.sort()
            lines.append(f"{mode} p50 {statistics.median(times):.0f} ms, p95 {times[int(0.95 * (len(times) - 1))]:.0f} ms")
    finally:
        database.close()
    return "; ".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packages", type=int, default=len(PACKAGES), help="use the first N packages (default all)")
    ap.add_argument("--only", help="comma-separated package names instead (for a quick look)")
    ap.add_argument("--extra", action="store_true", help="add date-fns and core-js (12,400 files in all)")
    ap.add_argument("--modes", default="single,ray1,ray2", help="comma-separated: single, ray1, ray2, …")
    ap.add_argument("--runs", type=int, default=1, help="runs per mode; medians are printed")
    ap.add_argument("--model", default=None, help="embedding model (default: Mnemo's default)")
    ap.add_argument("--no-search", action="store_true", help="skip the cross-repository search latency")
    ap.add_argument("--_single", nargs=2, metavar=("MANIFEST", "URL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._single:
        single_process(Path(args._single[0]), args._single[1], args.model)
        return

    if args.extra:
        PACKAGES.update(EXTRA)
    names = args.only.split(",") if args.only else list(PACKAGES)[: args.packages]
    roots = fetch_all(names)
    manifest = CACHE / "ray-bench-manifest.txt"
    manifest.write_text("".join(f"{roots[n]} {n}\n" for n in names))
    from mnemo.scan import ScanOptions, scan

    files = sum(sum(1 for _ in scan(r, ScanOptions())) for r in roots.values())
    print(f"corpus: {len(names)} npm packages, {files} files to index ({', '.join(names)})")
    # Ray starts its workers at nice 15; on a machine shared with other work that starves them,
    # and the comparison with the (nice 0) single process would measure the scheduler instead.
    env = {**os.environ, "MNEMO_HOME": str(HOME), "RAY_AUTH_MODE": os.environ.get("RAY_AUTH_MODE", "disabled"),
           "RAY_worker_niceness": os.environ.get("RAY_worker_niceness", "0")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1] / "src"),
                                                      os.environ.get("PYTHONPATH")]))
    results: dict[str, list[dict]] = {}
    for run in range(args.runs):
        for mode in args.modes.split(","):
            url = fresh_database(f"raybench_{mode}")
            load_before = os.getloadavg()[0]
            if mode == "single":
                r = run_single(manifest, url, args.model, env)
            else:
                r = run_ray(manifest, url, int(mode.removeprefix("ray")), args.model, env)
            r.update(database_figures(url))
            r["load"] = (load_before, os.getloadavg()[0])
            results.setdefault(mode, []).append(r)
            print(f"run {run + 1} {mode:>6}: {r['wall_s']:7.1f} s wall ({r['index_wall_s']:.1f} s indexing), "
                  f"{r['files'] / r['wall_s']:6.1f} files/s, {r['chunks'] / r['wall_s']:7.1f} chunks/s, "
                  f"driver {r['driver_rss_mb']:.0f} MB, workers {[round(x) for x in r['worker_rss_mb']]} MB, "
                  f"db {r['db_mb']:.0f} MB, load {r['load'][0]:.1f}->{r['load'][1]:.1f}", flush=True)

    print("\nmedians")
    base = statistics.median(r["wall_s"] for r in results.get("single", [])) if "single" in results else None
    for mode, rs in results.items():
        wall = statistics.median(r["wall_s"] for r in rs)
        last = rs[-1]
        cpu = {k: v / max(1, last["files"]) * 1000 for k, v in last["stages"].items()}
        ratio = f", {base / wall:.2f}x single" if base else ""
        print(f"  {mode:>6}: {wall:.1f} s wall{ratio}; {last['files']} files, {last['chunks']} chunks; "
              f"{last['files'] / wall:.1f} files/s; per file ms: "
              + ", ".join(f"{k[:-2]} {v:.1f}" for k, v in cpu.items())
              + f"; rows {last['rows']}; db {last['db_mb']:.0f} MB (chunks {last['chunks_table_mb']:.0f} MB)")
    rows = {json.dumps(rs[-1]["rows"], sort_keys=True) for rs in results.values()}
    print("  row counts equal across modes:", "yes" if len(rows) == 1 else f"NO: {rows}")
    if not args.no_search:
        print(f"  search over all {len(names)} repositories ({len(QUERIES)} queries, load {os.getloadavg()[0]:.1f}): "
              + search_latency(url, args.model))


if __name__ == "__main__":
    main()
