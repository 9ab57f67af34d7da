"""Indexing benchmark: cold index and no-change re-run of real corpora, with peak RSS.

Fetches the corpora from the registries (`npm pack`) into benchmarks/.cache/ and runs the real
`mnemo index` command under `/usr/bin/time -v`, on a private embedded PostgreSQL (MNEMO_HOME in
the cache), so each figure is a whole process: model load, parse, embed, write, graph.

    python benchmarks/index_bench.py rxjs --runs 3          # rxjs 7.8.2 src/: 251 .ts files
    python benchmarks/index_bench.py rxjs --model static --model minilm   # default vs torch, one run
    python benchmarks/index_bench.py babylon --runs 1 --rerun 3   # @babylonjs/core: ~3,400 .js files
    python benchmarks/index_bench.py /path/to/tree
    python benchmarks/index_bench.py babylon --baseline-src /tmp/base/src   # this code vs another, alternating

Prints one line per run and the medians per model; with several models, the cold-wall ratio of
each against the first. The static model is built and the database started before the first run
(not timed); each cold run starts with an empty vector cache, and one more --full run shows the
cache's effect. Speed and memory are measured here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import corpora  # benchmarks/corpora.py: the scripts run with benchmarks/ on sys.path

CACHE = Path(__file__).resolve().parent / ".cache"
CORPORA = {
    # name: (npm spec, tarball name, directory inside the package to index)
    "rxjs": ("rxjs@7.8.2", "rxjs-7.8.2.tgz", "src"),
    "babylon": ("@babylonjs/core@9.35.0", "babylonjs-core-9.35.0.tgz", "."),
    "three": ("three@0.187.0", "three-0.187.0.tgz", "src"),
    "zod": ("zod@4.6.7", "zod-4.6.7.tgz", "src"),
}


def fetch(name: str) -> Path:
    """Download and unpack an npm package once; return the directory to index."""
    spec, tarball, sub = CORPORA[name]
    return corpora.fetch(name, f"npm:{spec}", tarball, f"package/{sub}")


def run_index(root: Path, repository: str, env: dict[str, str], *, full: bool, model: str | None = None) -> dict:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "mnemo", "index", str(root), "-r", repository,
           "--json", "--no-progress"]
    if full:
        cmd.append("--full")
    if model:
        cmd += ["--model", model]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mnemo index failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    summary = json.loads(proc.stdout)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", proc.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    process_wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    summary["process_wall_s"] = process_wall
    summary["process_peak_rss_mb"] = rss_kb / 1024
    return summary


def line(label: str, s: dict) -> str:
    model_s = s["embed_s"] + s["model_load_s"]
    return (
        f"{label:<12} wall {s['process_wall_s']:6.1f} s (in-run {s['wall_s']:6.1f} s)  files {s['files_seen']:5d} "
        f"indexed {s['files_indexed']:5d} unchanged {s['files_unchanged']:5d} failed {s['files_failed']:3d}  "
        f"chunks {s['chunks_written']:6d}  {s['chunks_written'] / max(s['wall_s'], 1e-9):6.1f} chunks/s  "
        f"model {100 * model_s / max(s['wall_s'], 1e-9):4.1f}% (load {s['model_load_s']:.1f} s)  "
        f"graph {s['graph_s']:.1f} s  peak RSS {s['process_peak_rss_mb']:.0f} MB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help=f"one of {', '.join(CORPORA)} or a directory")
    ap.add_argument("--runs", type=int, default=3, help="cold (--full) runs")
    ap.add_argument("--rerun", type=int, default=3, help="no-change re-runs after the cold runs")
    ap.add_argument("--keep-db", action="store_true", help="reuse the benchmark database between invocations")
    ap.add_argument("--home", type=Path, default=CACHE / "mnemo-home",
                    help="private MNEMO_HOME for the benchmark database (deleted first unless --keep-db; "
                         "give each concurrent benchmark its own)")
    ap.add_argument("--edit", type=int, default=0, metavar="N",
                    help="N one-file edits on a copy of the corpus: re-index, graph, then a search that must find it")
    ap.add_argument("--busy", action="store_true",
                    help="run a CPU-bound process (`python -c 'while 1: pass'`) beside every run: contention")
    ap.add_argument("--model", action="append", metavar="NAME",
                    help="embedding model (repeat to compare; default: the default model)")
    ap.add_argument("--baseline-src", type=Path, metavar="DIR",
                    help="another checkout's src/ (e.g. `git archive main src | tar -x -C /tmp/base`): its cold "
                         "runs alternate with this code's, on a database of its own, and the ratio is printed "
                         "(the same machine load for both)")
    args = ap.parse_args()
    if args.baseline_src:
        compare(args)
        return

    root = fetch(args.corpus) if args.corpus in CORPORA else Path(args.corpus).resolve()
    home = args.home.resolve()
    if not args.keep_db and home.exists():
        subprocess.run([sys.executable, "-m", "mnemo", "db", "stop"], env={**os.environ, "MNEMO_HOME": str(home)},
                       capture_output=True)
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "MNEMO_HOME": str(home)}
    env.pop("MNEMO_DATABASE_URL", None)
    # the built static model is a cache like the OS's: share the user's, build it once (untimed)
    env.setdefault("MNEMO_MODELS", str(_user_models_dir()))
    subprocess.run([sys.executable, "-m", "mnemo", "model", "build"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "mnemo", "db", "start"], env=env, check=True, capture_output=True)
    print(f"corpus {root}  ({os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    medians: dict[str, float] = {}
    burner = subprocess.Popen([sys.executable, "-c", "while 1: pass"]) if args.busy else None
    if burner:
        print("a CPU-bound process runs beside every run (--busy)")
    for model in args.model or [None]:
        label = model or "default"
        repository = f"bench-{Path(args.corpus).name}-{label.replace('/', '_')}"
        print(f"model {label}")
        cold = []
        for i in range(args.runs):
            clear_vector_cache(env)  # cold: every vector computed (a --full run would reuse them)
            s = run_index(root, repository, env, full=True, model=model)
            cold.append(s)
            print(line(f"cold #{i + 1}", s), flush=True)
        if args.runs:
            s = run_index(root, repository, env, full=True, model=model)
            print(line("full/reuse", s) + f"  ({s['chunks_reused']} vectors reused)", flush=True)
        warm = []
        for i in range(args.rerun):
            s = run_index(root, repository, env, full=False)
            warm.append(s)
            print(line(f"no-change #{i + 1}", s), flush=True)

        def med(runs: list[dict], key: str) -> float:
            return statistics.median(r[key] for r in runs)

        if cold:
            medians[label] = med(cold, "process_wall_s")
            print(
                f"MEDIAN {label} cold ({len(cold)} runs): wall {med(cold, 'process_wall_s'):.2f} s, "
                f"chunks {med(cold, 'chunks_written'):.0f}, "
                f"{statistics.median(r['chunks_written'] / r['wall_s'] for r in cold):.1f} chunks/s, model share "
                f"{statistics.median(100 * (r['embed_s'] + r['model_load_s']) / r['wall_s'] for r in cold):.1f}%, "
                f"peak RSS {med(cold, 'process_peak_rss_mb'):.0f} MB"
            )
        if warm:
            print(f"MEDIAN {label} no-change ({len(warm)} runs): wall {med(warm, 'process_wall_s'):.2f} s, "
                  f"peak RSS {med(warm, 'process_peak_rss_mb'):.0f} MB")
        if args.edit:
            edit_runs(root, env, model, args.edit)
    if len(medians) > 1:
        first, base = next(iter(medians.items()))
        for label, wall in list(medians.items())[1:]:
            print(f"RATIO cold wall {label} / {first}: {wall / base:.1f}x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if burner:
        burner.kill()
    subprocess.run([sys.executable, "-m", "mnemo", "db", "stop"], env=env, capture_output=True)


def _start(home: Path, pythonpath: str | None, keep: bool) -> dict[str, str]:
    """A private embedded database for one code tree, the static model built: the env to run in."""
    env = {**os.environ, "MNEMO_HOME": str(home)}
    env.pop("MNEMO_DATABASE_URL", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    if not keep and home.exists():
        subprocess.run([sys.executable, "-m", "mnemo", "db", "stop"], env=env, capture_output=True)
        shutil.rmtree(home)
    home.mkdir(parents=True, exist_ok=True)
    env.setdefault("MNEMO_MODELS", str(_user_models_dir()))
    subprocess.run([sys.executable, "-m", "mnemo", "model", "build"], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "mnemo", "db", "start"], env=env, check=True, capture_output=True)
    return env


def compare(args: argparse.Namespace) -> None:
    """Cold runs of this code and of `--baseline-src`, alternating (baseline first each round),
    then the no-change re-runs; medians and the ratio this/baseline of the same run."""
    root = fetch(args.corpus) if args.corpus in CORPORA else Path(args.corpus).resolve()
    home = args.home.resolve()
    here = str(Path(__file__).resolve().parent.parent / "src")
    trees = {"baseline": (str(args.baseline_src.resolve()), home.with_name(home.name + "-baseline")),
             "this": (os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH", "")) if p), home)}
    envs = {label: _start(h, path, args.keep_db) for label, (path, h) in trees.items()}
    model = (args.model or [None])[0]
    print(f"corpus {root}  ({os.cpu_count()} CPUs, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())})")
    for label, (path, _) in trees.items():
        print(f"{label}: PYTHONPATH={path}")
    cold: dict[str, list[dict]] = {label: [] for label in trees}
    warm: dict[str, list[dict]] = {label: [] for label in trees}
    for i in range(args.runs):
        for label, env in envs.items():
            clear_vector_cache(env)
            s = run_index(root, f"bench-{Path(args.corpus).name}", env, full=True, model=model)
            cold[label].append(s)
            print(line(f"{label[:4]} cold #{i + 1}", s), flush=True)
    for i in range(args.rerun):
        for label, env in envs.items():
            s = run_index(root, f"bench-{Path(args.corpus).name}", env, full=False)
            warm[label].append(s)
            print(line(f"{label[:4]} no-chg #{i + 1}", s), flush=True)
    for label in trees:
        for kind, runs in (("cold", cold[label]), ("no-change", warm[label])):
            if runs:
                print(f"MEDIAN {label} {kind} ({len(runs)} runs): wall "
                      f"{statistics.median(r['process_wall_s'] for r in runs):.2f} s, peak RSS "
                      f"{statistics.median(r['process_peak_rss_mb'] for r in runs):.0f} MB, chunks "
                      f"{statistics.median(r['chunks_written'] for r in runs):.0f}")
    for kind, runs in (("cold", cold), ("no-change", warm)):
        if runs["this"] and runs["baseline"]:
            ratio = (statistics.median(r["process_wall_s"] for r in runs["this"])
                     / statistics.median(r["process_wall_s"] for r in runs["baseline"]))
            print(f"RATIO {kind} wall this / baseline: {ratio:.2f}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for env in envs.values():
        subprocess.run([sys.executable, "-m", "mnemo", "db", "stop"], env=env, capture_output=True)


def clear_vector_cache(env: dict[str, str]) -> None:
    code = ("from mnemo.store.db import Database\n"
            "with Database.open().connect(autocommit=True) as c: c.execute('TRUNCATE embedding_cache')\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)


def edit_runs(root: Path, env: dict[str, str], model: str | None, n: int) -> None:
    """Edit one file of a private copy, then time `mnemo index` (incremental, with the graph) plus
    a `mnemo search` that finds the new function: the edit-to-searchable latency."""
    import tempfile
    import time

    with tempfile.TemporaryDirectory(prefix="mnemo-edit-") as tmp:
        copy = Path(tmp) / root.name
        shutil.copytree(root, copy)
        repository = f"edit-{root.name}"
        run_index(copy, repository, env, full=True, model=model)
        target = sorted(p for p in copy.rglob("*.ts") if p.stat().st_size > 500)[len(list(copy.rglob("*.ts"))) // 3]
        original = target.read_text()
        walls, index_walls = [], []
        for i in range(n):
            name = f"mnemoEditProbe{i}"
            target.write_text(original + f"\nexport function {name}(value: number): number {{ return value * {i + 2}; }}\n")
            t = time.perf_counter()
            s = run_index(copy, repository, env, full=False)
            mid = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "mnemo", "search", name, "-r", repository, "--json", "-n", "1"],
                                 env=env, capture_output=True, text=True)
            wall = time.perf_counter() - t
            found = out.returncode == 0 and json.loads(out.stdout)[:1] and json.loads(out.stdout)[0]["name"] == name
            walls.append(wall)
            index_walls.append(mid - t)
            print(f"edit #{i + 1}: {target.relative_to(copy)} indexed {s['files_indexed']} file, "
                  f"{s['chunks_embedded']} chunks embedded / {s['chunks_reused']} reused, graph {s['graph_s']:.2f} s, "
                  f"index {mid - t:.2f} s + search {wall - (mid - t):.2f} s = {wall:.2f} s, found {bool(found)}",
                  flush=True)
        print(f"MEDIAN edit -> searchable ({n} runs): {statistics.median(walls):.2f} s "
              f"(index {statistics.median(index_walls):.2f} s)")


def _user_models_dir() -> Path:
    """The models directory a user's `mnemo` would use (outside the benchmark's MNEMO_HOME)."""
    clean = {k: v for k, v in os.environ.items() if k not in ("MNEMO_HOME",)}
    out = subprocess.run([sys.executable, "-c", "from mnemo.embed.static import models_dir; print(models_dir())"],
                         env=clean, capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


if __name__ == "__main__":
    main()
