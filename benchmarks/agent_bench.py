"""Agent-facing latencies on a real corpus: how fast an edit becomes visible, and how fast a warm
MCP server answers.

    python benchmarks/agent_bench.py rxjs --runs 5        # rxjs 7.8.2 src/ (251 .ts files)
    python benchmarks/agent_bench.py babylon --runs 3     # @babylonjs/core 9.35.0 (3,393 .js files)

The corpus is copied to benchmarks/.cache/agent/<corpus> (the script edits files there) and
indexed once into a private embedded PostgreSQL (MNEMO_HOME=benchmarks/.cache/agent-home; with
`--home DIR`, DIR's database and a copy under DIR/tree, so runs on a shared machine do not edit
each other's files). Then:

1. one-file edit → current: append a function to one file, then `Freshness.ensure` (the
   server's pre-answer refresh: stat snapshot, incremental run of the changed file, graph
   update); wall time, the graph phase's own time (each run's, as graph_builds records it, with
   the last run's phases and what the incremental update re-resolved), and the no-change check
   alone. Median of
   --runs, alternating two edits so every run has work to do; first with full graph rebuilds
   (MNEMO_GRAPH_INCREMENTAL=0, the baseline), then with the incremental graph update.
2. a warm `mnemo mcp` process over stdio, driven by the SDK's client: `search` (hybrid, 10
   results) p50/p95 over a fixed query list, `repo_map` with a 1,000-token budget p50/p95, and
   `repo_map` with a focus file. The model load is excluded (the server is warmed first).

Prints one JSON object per figure and a summary table; `uptime` load average with each figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import corpora  # benchmarks/corpora.py: the scripts run with benchmarks/ on sys.path

CACHE = Path(__file__).resolve().parent / ".cache"
HOME = CACHE / "agent-home"
CORPORA = {
    "rxjs": ("rxjs", "npm:rxjs@7.8.2", "rxjs-7.8.2.tgz", "package/src", "internal/operators/map.ts"),
    "babylon": ("babylon", "npm:@babylonjs/core@9.35.0", "babylonjs-core-9.35.0.tgz", "package",
                "Maths/math.scalar.functions.js"),
}
QUERIES = [
    "map each value of an observable", "retry with a delay", "subscribe to an observable",
    "combine the latest values", "debounce emissions", "share a subscription", "switch to a new inner observable",
    "catch an error and recover", "take the first n values", "schedule work asynchronously",
]


def load() -> str:
    return os.getloadavg().__repr__()


def emit(figure: str, **data) -> None:
    print(json.dumps({"figure": figure, **data, "load_average": os.getloadavg()}), flush=True)


def prepare(corpus: str, home: Path) -> tuple[Path, str, Path]:
    name, how, archive, sub, edited = CORPORA[corpus]
    source = corpora.fetch(name, how, archive, sub)
    # the shared home edits the shared copy; a private home (--home) gets its own copy
    root = CACHE / "agent" / corpus if home == HOME.resolve() else home / "tree" / corpus
    if not root.exists():
        root.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(source, root)
    return root, f"agent-{corpus}", root / edited


def ensure_indexed(database, root: Path, name: str) -> None:
    from mnemo.pipeline import IndexOptions, index_repository

    started = time.perf_counter()
    summary = index_repository(database, root, IndexOptions(name=name))
    emit("initial index (skipped files unchanged)", files_seen=summary.files_seen,
         files_indexed=summary.files_indexed, chunks=summary.chunks_written, wall_s=round(time.perf_counter() - started, 2))


def edit_to_current(database, name: str, edited: Path, runs: int) -> dict:
    from mnemo.embed import load_embedder
    from mnemo.live import Freshness

    freshness = Freshness(database, embedder=load_embedder)
    freshness.ensure(name)  # the server's first call: remembers the signature
    original = edited.read_text()
    from mnemo.store.reads import get_repository

    with database.connect() as conn:
        repo_id = get_repository(conn, name).id

    def last_build() -> tuple:
        with database.connect() as conn:
            return conn.execute(
                "SELECT stats->>'duration_s', stats->'timings', stats->'calls'->'incremental' FROM graph_builds "
                "WHERE repository_id = %s", (repo_id,)).fetchone() or (None, {}, None)

    walls, index_s, graph_s, check = [], [], [], []
    phases, incremental = {}, None
    try:
        for i in range(runs):
            edited.write_text(original + f"\nexport function agentBenchProbe{i % 2}(value) {{ return value + {i}; }}\n")
            t = time.perf_counter()
            refresh = freshness.ensure(name)
            walls.append(time.perf_counter() - t)
            assert refresh.state == "refreshed" and refresh.files_indexed == 1, refresh
            index_s.append(refresh.indexed_s)
            duration, phases, incremental = last_build()  # this run's graph phase, as it recorded it
            graph_s.append(float(duration) if duration else float("nan"))
            t = time.perf_counter()
            assert freshness.ensure(name).state == "current"
            check.append(time.perf_counter() - t)
    finally:
        edited.write_text(original)
        freshness.ensure(name)
    figure = {"runs": runs, "edit_to_current_p50_s": round(statistics.median(walls), 3),
              "edit_to_current_max_s": round(max(walls), 3),
              "refresh_run_p50_s": round(statistics.median(index_s), 3),
              "graph_phase_p50_s": round(statistics.median(graph_s), 3),
              "graph_phase_s": graph_s,
              "last_graph_build_s": graph_s[-1],
              "last_graph_phases_s": phases,
              "last_graph_incremental": incremental,
              "no_change_check_p50_ms": round(statistics.median(check) * 1000, 1)}
    emit("one-file edit -> index + graph current", **figure)
    return figure


async def _mcp(database_url: str, name: str, runs: int, focus: str, home: Path) -> dict:
    from mcp import ClientSession, StdioServerParameters, stdio_client

    src = str(Path(__file__).resolve().parents[1] / "src")
    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "mnemo", "mcp", "-r", name, "--database-url", database_url],
                                   env={"PYTHONPATH": src, "MNEMO_HOME": str(home),
                                        **({"MNEMO_MODELS": os.environ["MNEMO_MODELS"]}
                                           if "MNEMO_MODELS" in os.environ else {})})
    figures = {}
    async with stdio_client(params, errlog=open(os.devnull, "w")) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=600) as session:
            await session.initialize()
            for q in QUERIES[:3]:  # warm: model, pool, caches
                result = await session.call_tool("search", {"query": q})
                assert not result.is_error, result.content
            await session.call_tool("repo_map", {"tokens": 1000})
            await session.call_tool("repo_map", {"tokens": 1000, "focus": [focus]})
            for label, tool, args_list in (
                ("search", "search", [{"query": q} for q in QUERIES]),
                ("repo_map_1000", "repo_map", [{"tokens": 1000}]),
                ("repo_map_1000_focus", "repo_map", [{"tokens": 1000, "focus": [focus]}]),
            ):
                times = []
                for i in range(runs * len(QUERIES) // len(args_list) if label != "search" else runs):
                    for args in args_list:
                        t = time.perf_counter()
                        result = await session.call_tool(tool, args)
                        times.append(time.perf_counter() - t)
                        assert not result.is_error, result.content
                times.sort()
                figures[label] = {"calls": len(times), "p50_ms": round(statistics.median(times) * 1000, 1),
                                  "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1)}
                emit(f"warm MCP {label}", **figures[label])
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", choices=list(CORPORA))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-mcp", action="store_true")
    parser.add_argument("--home", type=Path, default=HOME,
                        help="MNEMO_HOME (its own database and corpus copy); default benchmarks/.cache/agent-home")
    args = parser.parse_args()
    home = args.home.resolve()
    os.environ["MNEMO_HOME"] = str(home)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import anyio

    from mnemo.store.db import Database

    root, name, edited = prepare(args.corpus, home)
    database = Database.open()
    ensure_indexed(database, root, name)
    os.environ["MNEMO_GRAPH_INCREMENTAL"] = "0"  # the baseline, in the same run: full graph rebuilds
    baseline = edit_to_current(database, name, edited, args.runs)
    os.environ.pop("MNEMO_GRAPH_INCREMENTAL")
    edit = edit_to_current(database, name, edited, args.runs)
    figures = {"edit": edit, "baseline_full_graph": baseline}
    if not args.skip_mcp:
        focus = edited.relative_to(root).as_posix()
        figures["mcp"] = anyio.run(_mcp, database.url, name, args.runs, focus, home)
    print(f"\n{args.corpus}: load average {os.getloadavg()}")
    print(f"  edit -> current p50 {edit['edit_to_current_p50_s']} s (refresh run {edit['refresh_run_p50_s']} s, "
          f"graph update p50 {edit['graph_phase_p50_s']} s of {edit['graph_phase_s']}), "
          f"no-change check {edit['no_change_check_p50_ms']} ms")
    print(f"  graph update phases (last run): {edit['last_graph_phases_s']}")
    print(f"  baseline (full graph rebuild): edit -> current p50 {baseline['edit_to_current_p50_s']} s, graph "
          f"p50 {baseline['graph_phase_p50_s']} s; edit -> current "
          f"{baseline['edit_to_current_p50_s'] / edit['edit_to_current_p50_s']:.2f}x faster, graph update "
          f"{edit['graph_phase_p50_s'] / baseline['graph_phase_p50_s']:.2f} of a full rebuild")
    for label, f in figures.get("mcp", {}).items():
        print(f"  MCP {label}: p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms ({f['calls']} calls)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
