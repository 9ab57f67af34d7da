"""CLI search latency: `mnemo search` in a fresh process, as a shell user or an agent pays it.

Each query runs as its own `python -m mnemo search` process (warm OS cache, the embedded
database already running), in hybrid, vector and lexical mode, next to `mnemo --version`
(interpreter start and the CLI's own imports) measured in the same run. Queries are
interleaved across modes (and repositories, when `-r` is repeated, and code versions, with
`--baseline-src`) so load changes hit every one alike. Prints p50/p95 per mode, the ratio to
`--version`, the ratio to the baseline code, and the load average.

`--baseline-src DIR` times another checkout's code (its `src/` directory, e.g. a worktree at
an older commit: `git worktree add /tmp/base-cli COMMIT`) in the same run, alternating with
this checkout's `src/`; both search the same database.

A repository indexed with a transformer model (`mnemo index --model minilm`) is searched through
the resident embedding helper (src/mnemo/embed/helper.py), as `mnemo search` does: the warm-up
query starts it (seconds: torch loads once), every timed query then finds it by its socket.
`--stop-helpers` stops the helpers first, so the warm-up's start is part of the run.

    python benchmarks/cli_search.py --home benchmarks/.cache/mnemo-home -r bench-rxjs-static --runs 3
    python benchmarks/cli_search.py --home HOME -r rxjs-static -r rxjs-minilm --modes hybrid lexical
    python benchmarks/cli_search.py --home HOME -r semble-abseil-cpp --baseline-src /tmp/base-cli/src
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUERIES = [
    "subscribe to an observable", "retry with backoff", "merge two streams", "debounce time",
    "unsubscribe when done", "map each value", "switchMap", "throw an error", "schedule on animation frame",
    "combine latest values",
]
THIS_SRC = Path(__file__).resolve().parent.parent / "src"


CPU: dict[str, list[float]] = {}  # per key: the process's own user + system CPU seconds


def timed(cmd: list[str], env: dict[str, str], key: str | None = None) -> float:
    """Wall seconds of one run of `cmd`; its CPU seconds go to CPU[key] (wall time on a shared
    machine mostly measures the others' load; CPU time much less so)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr[-2000:]}")
    if key is not None:
        CPU.setdefault(key, []).append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def with_src(env: dict[str, str], src: Path) -> dict[str, str]:
    """`env` with `src` first on PYTHONPATH, so `python -m mnemo` runs that checkout's code."""
    rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**env, "PYTHONPATH": os.pathsep.join([str(src), *rest])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", required=True, help="MNEMO_HOME holding the index")
    ap.add_argument("-r", "--repository", required=True, action="append",
                    help="repository to search (repeat to compare, e.g. the default model and MiniLM)")
    ap.add_argument("--runs", type=int, default=3, help="passes over the queries")
    ap.add_argument("--modes", nargs="+", default=["hybrid", "vector", "lexical"])
    ap.add_argument("--baseline-src", type=Path, metavar="DIR",
                    help="also time this `src/` directory (another checkout's code), alternating with ours")
    ap.add_argument("--stop-helpers", action="store_true", help="stop resident embedding helpers first")
    ap.add_argument("--direct", action="store_true",
                    help="pass the embedded server's URL as MNEMO_DATABASE_URL, so each process skips "
                         "the embedded server's checks")
    args = ap.parse_args()
    env = {**os.environ, "MNEMO_HOME": os.path.abspath(args.home)}
    env.pop("MNEMO_DATABASE_URL", None)
    variants = {"": with_src(env, THIS_SRC)}
    if args.baseline_src:
        variants["base "] = with_src(env, args.baseline_src.resolve())
    base = [sys.executable, "-m", "mnemo"]
    for label, venv in variants.items():
        where = subprocess.run([sys.executable, "-c", "import mnemo; print(mnemo.__file__)"], env=venv,
                               capture_output=True, text=True, check=True).stdout.strip()
        print(f"code{' (' + label.strip() + ')' if label else ''}: {where}")
    if args.direct:
        code = "from mnemo.store.db import resolve_url; print(resolve_url(None))"
        url = subprocess.run([sys.executable, "-c", code], env=variants[""], capture_output=True,
                             text=True, check=True).stdout.strip()
        for venv in variants.values():
            venv["MNEMO_DATABASE_URL"] = url
    if args.stop_helpers:
        timed(base + ["model", "stop"], variants[""])
    for repo in args.repository:  # starts the database (and a transformer model's helper) if needed
        for label, venv in variants.items():
            t = timed(base + ["search", "warm up", "-r", repo], venv)
            print(f"{label}warm-up on {repo}: {t:.2f} s")
    keys = [f"{label}{repo} {mode}" for label in variants for repo in args.repository for mode in args.modes]
    times: dict[str, list[float]] = {k: [] for k in [*keys, *(f"{label}--version" for label in variants)]}
    loads = [os.getloadavg()[0]]
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for _ in range(args.runs):
        for q in QUERIES:
            for repo in args.repository:
                for mode in args.modes:
                    for label, venv in variants.items():
                        key = f"{label}{repo} {mode}"
                        times[key].append(timed(base + ["search", q, "-r", repo, "--mode", mode, "-n", "10"], venv, key))
            for label, venv in variants.items():
                key = f"{label}--version"
                times[key].append(timed(base + ["--version"], venv, key))
        loads.append(os.getloadavg()[0])
    p50 = {key: statistics.median(values) for key, values in times.items()}
    width = max(len(k) for k in times)
    for key, values in times.items():
        values.sort()
        label = "base " if key.startswith("base ") else ""
        p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
        line = (f"{key:<{width}} n={len(values):3d}  p50 {p50[key]:.3f} s  p95 {p95:.3f} s  "
                f"({p50[key] / p50[f'{label}--version']:.2f}x --version")
        if not label and args.baseline_src:
            line += f", {p50[key] / p50['base ' + key]:.2f}x base"
        print(f"{line})  cpu p50 {statistics.median(CPU[key]):.3f} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"1-min load sampled per pass: {' '.join(f'{x:.1f}' for x in loads)}")


if __name__ == "__main__":
    main()
