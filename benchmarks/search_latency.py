"""Search latency benchmark: p50 and p95 per mode on an index of more than 100,000 chunks.

The index. Seven real corpora, fetched with the registries' own clients into
benchmarks/.cache/search/ (gitignored): django 5.2.19 (`django/`), sympy 1.14.0 (`sympy/`) and
pandas 2.3.3 (`pandas/`, from the wheel: its sdist needs a build to download) from PyPI;
rxjs 7.8.2 (`src/`), three 0.187.0 (`src/`), zod 4.6.7 (`src/`) and @babylonjs/core 9.35.0
from npm — one repository each, all with the packaged all-MiniLM-L6-v2 (384-d), searched
together. Every row is a real chunk: the files are scanned and parsed by Mnemo's own scanner
and chunker and stored by Mnemo's own writer (`store.writes.write_file`, one transaction per
file), so the stored text, the generated search document and the indexes are what
`mnemo index` produces.

What differs from `mnemo index`, and why: the embeddings. Embedding ~113,000 chunks with the full
256-word-piece text takes ~25 minutes on 2 idle cores and much longer on shared ones, so each
chunk's vector is the real model's embedding of a shorter text — its header (`kind
qualified_name in path`), signature and the first line of its docstring, at most 64 word pieces
(`--full-text` embeds the indexer's full text instead). They are real vectors of the real model
for each chunk, distinct and spread as code embeddings are; what HNSW's speed depends on (row
count, dimension, graph degree, the distribution of vectors) is as in a real index.

The queries (≥ 200, fixed seed): 120 first docstring sentences of functions (queries in words),
80 definition names and qualified names (identifier queries), sampled from the index, plus
a few hand-written questions. Each is timed through the public `mnemo.search.search()` — the
same call the CLI makes — including the query embedding, connecting, SQL, fusion and snippets;
model loading is excluded (one warm-up pass first). Modes are interleaved per query; `--runs`
passes in shuffled order; the figures are the medians over runs of each run's p50 and p95.

    python benchmarks/search_latency.py                  # build once (cached), then measure
    python benchmarks/search_latency.py --runs 5 --limit 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from search_quality import CACHE, fetch, first_sentence  # noqa: E402

HOME = CACHE / "latency-home"
CORPORA = {
    "django": ("pip:django==5.2.19", "django-5.2.19.tar.gz", "django-5.2.19/django"),
    "sympy": ("pip:sympy==1.14.0", "sympy-1.14.0.tar.gz", "sympy-1.14.0/sympy"),
    "pandas": ("wheel:pandas==2.3.3", "pandas-2.3.3-*.whl", "pandas"),
    "rxjs": ("npm:rxjs@7.8.2", "rxjs-7.8.2.tgz", "package/src"),
    "three": ("npm:three@0.187.0", "three-0.187.0.tgz", "package/src"),
    "zod": ("npm:zod@4.6.7", "zod-4.6.7.tgz", "package/src"),
    "babylon": ("npm:@babylonjs/core@9.35.0", "babylonjs-core-9.35.0.tgz", "package"),
}
HEADER_SEQ_LENGTH = 64
HAND_WRITTEN = [
    "retry a request with exponential backoff",
    "parse a configuration file",
    "compute the inverse of a matrix",
    "merge two data frames on a key column",
    "render the scene with shadows",
    "validate an email address",
    "convert a timezone aware datetime to UTC",
    "debounce a function call",
]


def header_text(chunk, rel_path: str) -> str:
    doc = (chunk.docstring or "").strip().splitlines()
    return "\n".join(filter(None, [f"{chunk.kind} {chunk.qualified_name} in {rel_path}", chunk.signature,
                                   doc[0] if doc else ""]))


def build(database, full_text: bool) -> None:
    """Store every corpus that is not stored yet (a repository per corpus)."""
    from mnemo.chunk import parse_source
    from mnemo.embed import chunk_text, load_embedder
    from mnemo.pipeline import content_hash
    from mnemo.scan import scan
    from mnemo.store import writes

    embedder = load_embedder()
    model = embedder._model
    for name, spec in CORPORA.items():
        repo_name = f"latency-{name}"
        with database.connect() as conn:
            repo = writes.repository_by_name(conn, repo_name)
            marker = conn.execute("SELECT options->>'complete' FROM index_runs r JOIN repositories p ON p.id = r.repository_id "
                                  "WHERE p.name = %s ORDER BY r.id DESC LIMIT 1", (repo_name,)).fetchone()
        if repo is not None and marker and marker[0] == "yes":
            continue
        root = fetch(name, spec)
        t = time.perf_counter()
        with database.connect() as conn:
            if repo is not None:
                writes.delete_repository(conn, repo_name)
            repo = writes.create_repository(conn, repo_name, str(root), embedder.model_name, embedder.dimension)
            run_id = writes.start_run(conn, repo.id, "full", {"benchmark": "search_latency"})
            pending: list[tuple] = []
            texts: list[str] = []
            chunks = files = 0

            def flush() -> None:
                nonlocal pending, texts
                if not texts:
                    return
                saved = model.max_seq_length
                model.max_seq_length = saved if full_text else HEADER_SEQ_LENGTH
                try:
                    vectors = embedder.embed_documents(texts)
                finally:
                    model.max_seq_length = saved
                at = 0
                for source, digest, parsed in pending:
                    n = len(parsed.chunks)
                    writes.write_file(conn, repo, source, digest, parsed, vectors[at : at + n])
                    at += n
                pending, texts = [], []

            for source in scan(root):
                data = source.path.read_bytes()
                parsed = parse_source(data, source.language, allow_partial=True)
                if not parsed.chunks:
                    continue
                pending.append((source, content_hash(data), parsed))
                texts += [chunk_text(c, source.rel_path) if full_text else header_text(c, source.rel_path)
                          for c in parsed.chunks]
                files += 1
                chunks += len(parsed.chunks)
                if len(texts) >= 512:
                    flush()
                    print(f"\r  {name}: {files} files, {chunks} chunks, {time.perf_counter() - t:.0f} s", end="", flush=True)
            flush()
            writes.finish_run(conn, run_id, "succeeded", {"files_indexed": files, "chunks_written": chunks})
            conn.execute("UPDATE index_runs SET options = options || '{\"complete\": \"yes\"}' WHERE id = %s", (run_id,))
            conn.commit()
        print(f"\r  {name}: {files} files, {chunks} chunks stored in {time.perf_counter() - t:.0f} s")
    with database.connect(autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE chunks")


def make_queries(database, seed: int) -> list[str]:
    rng = random.Random(seed)
    with database.connect() as conn:
        docs = conn.execute(
            "SELECT docstring FROM chunks WHERE kind IN ('function', 'method') AND docstring <> '' "
            "ORDER BY md5(id::text || %s) LIMIT 3000", (str(seed),)
        ).fetchall()
        names = conn.execute(
            "SELECT CASE WHEN kind = 'method' AND md5(id::text) < '8' THEN qualified_name ELSE name END "
            "FROM chunks WHERE length(name) > 3 ORDER BY md5(id::text || %s) LIMIT 400", (str(seed),)
        ).fetchall()
    sentences = [s for (d,) in docs if (s := first_sentence(d))]
    words = list(dict.fromkeys(sentences))[:120]
    idents = list(dict.fromkeys(n for (n,) in names if re.match(r"^[\w.]+$", n)))[:80]
    queries = words + idents + HAND_WRITTEN
    rng.shuffle(queries)
    return queries


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--limit", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--modes", nargs="+", default=["lexical", "vector", "hybrid"])
    ap.add_argument("--full-text", action="store_true", help="embed the indexer's full chunk text (slow)")
    ap.add_argument("--language", help="also apply this language filter to every query")
    ap.add_argument("--json", metavar="FILE")
    ap.add_argument("--build-only", action="store_true", help="store the corpora and stop")
    args = ap.parse_args()

    os.environ["MNEMO_HOME"] = str(HOME)
    os.environ.pop("MNEMO_DATABASE_URL", None)
    from mnemo.embed import load_embedder
    from mnemo.search import search
    from mnemo.search.filters import Filters
    from mnemo.search.vector import explain_vector_plan
    from mnemo.store.db import Database

    database = Database.open()
    build(database, args.full_text)
    if args.build_only:
        return
    with database.connect() as conn:
        per_repo = conn.execute(
            "SELECT r.name, count(c.id) FROM repositories r JOIN chunks c ON c.repository_id = r.id "
            "WHERE r.name LIKE 'latency-%%' GROUP BY r.name ORDER BY r.name").fetchall()
        total = sum(n for _, n in per_repo)
        sizes = conn.execute(
            "SELECT pg_size_pretty(pg_table_size('chunks')), "
            "pg_size_pretty(pg_relation_size('chunks_embedding_384_hnsw')), "
            "pg_size_pretty(pg_relation_size('chunks_search_tsv_idx'))").fetchone()
        plan = explain_vector_plan(conn, 384, Filters(repository_ids=tuple(range(1, 100))), 30)
    listing = ", ".join(f"{n.removeprefix('latency-')} {c}" for n, c in per_repo)
    print(f"index: {total} chunks ({listing}); "
          f"table {sizes[0]}, HNSW {sizes[1]}, GIN {sizes[2]}")
    print("vector plan uses HNSW:", "chunks_embedding_384_hnsw" in plan)

    queries = make_queries(database, args.seed)
    print(f"{len(queries)} queries, modes {args.modes}, limit {args.limit}, {args.runs} runs, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    load_embedder()
    kwargs = {"limit": args.limit, "language": args.language}
    for q in queries[:20]:  # warm-up: model, caches, connections
        for mode in args.modes:
            search(database, q, mode=mode, **kwargs)
    # Two ways in: a Database (a connection opened per call, as the CLI does) and an open
    # connection reused across calls (as a server with a pool does).
    keys = [f"{m}/{how}" for m in args.modes for how in ("fresh", "reused")]
    runs: list[dict[str, dict[str, float]]] = []
    embed_times: list[float] = []
    embedder = load_embedder()
    with database.connect(autocommit=True) as conn:
        for run in range(args.runs):
            order = list(queries)
            random.Random(args.seed + run).shuffle(order)
            times: dict[str, list[float]] = {k: [] for k in keys}
            for q in order:
                for mode in args.modes:
                    for how, target in (("fresh", database), ("reused", conn)):
                        t = time.perf_counter()
                        search(target, q, mode=mode, **kwargs)
                        times[f"{mode}/{how}"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                embedder.embed_query(q)
                embed_times.append((time.perf_counter() - t) * 1000)
            stats = {k: {"p50": percentile(v, 50), "p95": percentile(v, 95), "mean": statistics.fmean(v)}
                     for k, v in times.items()}
            runs.append(stats)
            print(f"run {run + 1}: " + "  ".join(f"{k} p50 {s['p50']:.1f} p95 {s['p95']:.1f}" for k, s in stats.items())
                  + f" ms  (load {os.getloadavg()[0]:.1f})", flush=True)
    result = {k: {x: statistics.median(r[k][x] for r in runs) for x in ("p50", "p95", "mean")} for k in keys}
    print(f"\nMEDIAN of {args.runs} runs, {len(queries)} queries each, {total} chunks"
          f"{', language ' + args.language if args.language else ''}, limit {args.limit}:")
    for k, s in result.items():
        print(f"  {k:<16} p50 {s['p50']:6.1f} ms   p95 {s['p95']:6.1f} ms   mean {s['mean']:6.1f} ms")
    print(f"  query embedding alone: p50 {percentile(embed_times, 50):.1f} ms, p95 {percentile(embed_times, 95):.1f} ms")
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} ({os.cpu_count()} CPUs, shared)")
    if args.json:
        Path(args.json).write_text(json.dumps({"chunks": total, "queries": len(queries), "runs": runs,
                                               "median": result}, indent=2))


if __name__ == "__main__":
    main()
