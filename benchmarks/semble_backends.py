"""The embedding backends side by side on the semble dev split: lexical, vector and hybrid
NDCG@10 of each, the indexing time of the whole split, and hybrid per language and per query
category — the frontier the default model is chosen on (issue 10: the default's hybrid NDCG@10
within 0.01 of the best backend's).

Each backend has its own benchmark database (MNEMO_HOME), indexed from the same pinned trees by
`search_semble.py --model M --index-only` (the real `mnemo index`, one process per repository);
each is then evaluated by `search_semble.py --reuse` with the same queries, scorer and ranking,
so the backends differ only in their vectors (and in the vector half of fusion).

    # index (long: the transformers embed ~30-40 chunks/s on 2 loaded cores; --nice lowers priority)
    python benchmarks/semble_backends.py --index --nice \\
        --backend static=benchmarks/.cache/backends-static-home --backend onnx=benchmarks/.cache/backends-onnx-home
    # the table from what is indexed
    python benchmarks/semble_backends.py \\
        --backend static=benchmarks/.cache/backends-static-home --backend onnx=benchmarks/.cache/backends-onnx-home

    # do two backends' vectors agree? (cosine over 500 chunks of the first home, each model from its home)
    python benchmarks/semble_backends.py --agreement 500 \\
        --backend onnx=benchmarks/.cache/backends-onnx-home --backend minilm=benchmarks/.cache/backends-torch-home

--backend MODEL=HOME: MODEL is a `--model` name (static, onnx, minilm, or any other). Indexing
writes HOME/index.log (search_semble.py's progress: one line per repository with its wall
seconds) and HOME/index_time.json (the wall of the whole split, the load average before and
after); the table's "index s" is that wall, or, without it, the sum of the per-repository lines
of HOME/index.log. Wall times are this machine's under its load at the time (printed): compare
backends measured side by side, not with figures from elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "search_semble.py"
MODES = ("lexical", "vector", "hybrid")
_LOG_LINE = re.compile(r"^\s+indexed (\S+): (\d+) chunks written.*?, ([\d.]+) s")


def parse_backends(items: list[str]) -> list[tuple[str, Path]]:
    out = []
    for item in items:
        model, sep, home = item.partition("=")
        if not sep or not model or not home:
            raise SystemExit(f"--backend wants MODEL=HOME, not {item!r}")
        out.append((model, Path(home)))
    return out


def index(model: str, home: Path, extra: list[str], nice: bool) -> None:
    """Index the split into `home` with `model`; keep the log and the wall time there."""
    home.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(RUNNER), "--home", str(home), "--model", model, "--index-only", *extra]
    if nice:
        cmd = ["nice", "-n", "19", *cmd]
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    with (home / "index.log").open("w") as log:
        proc = subprocess.run(cmd, stderr=log, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"indexing {model} into {home} failed ({proc.returncode}); see {home / 'index.log'}")
    (home / "index_time.json").write_text(json.dumps({
        "model": model, "wall_s": round(wall, 1), "load_before": load_before, "load_after": os.getloadavg(),
        "command": cmd,
    }, indent=1) + "\n")
    print(f"indexed the split with {model} in {wall:.0f} s", file=sys.stderr)


def index_time(home: Path, repos: set[str] | None = None) -> tuple[float | None, str]:
    """(seconds, how they were obtained) for indexing the split — or only `repos` — into `home`:
    the recorded wall of a whole-split run, else the sum of the per-repository lines of the log
    (the last line of a repository counts, when it was indexed more than once)."""
    stamp = home / "index_time.json"
    if stamp.is_file() and not repos:
        data = json.loads(stamp.read_text())
        return data["wall_s"], "wall, load {:.1f} -> {:.1f}".format(data["load_before"][0], data["load_after"][0])
    log = home / "index.log"
    if log.is_file():
        secs = {m.group(1): float(m.group(3)) for line in log.read_text().splitlines() if (m := _LOG_LINE.match(line))}
        if repos:
            secs = {name: v for name, v in secs.items() if name in repos}
        if secs:
            missing = f", {len(repos - set(secs))} not in the log" if repos and repos - set(secs) else ""
            return sum(secs.values()), f"sum of {len(secs)} repositories in index.log{missing}"
    return None, "not recorded"


def evaluate(home: Path, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "summary.json"
        cmd = [sys.executable, str(RUNNER), "--home", str(home), "--reuse", "--modes", ",".join(MODES),
               "--json-out", str(out), *extra]
        proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"evaluating {home} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        return json.loads(out.read_text())


def agreement(backends: list[tuple[str, Path]], sample: int) -> dict:
    """Cosine between the backends' vectors of the same chunk texts: `sample` chunks of the first
    backend's database (a fixed pseudo-random order, md5 of the id), embedded by every backend's
    model loaded from its own home. A backend that agrees with a measured one to ~0.999 ranks
    like it: the figure that lets a backend too slow for the whole split be judged by another."""
    import numpy as np

    os.environ["MNEMO_HOME"] = str(backends[0][1])
    os.environ.pop("MNEMO_DATABASE_URL", None)
    from types import SimpleNamespace

    from mnemo.embed import chunk_text, load_embedder
    from mnemo.store.db import Database, connect

    with connect(Database.open().url) as conn:
        rows = conn.execute("SELECT path, kind, qualified_name, signature, docstring, source FROM chunks"
                            " ORDER BY md5(id::text) LIMIT %s", (sample,)).fetchall()
    texts = [chunk_text(SimpleNamespace(kind=k, qualified_name=q, signature=s or "", docstring=d, source=src), p)
             for p, k, q, s, d, src in rows]
    vectors = {}
    for model, home in backends:
        os.environ["MNEMO_MODELS"] = str(home / "models")  # each backend's own built model
        t0 = time.perf_counter()
        vectors[model] = load_embedder(model).embed_documents(texts)
        print(f"  {model}: {len(texts)} chunks embedded in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    out = {}
    print(f"\nagreement on {len(texts)} chunks of {backends[0][1]} (cosine of the two vectors of each chunk)")
    print("| pair | mean | min | 5th percentile |")
    print("|---|---:|---:|---:|")
    names = [m for m, _ in backends]
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if vectors[a].shape != vectors[b].shape:
                continue
            cos = np.sum(vectors[a] * vectors[b], axis=1)
            out[f"{a}~{b}"] = {"mean": float(cos.mean()), "min": float(cos.min()), "p05": float(np.percentile(cos, 5))}
            print(f"| {a} ~ {b} | {cos.mean():.4f} | {cos.min():.4f} | {np.percentile(cos, 5):.4f} |")
    return out


def _f(v: float | None) -> str:
    return f"{v:.3f}" if v is not None else "-"


def table(results: dict[str, dict], times: dict[str, tuple[float | None, str]]) -> dict:
    names = list(results)
    hybrid = {n: results[n]["modes"]["hybrid"]["ndcg10"] for n in names}
    best = max(hybrid.values())
    print("\nbackends on the semble dev split (NDCG@10, mean of per-repository means)")
    print("| backend | repos | queries | chunks | lexical | vector | hybrid | hybrid − best | index the split |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in names:
        r = results[n]
        chunks = sum(p["chunks"] for p in r["per_repo"].values())
        secs, how = times[n]
        print(f"| {n} | {r['repos']} | {r['queries']} | {chunks} | {_f(r['modes']['lexical']['ndcg10'])} | "
              f"{_f(r['modes']['vector']['ndcg10'])} | {_f(hybrid[n])} | {hybrid[n] - best:+.3f} | "
              + (f"{secs:.0f} s ({how})" if secs is not None else how) + " |")
    for title, key in (("language", "by_language"), ("query category", "by_category")):
        values = sorted({v for n in names for v in results[n]["modes"]["hybrid"][key]})
        print(f"\nhybrid NDCG@10 per {title}")
        print(f"| {title.split()[-1]} | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        for v in values:
            print(f"| {v} | " + " | ".join(_f(results[n]["modes"]["hybrid"][key].get(v)) for n in names) + " |")
    default = names[0]
    print(f"\n{default} (first backend listed) hybrid {hybrid[default]:.3f}, best {best:.3f} "
          f"({max(hybrid, key=hybrid.get)}): {'within' if best - hybrid[default] <= 0.01 else 'NOT within'} 0.01")
    return {"backends": {n: {"ndcg10": {m: results[n]["modes"][m]["ndcg10"] for m in MODES},
                             "by_language": results[n]["modes"]["hybrid"]["by_language"],
                             "by_category": results[n]["modes"]["hybrid"]["by_category"],
                             "index_s": times[n][0], "index_how": times[n][1],
                             "per_repo": results[n]["per_repo"]} for n in names},
            "best": best, "gap_of_first": best - hybrid[default]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", action="append", required=True, metavar="MODEL=HOME",
                    help="a backend and its benchmark home; the first is the one compared with the best")
    ap.add_argument("--index", action="store_true", help="index the split into each home first (--full)")
    ap.add_argument("--nice", action="store_true", help="index at the lowest CPU priority")
    ap.add_argument("--repos", default="", help="comma list of repositories (default: every pinned tree)")
    ap.add_argument("--agreement", type=int, metavar="N",
                    help="instead of the table: the cosine between the backends' vectors of N chunks")
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args(argv)
    backends = parse_backends(args.backend)
    if args.agreement:
        result = agreement(backends, args.agreement)
        if args.json_out:
            args.json_out.write_text(json.dumps(result, indent=2) + "\n")
        return 0
    extra = ["--repos", args.repos] if args.repos else []
    if args.index:
        for model, home in backends:
            index(model, home, [*extra, "--full"], args.nice)
    results, times = {}, {}
    for model, home in backends:
        print(f"evaluating {model} ({home})", file=sys.stderr, flush=True)
        results[model] = evaluate(home, extra)
        times[model] = index_time(home, set(args.repos.split(",")) if args.repos else None)
    summary = table(results, times)
    summary["load_average"] = os.getloadavg()
    print(f"load average {' '.join(f'{x:.2f}' for x in summary['load_average'])}")
    if args.json_out:
        args.json_out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
