"""The semble code-search benchmark (dev split) run on Mnemo: NDCG@10 of lexical, vector and hybrid
search per repository, per language and per query category, next to the published figures, with
the coverage ceiling of Mnemo's chunks.

The split (56 repositories, 1,112 queries, pinned `repos.json`, published results) and its stdlib
scorer live in the shared benchmark folder (`--bench`, default `../shared/benchmarks` next to the
checkout, else /work/shared/benchmarks). The scorer's protocol is used as is: this script imports
`semble_score.py` from there (its Query/Target/Hit types, `score`, `hit_covers`, `ndcg`,
`load_reference`), so a result counts exactly as it would through `semble_score.py --cmd`.

How it runs:
  * each pinned tree (`--trees`, default benchmarks/.cache/../semble = /work/cache/semble, written
    by the shared `materialize_repos.py`) is indexed with the real `mnemo index` command, one
    repository `semble-<name>` per tree, the directory indexed being <tree>/<benchmark_root> as
    semble searches it, into a private embedded PostgreSQL (`--home`, benchmarks/.cache/semble-home);
  * every query is answered in THIS process through `mnemo.search.search` over one connection
    (the same path the API takes), so latency is a warm server's;
  * results are scored with semble_score.score (k = 10, chunk-span matching);
  * coverage: the share of the targets that overlap at least one stored chunk (a target without a
    span: its file has a chunk), and the ceiling: the NDCG@10 a perfect ranker would reach with
    these chunks (greedy: chunks that cover few uncovered targets first, each rank gaining only
    when it covers a target no earlier rank covered — semble's rule that a result satisfying two
    targets counts once).

Re-indexing: a repository is indexed again (`--full`) when the code that decides its chunks or
vectors changed since it was indexed (a hash of chunk.py, parse.py, extract.py, scan.py,
languages/, embed*, migrations/ is kept per repository in <home>/stamps.json). `--reuse` skips
indexing altogether (the figures then describe the stored chunks, whatever made them);
`--index-only` stops after indexing.

    python benchmarks/search_semble.py                                # whole split, all modes
    python benchmarks/search_semble.py --repos fastapi,gin --modes lexical --reuse
    python benchmarks/search_semble.py --languages python,go --details /tmp/details.jsonl
    python benchmarks/search_semble.py --reuse --modes lexical --set lexical.k1=1.2
    python benchmarks/search_semble.py --reuse --record /tmp/r.pkl.gz          # keep retrieval lists
    python benchmarks/search_semble.py --reuse --replay /tmp/r.pkl.gz --set fused_file_evidence=0.3
    python benchmarks/search_semble.py --reuse --replay /tmp/r.pkl.gz --fit-fusion 0.3,0.4,0.5,0.6

--record/--replay: the lexical and vector lists of every query (100 deep, as mnemo.search takes
them) and the rows of their chunks are stored once; a replay runs fusion and the reranker through
the same `mnemo.search.order` without SQL or embedding (~10 s for the split instead of minutes),
exact for ranking settings (not for lexical.* or depth, which change retrieval). Replay latency
figures are not search latency.

Repositories of the split without a pinned tree under --trees are listed apart ("not run") and
never enter a mean. The published means this prints are recomputed over the repositories run.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
CACHE = HERE / ".cache"
MODES = ("lexical", "vector", "hybrid")
BASELINE = "bm25-baseline"  # semble_score's own BM25 over its own chunks, scored through this script
K = 10
RECORD_DEPTH = 100  # = rank.settings.depth: what mnemo.search takes from each list
# The published result files of the split (semble-dev/results/), as (column, file, mode).
REFERENCES = (
    ("semble", "results/semble-hybrid-0332378809c5.json", None),
    ("CRE-hyb", "results/coderankembed-0332378809c5.json", "hybrid"),
    ("sem-bm25", "results/semble-ablations-215a04760692.json", "semble-bm25"),
    ("BM25", "results/semble-ablations-1ea77add4c1b.json", "bm25"),
)
STAMPED = ("chunk.py", "module_chunks.py", "parse.py", "extract.py", "scan.py", "embed.py", "embed", "languages")


def default_bench() -> Path:
    for cand in (CHECKOUT.parent / "shared" / "benchmarks", Path("/work/shared/benchmarks")):
        if (cand / "semble_score.py").is_file():
            return cand
    return CHECKOUT.parent / "shared" / "benchmarks"


def default_trees() -> Path:
    shared = CACHE.resolve().parent / "semble"  # benchmarks/.cache -> /work/cache/bench: /work/cache/semble
    return shared if shared.is_dir() else CACHE / "semble"


def load_scorer(bench: Path):
    """semble_score.py as a module (stdlib only; importing it runs nothing)."""
    path = bench / "semble_score.py"
    if not path.is_file():
        raise SystemExit(f"no semble_score.py in {bench}; pass --bench")
    spec = importlib.util.spec_from_file_location("semble_score", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["semble_score"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


# --- indexing -------------------------------------------------------------------------------------


def code_stamp() -> str:
    """A hash of the code that decides which chunks and vectors a tree gets."""
    src = CHECKOUT / "src" / "mnemo"
    h = hashlib.sha256()
    for name in STAMPED:
        p = src / name
        files = sorted(p.rglob("*")) if p.is_dir() else [p]
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(str(f.relative_to(src)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def index_repository(name: str, search_dir: Path, home: Path, stamps: dict, *, full: bool, model: str | None) -> dict:
    """Run the real `mnemo index` on one tree; returns its JSON summary."""
    stamp = code_stamp()
    full = full or stamps.get(name) != stamp
    cmd = [sys.executable, "-m", "mnemo", "index", str(search_dir), "-r", f"semble-{name}", "--json", "--no-progress"]
    if full:
        cmd.append("--full")
    if model:
        cmd += ["--model", model]
    env = {**os.environ, "MNEMO_HOME": str(home), "PYTHONPATH": str(CHECKOUT / "src")}
    env.pop("MNEMO_DATABASE_URL", None)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"mnemo index {search_dir} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    summary = json.loads(proc.stdout)
    summary["process_wall_s"] = wall
    summary["full"] = full
    stamps[name] = stamp
    (home / "stamps.json").write_text(json.dumps(stamps, indent=1))
    return summary


# --- coverage --------------------------------------------------------------------------------------


def chunk_spans(conn: Any, repository: str, paths: list[str]) -> dict[str, list[tuple[int, int]]]:
    """Stored chunk spans of the given files (paths relative to the indexed directory)."""
    rows = conn.execute(
        "SELECT c.path, c.start_line, c.end_line FROM chunks c JOIN repositories r ON r.id = c.repository_id"
        " WHERE r.name = %s AND c.path = ANY(%s)",
        (repository, paths),
    ).fetchall()
    out: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for path, start, end in rows:
        out[path].append((start, end))
    return out


def ceiling(ss, query, spans: dict[str, list[tuple[int, int]]], prefix: str) -> tuple[int, float]:
    """(targets covered by some chunk, NDCG@10 of a perfect ordering of these chunks)."""
    cover: dict[tuple[str, int, int], set[int]] = {}
    for path, items in spans.items():
        for start, end in items:
            hit = ss.Hit(prefix + path, start, end)
            got = {i for i, t in enumerate(query.targets) if ss.hit_covers(hit, t)}
            if got:
                cover[(path, start, end)] = got
    covered = set().union(*cover.values()) if cover else set()
    uncovered, gains = set(covered), 0
    while uncovered and gains < K:
        best = min((c for c in cover.values() if c & uncovered), key=lambda c: len(c & uncovered), default=None)
        if best is None:
            break
        uncovered -= best
        gains += 1
    return len(covered), ss.ndcg(list(range(1, gains + 1)), len(query.targets), K)


# --- evaluation ------------------------------------------------------------------------------------


@dataclass
class RepoRun:
    name: str
    language: str
    queries: list[Any]
    scored: dict[str, list[Any]] = field(default_factory=dict)  # mode -> semble_score.Scored per query
    latency: dict[str, list[float]] = field(default_factory=dict)
    covered: int = 0
    targets: int = 0
    ceilings: list[float] = field(default_factory=list)
    chunks: int = 0

    def ndcg(self, mode: str, category: str | None = None) -> float | None:
        vals = [s.ndcg10 for s in self.scored.get(mode, []) if category is None or s.query.category == category]
        return sum(vals) / len(vals) if vals else None

    def mrr(self, mode: str, category: str | None = None) -> float | None:
        vals = [s.mrr for s in self.scored.get(mode, []) if category is None or s.query.category == category]
        return sum(vals) / len(vals) if vals else None


def evaluate(ss, conn, run: RepoRun, bench_root: str, modes: list[str], search_kwargs: dict, embedder: Any,
             trees: Path, replay: "Recorded | None" = None) -> None:
    from mnemo.search import search

    repository = f"semble-{run.name}"
    prefix = f"{bench_root.strip('/')}/" if bench_root else ""
    run.chunks = conn.execute(
        "SELECT count(*) FROM chunks c JOIN repositories r ON r.id = c.repository_id WHERE r.name = %s", (repository,)
    ).fetchone()[0]
    for q in run.queries:
        # A target names its file relative to the repository (`src/XMonad/Core.hs`) or, in some
        # repositories' annotations, relative to the benchmark root (`Core.hs`); the scorer matches
        # both (a path suffix), so the coverage count does too.
        local = sorted({t.path[len(prefix):] if t.path.startswith(prefix) else t.path for t in q.targets})
        n_cov, best = ceiling(ss, q, chunk_spans(conn, repository, local), prefix)
        run.covered += n_cov
        run.targets += len(q.targets)
        run.ceilings.append(best)
    for mode in modes:
        scored, lat = [], []
        if mode == BASELINE:  # validates this script's scoring path against semble_score --baseline bm25
            root = trees / run.name
            index = ss.BM25Index(root, root / bench_root if bench_root else root)
            for q in run.queries:
                t0 = time.perf_counter()
                hits = index.search(q.text, K)
                lat.append((time.perf_counter() - t0) * 1000)
                scored.append(ss.score(q, hits, K, "chunk", lat[-1], None))
            run.scored[mode], run.latency[mode] = scored, lat
            continue
        for i, q in enumerate(run.queries):
            t0 = time.perf_counter()
            if replay is not None:
                hits = [ss.Hit(prefix + p, a, b) for p, a, b in replay.ranked(run.name, i, q.text, mode, search_kwargs)]
            else:
                results = search(conn, q.text, repositories=[repository], mode=mode, limit=K, embedder=embedder,
                                 **search_kwargs)
                hits = [ss.Hit(prefix + r.file_path, r.start_line, r.end_line) for r in results]
            lat.append((time.perf_counter() - t0) * 1000)
            scored.append(ss.score(q, hits, K, "chunk", lat[-1], None))
        run.scored[mode], run.latency[mode] = scored, lat


# --- report ----------------------------------------------------------------------------------------


def _mean(vals: list[float | None]) -> float | None:
    vals = [v for v in vals if v is not None]
    return sum(vals) / len(vals) if vals else None


def _f(v: float | None, width: int = 6) -> str:
    return f"{v:>{width}.3f}" if v is not None else f"{'-':>{width}}"


def load_refs(ss, bench: Path) -> dict[str, dict[str, dict]]:
    """column -> repo -> {ndcg10, by_category} from the published result files."""
    out: dict[str, dict[str, dict]] = {}
    for column, rel, mode in REFERENCES:
        path = bench / "semble-dev" / rel
        if not path.is_file():
            continue
        rows = json.loads(path.read_text()).get("repos", [])
        out[column] = {r["repo"]: r for r in rows if mode is None or r.get("mode") == mode}
    return out


def report(runs: list[RepoRun], modes: list[str], refs: dict[str, dict[str, dict]], not_run: list[str]) -> dict:
    cols = list(refs)
    head = f"{'repository':<20} {'language':<11} {'n':>3} {'chunks':>6} {'cover':>6} {'ceil':>6} " + " ".join(
        f"{m[:6]:>6}" for m in modes) + " | " + " ".join(f"{c:>8}" for c in cols)
    print("\nper repository (NDCG@10; cover = share of targets overlapping a chunk; ceil = perfect-ranker NDCG@10)")
    print(head)
    print("-" * len(head))
    for r in runs:
        print(f"{r.name:<20} {r.language:<11} {len(r.queries):>3} {r.chunks:>6} {r.covered / max(r.targets, 1):>6.3f} "
              f"{_mean(r.ceilings):>6.3f} " + " ".join(_f(r.ndcg(m)) for m in modes) + " | "
              + " ".join(_f(refs[c].get(r.name, {}).get("ndcg10"), 8) for c in cols))
    print("-" * len(head))
    summary: dict[str, Any] = {"repos": len(runs), "queries": sum(len(r.queries) for r in runs), "modes": {}}
    overall = {m: _mean([r.ndcg(m) for r in runs]) for m in modes}
    ref_overall = {c: _mean([refs[c].get(r.name, {}).get("ndcg10") for r in runs]) for c in cols}
    cov = sum(r.covered for r in runs) / max(1, sum(r.targets for r in runs))
    ceil = _mean([_mean(r.ceilings) for r in runs])
    print(f"{'mean over repositories':<36} {'':>6} {cov:>6.3f} {_f(ceil)} " + " ".join(_f(overall[m]) for m in modes)
          + " | " + " ".join(_f(ref_overall[c], 8) for c in cols))

    print("\nper language (mean of repositories)")
    langs = sorted({r.language for r in runs})
    head = f"{'language':<11} {'repos':>5} {'cover':>6} {'ceil':>6} " + " ".join(f"{m[:6]:>6}" for m in modes) + " | " + " ".join(f"{c:>8}" for c in cols)
    print(head)
    print("-" * len(head))
    for lang in langs:
        rs = [r for r in runs if r.language == lang]
        c = sum(r.covered for r in rs) / max(1, sum(r.targets for r in rs))
        print(f"{lang:<11} {len(rs):>5} {c:>6.3f} {_f(_mean([_mean(r.ceilings) for r in rs]))} "
              + " ".join(_f(_mean([r.ndcg(m) for r in rs])) for m in modes) + " | "
              + " ".join(_f(_mean([refs[col].get(r.name, {}).get("ndcg10") for r in rs]), 8) for col in cols))

    print("\nper query category (mean over repositories of the per-repository category mean; MRR for symbol)")
    cats = sorted({q.category for r in runs for q in r.queries})
    head = f"{'category':<13} {'n':>4} " + " ".join(f"{m[:6]:>6}" for m in modes) + " | " + " ".join(f"{c:>8}" for c in cols)
    print(head)
    print("-" * len(head))
    for cat in cats:
        n = sum(1 for r in runs for q in r.queries if q.category == cat)
        print(f"{cat:<13} {n:>4} " + " ".join(_f(_mean([r.ndcg(m, cat) for r in runs])) for m in modes) + " | "
              + " ".join(_f(_mean([refs[col].get(r.name, {}).get("by_category", {}).get(cat) for r in runs]), 8) for col in cols))
    print(f"{'symbol MRR':<13} {'':>4} " + " ".join(_f(_mean([r.mrr(m, 'symbol') for r in runs])) for m in modes))

    print("\nlatency per query (ms, this process, one connection)")
    for m in modes:
        lat = sorted(x for r in runs for x in r.latency.get(m, []))
        if lat:
            print(f"  {m:<8} p50 {statistics.median(lat):7.1f}  p95 {lat[int(0.95 * (len(lat) - 1))]:7.1f}  (n={len(lat)})")
    if not_run:
        print(f"\nnot run (no pinned tree): {', '.join(not_run)}")
    for m in modes:
        summary["modes"][m] = {
            "ndcg10": overall[m],
            "by_language": {lang: _mean([r.ndcg(m) for r in runs if r.language == lang]) for lang in langs},
            "by_category": {cat: _mean([r.ndcg(m, cat) for r in runs]) for cat in cats},
            "symbol_mrr": _mean([r.mrr(m, "symbol") for r in runs]),
        }
    summary["coverage"], summary["ceiling"] = cov, ceil
    summary["reference"] = ref_overall
    summary["per_repo"] = {r.name: {"language": r.language, "chunks": r.chunks, "coverage": r.covered / max(r.targets, 1),
                                    "ceiling": _mean(r.ceilings), **{m: r.ndcg(m) for m in modes}} for r in runs}
    summary["not_run"] = not_run
    for m in modes:
        print(f"NDCG@10 {m}: {_f(overall[m]).strip()}")
    return summary


def write_details(path: Path, runs: list[RepoRun]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in runs:
            for mode, scored in r.scored.items():
                for s in scored:
                    f.write(json.dumps({
                        "repo": r.name, "language": r.language, "mode": mode, "category": s.query.category,
                        "query": s.query.text, "targets": [t.label() for t in s.query.targets], "ranks": s.ranks,
                        "ndcg10": round(s.ndcg10, 6), "mrr": s.mrr,
                        "top": [f"{h.file_path}:{h.start}-{h.end}" for h in s.hits],
                    }) + "\n")


# --- recorded retrieval: replay rankings without SQL ---------------------------------------------


class Recorded:
    """The retrieval lists of every query (lexical and vector, `depth` deep, as mnemo.search asks
    for them) and the rows of every candidate, recorded once (`--record`) so that fusion and the
    reranker can be replayed (`--replay`) through the same `mnemo.search.order` in seconds
    instead of minutes. A replay is exact for ranking settings; settings that change retrieval
    (lexical.*, depth) need a live run."""

    def __init__(self, data: dict | None = None) -> None:
        self.data = data or {"queries": {}, "candidates": {}, "heads": {}}

    @classmethod
    def load(cls, path: Path) -> "Recorded":
        import gzip
        import pickle

        with gzip.open(path, "rb") as f:
            return cls(pickle.load(f))

    def save(self, path: Path) -> None:
        import gzip
        import pickle

        with gzip.open(path, "wb", compresslevel=3) as f:
            pickle.dump(self.data, f)

    def record(self, conn, repo: str, i: int, text: str, embedder: Any, depth: int) -> None:
        from mnemo.search import _fetch_candidates, _fetch_heads, fetch_wrappers
        from mnemo.search.filters import Filters
        from mnemo.search.lexical import search_lexical
        from mnemo.search.query import analyse
        from mnemo.search.rank.settings import DEFAULT_RANKING
        from mnemo.search.vector import search_vector

        plan = analyse(text)
        repo_id, dimension = conn.execute("SELECT id, dimension FROM repositories WHERE name = %s",
                                          (f"semble-{repo}",)).fetchone()
        filters = Filters((repo_id,))
        lexical = search_lexical(conn, plan, filters, depth, DEFAULT_RANKING.lexical)
        import numpy as np

        query_vector = np.asarray(embedder.embed_query(plan.text), dtype=np.float32).reshape(-1)
        vector = search_vector(conn, query_vector, dimension, filters, depth)
        self.data["queries"][(repo, i)] = (lexical, vector)
        cands = self.data["candidates"]
        want = [cid for cid, _ in [*lexical, *vector] if cid not in cands]
        for cid, (cand, _source) in _fetch_candidates(conn, want).items():
            cands[cid] = cand
        self.data.setdefault("wrappers", set()).update(fetch_wrappers(conn, want))
        tails = [cands[cid] for cid, _ in [*lexical, *vector] if cid in cands and cands[cid].parts > 1
                 and cands[cid].part != 1 and cid not in self.data["heads"]]
        if tails:
            heads = [h for h, _ in _fetch_heads(conn, tails)]
            by_file: dict[tuple[int, str], list] = defaultdict(list)
            for h in heads:
                by_file[(h.repository_id, h.path)].append(h)
            for t in tails:
                self.data["heads"][t.chunk_id] = by_file.get((t.repository_id, t.path), [])

    def ensure_wrappers(self, conn) -> None:
        """The candidates that wrap a same-named definition of another file (rank.wrappers), read
        from the graph once for every recorded candidate; a record made before that rule lacks
        them, and they are then read from the database the replay runs against."""
        if "wrappers" not in self.data:
            from mnemo.search import fetch_wrappers

            self.data["wrappers"] = fetch_wrappers(conn, list(self.data["candidates"]))

    def ranked(self, repo: str, i: int, text: str, mode: str, search_kwargs: dict) -> list[tuple[str, int, int]]:
        from mnemo.search import MIN_DEPTH, order
        from mnemo.search.query import analyse
        from mnemo.search.rank import classify, settings_from

        lexical, vector = self.data["queries"][(repo, i)]
        plan = analyse(text)
        settings = settings_from(search_kwargs.get("ranking")).for_mode(mode)
        depth = max(MIN_DEPTH, settings.depth, 3 * K)
        cands, heads, wrapping = self.data["candidates"], self.data["heads"], self.data.get("wrappers", set())
        ranked, _, _ = order(
            lexical[:depth] if mode != "vector" else [], vector[:depth] if mode != "lexical" else [], plan,
            classify(plan), settings, mode, depth,
            lambda ids: {cid: (cands[cid], "") for cid in ids if cid in cands},
            lambda tails: [(h, "") for t in tails for h in heads.get(t.chunk_id, [])],
            lambda ids: wrapping.intersection(ids),
        )
        return [(c.path, c.start_line, c.end_line) for c in ranked[:K]]


# --- fusion fitting -------------------------------------------------------------------------------


def fit_fusion(ss, conn, runs: list[RepoRun], specs: dict, grid: list[float], settings: dict, embedder: Any,
               replay: "Recorded | None" = None) -> dict:
    """Fit the fusion's lexical share per query intent — convex fusion's alpha (the default), or
    with `--set fusion=rrf` the lexical weight of reciprocal rank fusion (vector weight 1) — with
    leave-one-language-out cross-validation: for each language, the values are chosen on the
    other languages' queries and scored on its own. Prints in-sample and cross-validated figures
    (mean of per-repository NDCG@10), so the chosen defaults can be checked for overfit. With
    --replay (or --record) every grid point is replayed from the recorded retrieval.
    """
    from mnemo.search import search
    from mnemo.search.query import analyse
    from mnemo.search.rank import classify

    # ndcg[w][(repo, i)] for every grid value; intent of every query
    ndcg: dict[float, dict[tuple[str, int], float]] = {}
    intent: dict[tuple[str, int], str] = {}
    for r in runs:
        for i, q in enumerate(r.queries):
            intent[(r.name, i)] = classify(analyse(q.text)).kind
    for w in grid:
        if settings.get("fusion") == "rrf":
            ranking = {**settings, "symbol_weights": (w, 1.0), "semantic_weights": (w, 1.0),
                       "architecture_weights": (w, 1.0)}
        else:
            ranking = {**settings, "symbol_alpha": w, "semantic_alpha": w, "architecture_alpha": w}
        table = {}
        for r in runs:
            prefix = f"{(specs[r.name].get('benchmark_root') or '').strip('/')}/" if specs[r.name].get("benchmark_root") else ""
            for i, q in enumerate(r.queries):
                if replay is not None:
                    hits = [ss.Hit(prefix + p, a, b) for p, a, b in replay.ranked(r.name, i, q.text, "hybrid",
                                                                                  {"ranking": ranking})]
                else:
                    results = search(conn, q.text, repositories=[f"semble-{r.name}"], mode="hybrid", limit=K,
                                     embedder=embedder, ranking=ranking)
                    hits = [ss.Hit(prefix + x.file_path, x.start_line, x.end_line) for x in results]
                table[(r.name, i)] = ss.score(q, hits, K, "chunk", 0.0, None).ndcg10
        ndcg[w] = table
        print(f"  fusion lexical share {w:g}: hybrid {_macro(runs, lambda key: table[key]):.3f}", file=sys.stderr, flush=True)

    kinds = sorted(set(intent.values()))
    middle = 1.0 if settings.get("fusion") == "rrf" else 0.5  # ties go to the even split
    lang_of = {r.name: r.language for r in runs}

    def best_weights(repos: set[str]) -> dict[str, float]:
        out = {}
        for kind in kinds:
            keys = [k for k in intent if intent[k] == kind and k[0] in repos]
            sizes = {r.name: len(r.queries) for r in runs}
            out[kind] = max(grid, key=lambda w: (sum(ndcg[w][k] / sizes[k[0]] for k in keys), -abs(w - middle)))
        return out

    everything = best_weights({r.name for r in runs})
    cv: dict[tuple[str, int], float] = {}
    per_language = {}
    for lang in sorted(set(lang_of.values())):
        chosen = best_weights({n for n, l in lang_of.items() if l != lang})
        per_language[lang] = chosen
        for key in intent:
            if lang_of[key[0]] == lang:
                cv[key] = ndcg[chosen[intent[key]]][key]
    in_sample = _macro(runs, lambda key: ndcg[everything[intent[key]]][key])
    cross = _macro(runs, lambda key: cv[key])
    print("\nfusion fit (lexical share per intent; mean of per-repository NDCG@10, hybrid)")
    print(f"  chosen on all repositories: {everything}  in-sample {in_sample:.3f}")
    print(f"  leave-one-language-out:     {cross:.3f}  (weights chosen without the language scored)")
    for lang, chosen in per_language.items():
        print(f"    without {lang:<11} {chosen}")
    return {"grid": grid, "chosen": everything, "in_sample": in_sample, "lolo_cv": cross, "per_language": per_language}


def _macro(runs: list[RepoRun], value) -> float:
    means = [sum(value((r.name, i)) for i in range(len(r.queries))) / len(r.queries) for r in runs if r.queries]
    return sum(means) / len(means) if means else 0.0


def parse_settings(items: list[str]) -> dict[str, Any]:
    """--set name=value pairs, values as JSON when they parse (numbers, true/false), else text."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--set wants name=value, not {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", type=Path, default=default_bench(), help="shared benchmark folder (semble_score.py, semble-dev/)")
    ap.add_argument("--trees", type=Path, default=default_trees(), help="pinned trees, one folder per repository name")
    ap.add_argument("--home", type=Path, default=CACHE / "semble-home", help="MNEMO_HOME of the benchmark database")
    ap.add_argument("--repos", default="", help="comma list of repository names (default: all with a tree)")
    ap.add_argument("--languages", default="", help="comma list of languages (e.g. python,go)")
    ap.add_argument("--modes", default=",".join(MODES),
                    help=f"comma list of lexical, vector, hybrid; {BASELINE}: semble_score's BM25 through this scoring")
    ap.add_argument("--reuse", action="store_true", help="do not run mnemo index: search what is stored")
    ap.add_argument("--full", action="store_true", help="re-index every tree from scratch")
    ap.add_argument("--index-only", action="store_true", help="index, then stop")
    ap.add_argument("--model", help="embedding model for mnemo index (default: mnemo's default)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="a ranking setting passed to mnemo.search (see mnemo.search.rank.settings)")
    ap.add_argument("--fit-fusion", metavar="W,W,...",
                    help="also fit the fusion's lexical share per intent over these values (convex alpha in 0..1; "
                         "RRF lexical weight with --set fusion=rrf), leave-one-language-out")
    ap.add_argument("--record", type=Path, metavar="FILE",
                    help="record every query's retrieval lists and candidate rows here (gzip pickle), then evaluate")
    ap.add_argument("--replay", type=Path, metavar="FILE",
                    help="evaluate from a --record file: fusion and reranking replayed without SQL (ranking settings only)")
    ap.add_argument("--details", type=Path, help="write one JSON line per query and mode here")
    ap.add_argument("--json-out", type=Path, help="write the summary as JSON here")
    args = ap.parse_args(argv)

    ss = load_scorer(args.bench)
    bench = args.bench / "semble-dev"
    specs = ss.load_specs(bench)
    queries = ss.load_queries(bench, specs)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not modes or any(m not in (*MODES, BASELINE) for m in modes):
        ap.error(f"--modes takes {', '.join(MODES)} (and {BASELINE}, semble_score's BM25, to check the scoring)")
    wanted = {x.strip() for x in args.repos.split(",") if x.strip()}
    langs = {x.strip() for x in args.languages.split(",") if x.strip()}
    unknown = wanted - set(specs)
    if unknown:
        ap.error(f"unknown repositories: {', '.join(sorted(unknown))}")
    selected = [n for n in sorted(specs) if (not wanted or n in wanted) and (not langs or specs[n]["language"] in langs)]
    not_run = [n for n in selected if not (args.trees / n).is_dir()]
    selected = [n for n in selected if n not in not_run]
    if not selected:
        ap.error(f"no selected repository has a tree under {args.trees}")

    args.home.mkdir(parents=True, exist_ok=True)
    os.environ["MNEMO_HOME"] = str(args.home)
    os.environ.pop("MNEMO_DATABASE_URL", None)
    stamps_path = args.home / "stamps.json"
    stamps = json.loads(stamps_path.read_text()) if stamps_path.is_file() else {}
    print(f"semble dev split: {len(selected)} repositories, trees {args.trees}, home {args.home}", file=sys.stderr)
    if not args.reuse:
        for name in selected:
            root = args.trees / name
            search_dir = root / (specs[name].get("benchmark_root") or "")
            s = index_repository(name, search_dir, args.home, stamps, full=args.full, model=args.model)
            print(f"  indexed {name}: {s.get('chunks_written', 0)} chunks written, files {s.get('files_indexed', 0)}"
                  f" indexed / {s.get('files_failed', 0)} failed, {s['process_wall_s']:.1f} s"
                  f"{' (full)' if s['full'] else ''}", file=sys.stderr, flush=True)
    if args.index_only:
        return 0

    from mnemo.store.db import Database, connect

    database = Database.open()
    settings = parse_settings(args.set)
    search_kwargs = {"ranking": settings} if settings else {}
    embedder = None
    runs: list[RepoRun] = []
    replay = Recorded.load(args.replay) if args.replay else None
    recorder = Recorded() if args.record else None
    if recorder is not None:
        replay = recorder  # evaluate from what was just recorded: the figures check the replay path
    with connect(database.url, autocommit=True) as conn:
        if replay is not None and recorder is None:
            replay.ensure_wrappers(conn)
        for name in selected:
            repository = f"semble-{name}"
            row = conn.execute("SELECT model FROM repositories WHERE name = %s", (repository,)).fetchone()
            if row is None:
                print(f"  {name}: not indexed (run without --reuse)", file=sys.stderr)
                not_run.append(name)
                continue
            if embedder is None and replay is None and any(m in ("vector", "hybrid") for m in modes):
                from mnemo.embed import load_embedder

                embedder = load_embedder(row[0])
            run = RepoRun(name, specs[name]["language"], [q for q in queries if q.repo == name])
            t0 = time.perf_counter()
            if recorder is not None:
                if embedder is None:
                    from mnemo.embed import load_embedder

                    embedder = load_embedder(row[0])
                for i, q in enumerate(run.queries):
                    recorder.record(conn, name, i, q.text, embedder, RECORD_DEPTH)
            evaluate(ss, conn, run, specs[name].get("benchmark_root") or "", modes, search_kwargs, embedder,
                     args.trees, replay)
            print(f"  {name}: " + " ".join(f"{m} {run.ndcg(m):.3f}" for m in modes)
                  + f" ({time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)
            runs.append(run)
        fit = None
        if args.fit_fusion:
            if embedder is None and replay is None:
                from mnemo.embed import load_embedder

                embedder = load_embedder(conn.execute("SELECT model FROM repositories WHERE name = %s",
                                                      (f"semble-{runs[0].name}",)).fetchone()[0])
            grid = [float(x) for x in args.fit_fusion.split(",") if x.strip()]
            fit = fit_fusion(ss, conn, runs, specs, grid, settings, embedder, replay)
    if recorder is not None:
        recorder.save(args.record)
    summary = report(runs, modes, load_refs(ss, args.bench), sorted(not_run))
    if fit:
        summary["fusion_fit"] = fit
    if args.details:
        write_details(args.details, runs)
    if args.json_out:
        summary["settings"] = settings
        args.json_out.write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
