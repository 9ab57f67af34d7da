"""Search latency of a warm server: p50/p95 per mode over an index of more than 100,000 chunks.

The index. The semble dev split's pinned trees (/work/cache/semble, the trees
`benchmarks/search_semble.py` indexes), each indexed by the real `mnemo index` with the default
model into one database (`--home`, default benchmarks/.cache/latency-home): 42 repositories,
~127,600 chunks. When the home holds fewer than `--min-chunks` chunks, this script builds it
first by running `search_semble.py --index-only --home HOME` (minutes; nothing is faked: the
chunks, vectors, BM25 postings and indexes are what `mnemo index` stores).

The queries: the split's own annotated queries (semantic, architecture and symbol; each belongs
to one repository), a fixed-seed sample of `--queries`, plus a few identifier queries.

What is timed: the public `mnemo.search.search()` — the call the REST API (`GET /api/search`)
and the MCP server's `search` tool make — on a warm server: this one process, the query
model loaded, the database behind the same connection pool `mnemo serve` uses
(`Database.pooled()`; `--ways` adds one open connection, or a fresh one per call), after a
warm-up pass. Each timing includes the query's embedding, every
SQL statement, fusion, reranking and snippets. Two scopes:
  * `repo`: the query against its own repository (`repositories=[name]`), as the benchmark asks
    it and as an agent scoped to one repository does — the repository is one of 42 in a
    127k-chunk database, so the table and its indexes are the big ones;
  * `all`: the same query across every repository (`repositories=None`), i.e. over all
    ~127,600 chunks at once (possible because they share one model).
Modes and scopes are interleaved per query so load changes hit all alike; `--runs` passes in
shuffled order; the figures are the medians over runs of each run's p50 and p95.
`--profile` also prints where the time goes (resolve, lexical SQL, vector SQL, fusion with the
row and wrapper reads and the rerank, results with snippets), measured by wrapping those functions.

    python benchmarks/search_latency.py --home benchmarks/.cache/latency-home
    python benchmarks/search_latency.py --runs 5 --queries 200 --modes hybrid lexical --profile
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "src"))

CACHE = HERE / ".cache"
IDENTIFIERS = ["parseConfig", "QuerySet.filter", "Router.handle", "json_decode", "Observable", "retry"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def chunk_counts(database) -> list[tuple[str, int]]:
    with database.connect() as conn:
        return conn.execute(
            "SELECT r.name, count(c.id) FROM repositories r LEFT JOIN chunks c ON c.repository_id = r.id "
            "GROUP BY r.name ORDER BY r.name").fetchall()


def build(home: Path) -> None:
    """Index the semble trees into `home` with the real `mnemo index` (search_semble.py)."""
    cmd = [sys.executable, str(HERE / "search_semble.py"), "--home", str(home), "--index-only"]
    print("building the index:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def load_queries(repos: set[str], sample: int, seed: int) -> list[tuple[str, str, str]]:
    """(repository, query text, category) from the semble dev split, sampled with `seed`."""
    from search_semble import default_bench, load_scorer

    bench = default_bench()
    ss = load_scorer(bench)
    specs = ss.load_specs(bench / "semble-dev")
    queries = [(f"semble-{q.repo}", q.text, q.category) for q in ss.load_queries(bench / "semble-dev", specs)
               if f"semble-{q.repo}" in repos]
    rng = random.Random(seed)
    rng.shuffle(queries)
    queries = queries[:sample]
    names = sorted(repos)
    queries += [(rng.choice(names), ident, "identifier") for ident in IDENTIFIERS]
    return queries


class Profile:
    """Wall time spent inside named functions of mnemo.search, summed per search call."""

    def __init__(self) -> None:
        self.current: dict[str, float] = defaultdict(float)
        self.samples: dict[str, list[float]] = defaultdict(list)

    def wrap(self, module, name: str, label: str) -> None:
        original = getattr(module, name)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.current[label] += (time.perf_counter() - t) * 1000

        setattr(module, name, timed)

    def end_call(self, key: str) -> None:
        for label, ms in self.current.items():
            self.samples[f"{key} {label}"].append(ms)
        self.current.clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, default=CACHE / "latency-home", help="MNEMO_HOME holding the index")
    ap.add_argument("--min-chunks", type=int, default=100_000, help="build the index when it holds fewer")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queries", type=int, default=200, help="queries sampled from the semble dev split")
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--modes", nargs="+", default=["hybrid", "lexical", "vector"])
    ap.add_argument("--scopes", nargs="+", default=["repo", "all"], choices=["repo", "all"])
    ap.add_argument("--ways", nargs="+", default=["pool"], choices=["pool", "conn", "fresh"],
                    help="how search gets its connection: pool (Database.pooled(), as `mnemo serve` and the MCP "
                         "server: hybrid's vector query runs beside the lexical one on a second pooled connection), "
                         "conn (one open connection passed in: both queries on it, one after the other), "
                         "fresh (a Database: a new connection per call, as one CLI process pays it)")
    ap.add_argument("--profile", action="store_true", help="print the time spent per stage")
    ap.add_argument("--json", metavar="FILE", help="write every run's figures here")
    args = ap.parse_args()

    os.environ["MNEMO_HOME"] = str(args.home.resolve())
    os.environ.pop("MNEMO_DATABASE_URL", None)
    from mnemo.embed import load_embedder
    from mnemo.store.db import Database

    database = Database.open()
    counts = chunk_counts(database)
    if sum(n for _, n in counts) < args.min_chunks:
        build(args.home)
        counts = chunk_counts(database)
    total = sum(n for _, n in counts)
    with database.connect() as conn:
        models = {m for (m,) in conn.execute("SELECT DISTINCT model FROM repositories").fetchall()}
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_table_size('chunks')), pg_size_pretty(pg_table_size('search_terms')),"
            " (SELECT count(*) FROM search_terms)").fetchone()
    biggest = sorted(counts, key=lambda r: -r[1])[:3]
    print(f"index: {total} chunks in {len(counts)} repositories (largest: "
          + ", ".join(f"{n} {c}" for n, c in biggest) + f"); model {', '.join(sorted(models))}; "
          f"chunks table {sizes[0]}, {sizes[2]} BM25 postings ({sizes[1]})")
    if total < args.min_chunks:
        raise SystemExit(f"the index holds {total} chunks, fewer than --min-chunks {args.min_chunks}")
    if "all" in args.scopes and len(models) > 1:
        raise SystemExit("the repositories use different models: --scopes all cannot run")

    import mnemo.search as search_module
    from mnemo.search import search

    profile = Profile() if args.profile else None
    if profile:
        profile.wrap(search_module, "_resolve", "resolve")
        profile.wrap(search_module, "search_lexical", "lexical-sql")
        profile.wrap(search_module, "search_vector", "vector-sql(+embed wait)")
        profile.wrap(search_module, "order", "fuse+rows+rerank")
        profile.wrap(search_module, "_fetch_candidates", "rows-sql")
        profile.wrap(search_module, "fetch_wrappers", "wrappers-sql")
        profile.wrap(search_module, "_results", "results+snippets")

    queries = load_queries({n for n, c in counts if c}, args.queries, args.seed)
    embedder = load_embedder(models.pop())
    pool = database.pooled(max_size=4)
    open_conn = database.connect(autocommit=True)
    targets = [(how, {"pool": pool, "conn": open_conn, "fresh": database}[how]) for how in args.ways]
    keys = [f"{m}/{s}/{how}" for m in args.modes for s in args.scopes for how, _ in targets]
    print(f"{len(queries)} queries, modes {args.modes}, scopes {args.scopes}, limit {args.limit}, {args.runs} runs; "
          f"{os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)

    def one(target, repo: str, text: str, mode: str, scope: str) -> None:
        search(target, text, repositories=[repo] if scope == "repo" else None, mode=mode, limit=args.limit,
               embedder=embedder)

    for repo, text, _ in queries[:30]:  # warm-up: model, pool, caches, prepared plans
        for mode in args.modes:
            for scope in args.scopes:
                one(pool, repo, text, mode, scope)
    if profile:
        profile.current.clear()
    runs: list[dict[str, dict[str, float]]] = []
    embed_ms: list[float] = []
    for run in range(args.runs):
        order = list(queries)
        random.Random(args.seed + run).shuffle(order)
        times: dict[str, list[float]] = {k: [] for k in keys}
        for repo, text, _ in order:
            for mode in args.modes:
                for scope in args.scopes:
                    for how, target in targets:
                        t = time.perf_counter()
                        one(target, repo, text, mode, scope)
                        times[f"{mode}/{scope}/{how}"].append((time.perf_counter() - t) * 1000)
                        if profile:
                            profile.end_call(f"{mode}/{scope}/{how}")
            t = time.perf_counter()
            embedder.embed_query(text)
            embed_ms.append((time.perf_counter() - t) * 1000)
        stats = {k: {"p50": percentile(v, 50), "p95": percentile(v, 95), "mean": statistics.fmean(v)}
                 for k, v in times.items()}
        runs.append(stats)
        print(f"run {run + 1}: " + "  ".join(f"{k} {s['p50']:.1f}/{s['p95']:.1f}" for k, s in stats.items())
              + f" ms p50/p95  (load {os.getloadavg()[0]:.2f})", flush=True)
    result = {k: {x: statistics.median(r[k][x] for r in runs) for x in ("p50", "p95", "mean")} for k in keys}
    print(f"\nMEDIAN of {args.runs} runs, {len(queries)} queries each, {total} chunks, limit {args.limit} "
          "(repo: the query's own repository; all: every repository):")
    for k, s in result.items():
        print(f"  {k:<22} p50 {s['p50']:6.1f} ms   p95 {s['p95']:6.1f} ms   mean {s['mean']:6.1f} ms")
    print(f"  query embedding alone: p50 {percentile(embed_ms, 50):.2f} ms, p95 {percentile(embed_ms, 95):.2f} ms")
    if profile:
        print("  where the time goes (p50 / p95 ms per call; vector-sql includes waiting for the query embedding):")
        for label, values in sorted(profile.samples.items()):
            print(f"    {label:<50} {percentile(values, 50):6.2f} / {percentile(values, 95):6.2f}")
    print(f"  load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs, shared)")
    if args.json:
        Path(args.json).write_text(json.dumps({"chunks": total, "queries": len(queries), "runs": runs,
                                               "median": result}, indent=2))
    with contextlib.suppress(Exception):
        open_conn.close()
        pool.close()


if __name__ == "__main__":
    main()
