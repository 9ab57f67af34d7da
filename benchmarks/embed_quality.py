"""Search quality per embedding backend on the semble benchmark's dev split (or a fixed subset).

For each backend the same repositories are indexed in-process by the real pipeline into a
private embedded database, then every query of those repositories is searched in-process with
`mnemo.search.search` (hybrid, the ranking on this branch, limit 10) and scored by the shared
scorer (`../shared/benchmarks/semble_score.py`: NDCG@10 per query, mean per repository, overall
= mean of the repository means). In-process because a transformer in a fresh process per query
would measure model loading, not ranking. Prints one line per repository and backend, then the
frontier: overall NDCG@10 and total indexing seconds per backend, and the gap to the best.

    python benchmarks/embed_quality.py --models static onnx minilm \
        --repos-dir /work/cache/semble --repo-filter gin,cobra,sinatra,rack,zod,aeson
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# ../shared/benchmarks/semble-dev from the checkout (a worktree sits one level deeper)
DEFAULT_BENCH = next((p / "shared" / "benchmarks" / "semble-dev" for p in HERE.parents
                      if (p / "shared" / "benchmarks" / "semble-dev").is_dir()), HERE / "semble-dev")


def load_scorer(bench: Path):
    path = bench.parent / "semble_score.py"
    spec = importlib.util.spec_from_file_location("semble_score", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["semble_score"] = module
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    ap.add_argument("--repos-dir", type=Path, default=Path("/work/cache/semble"))
    ap.add_argument("--repo-filter", help="comma-separated repository names (default: all of the split)")
    ap.add_argument("--models", nargs="+", default=["static", "onnx", "minilm"])
    ap.add_argument("--home", type=Path, default=HERE / ".cache" / "embed-quality-home")
    args = ap.parse_args()

    sc = load_scorer(args.bench)
    specs = sc.load_specs(args.bench)
    names = [n for n in (args.repo_filter.split(",") if args.repo_filter else specs) if n in specs]
    queries = [q for q in sc.load_queries(args.bench, specs) if q.repo in names]
    if args.home.exists():
        shutil.rmtree(args.home)
    os.environ["MNEMO_HOME"] = str(args.home)
    os.environ.pop("MNEMO_DATABASE_URL", None)
    from mnemo.embed import load_embedder
    from mnemo.pipeline import IndexOptions, index_repository
    from mnemo.search import search
    from mnemo.store.db import Database

    database = Database.open()
    print(f"{len(names)} repositories, {len(queries)} queries, models {args.models}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    table: dict[str, dict[str, float]] = {}
    index_s: dict[str, float] = {}
    chunks: dict[str, int] = {}
    for model in args.models:
        embedder = load_embedder(model)
        per_repo: dict[str, float] = {}
        index_s[model] = 0.0
        chunks[model] = 0
        for name in names:
            spec = specs[name]
            root = args.repos_dir / name
            search_dir = root / spec.get("benchmark_root", "") if spec.get("benchmark_root") else root
            repo = f"{name}-{embedder.model_name}"
            t = time.perf_counter()
            summary = index_repository(database, search_dir, IndexOptions(name=repo, full=True, model=embedder.model_name),
                                       embedder=embedder)
            took = time.perf_counter() - t
            index_s[model] += took
            chunks[model] += summary.chunks_written
            scores = []
            for q in (q for q in queries if q.repo == name):
                t = time.perf_counter()
                results = search(database, q.text, repositories=[repo], mode="hybrid", limit=10, embedder=embedder)
                hits = [sc.Hit(sc.to_repo_relative(r.file_path, root, search_dir), r.start_line, r.end_line)
                        for r in results]
                scores.append(sc.score(q, hits, 10, "chunk", (time.perf_counter() - t) * 1000, None).ndcg10)
            per_repo[name] = statistics.fmean(scores) if scores else 0.0
            print(f"  {model:<8} {name:<22} NDCG@10 {per_repo[name]:.3f}  ({len(scores)} queries, "
                  f"{summary.chunks_written} chunks, index {took:.1f} s)", flush=True)
        table[model] = per_repo
    overall = {m: statistics.fmean(v.values()) for m, v in table.items()}
    best = max(overall.values())
    print("\nbackend   NDCG@10  gap to best  index s (all repos)  chunks")
    for m in args.models:
        print(f"{m:<9} {overall[m]:.3f}    {overall[m] - best:+.3f}       {index_s[m]:8.1f}            {chunks[m]}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
