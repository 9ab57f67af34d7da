"""Try a candidate static model on the semble dev split in minutes: re-embed the stored chunks in
memory, redo the vector retrieval exactly, replay fusion and ranking.

A static model embeds ~10,000 texts a second, but re-indexing the split to test one still costs
parsing every tree again (tens of minutes on a loaded machine). This script keeps everything of a
`search_semble.py --record` recording except the vector lists: for each repository it reads the
stored chunks of the benchmark database (`--home`, the one the recording was made from), rebuilds
each chunk's embedded text with `mnemo.embed.chunk_text` (what the indexer embeds), embeds it with
the candidate model, and ranks every query's `depth` nearest chunks by cosine similarity — what
`search.vector` returns for a repository of at most 30,000 chunks (an exact scan, ties by id).
Candidates that were not in the recording are fetched from the database. The new recording is
then evaluated by `search_semble.py --replay` (fusion and reranker as `mnemo.search` runs them).

Checks that the path is faithful: with the model the database was indexed with, the re-embedded
vectors must equal the stored ones (cosine printed for a sample) and the figures must equal the
recording's own replay.

    python benchmarks/embed_replay.py --home benchmarks/.cache/i10-backends-static-home \\
        --record /tmp/static.pkl.gz --model-dir /tmp/variants/split-camel --out /tmp/split-camel.pkl.gz \\
        [--repos gin,cobra] [--json-out /tmp/split-camel.json]

A candidate model directory holds `embeddings.npy`, `tokenizer.json` and `manifest.json`, as
`mnemo model build` writes it (`mnemo.embed.static.build_static_model(DIR, ...)`). Figures from
this script are a pre-selection; the model adopted is measured by a real re-index.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import search_semble  # noqa: E402  (the benchmark's own loader, recording and replay)

BATCH = 2_000


def load_candidate(model_dir: Path):
    """The candidate as an Embedder, through the same loader as the product."""
    os.environ["MNEMO_MODELS"] = str(model_dir.resolve().parent)
    from mnemo.embed import static

    return static.load(model_dir.name, build=False)


def repo_vectors(conn, repository: str, embedder, sample_check: bool) -> tuple[np.ndarray, np.ndarray, float | None]:
    """(chunk ids, their re-embedded vectors) of one repository; and, when asked, the mean cosine
    between re-embedded and stored vectors over a sample (1.0 when the model is the stored one)."""
    from mnemo.embed import chunk_text

    ids: list[int] = []
    parts: list[np.ndarray] = []
    cos: list[float] = []
    with conn.cursor(name=f"chunks_{abs(hash(repository))}") as cur:
        cur.itersize = BATCH
        cur.execute(
            "SELECT c.id, c.path, c.kind, c.qualified_name, c.signature, c.docstring, c.source,"
            " CASE WHEN c.id %% 50 = 0 THEN c.embedding::text END"
            " FROM chunks c JOIN repositories r ON r.id = c.repository_id WHERE r.name = %s ORDER BY c.id",
            (repository,),
        )
        while True:
            rows = cur.fetchmany(BATCH)
            if not rows:
                break
            texts = [chunk_text(SimpleNamespace(kind=k, qualified_name=q, signature=s or "", docstring=d, source=src), p)
                     for _, p, k, q, s, d, src, _ in rows]
            vecs = embedder.embed_documents(texts).astype(np.float32)
            if sample_check:
                for (cid, *_, stored), v in zip(rows, vecs):
                    if stored is not None:
                        sv = np.asarray([float(x) for x in stored.strip("[]").split(",")], dtype=np.float32)
                        cos.append(float(sv @ v / max(np.linalg.norm(sv) * np.linalg.norm(v), 1e-12)))
            ids.extend(r[0] for r in rows)
            parts.append(vecs)
    matrix = np.concatenate(parts) if parts else np.zeros((0, embedder.dimension), dtype=np.float32)
    return np.asarray(ids, dtype=np.int64), matrix, (sum(cos) / len(cos) if cos else None)


def nearest(ids: np.ndarray, matrix: np.ndarray, query: np.ndarray, depth: int) -> list[tuple[int, float]]:
    """Best-first (chunk id, cosine similarity), ties by id: the exact scan's order."""
    sims = matrix @ query.astype(np.float32)
    if len(sims) > depth:
        top = np.argpartition(-sims, depth - 1)[:depth]
    else:
        top = np.arange(len(sims))
    order = sorted(top.tolist(), key=lambda j: (-round(float(sims[j]), 6), int(ids[j])))
    return [(int(ids[j]), float(sims[j])) for j in order]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--home", type=Path, required=True, help="MNEMO_HOME the recording was made from")
    ap.add_argument("--record", type=Path, required=True, help="search_semble.py --record file of that home")
    ap.add_argument("--model-dir", type=Path, required=True, help="candidate static model directory")
    ap.add_argument("--out", type=Path, required=True, help="the recording with re-done vector lists goes here")
    ap.add_argument("--repos", default="", help="comma list (default: every repository of the recording)")
    ap.add_argument("--json-out", type=Path, help="passed on to search_semble.py")
    ap.add_argument("--check", action="store_true", help="print the cosine of re-embedded to stored vectors")
    args = ap.parse_args(argv)

    os.environ["MNEMO_HOME"] = str(args.home)
    os.environ.pop("MNEMO_DATABASE_URL", None)
    embedder = load_candidate(args.model_dir)
    rec = search_semble.Recorded.load(args.record)
    ss = search_semble.load_scorer(search_semble.default_bench())
    bench = search_semble.default_bench() / "semble-dev"
    queries = ss.load_queries(bench, ss.load_specs(bench))
    by_repo: dict[str, list] = {}
    for q in queries:
        by_repo.setdefault(q.repo, []).append(q)
    recorded = sorted({repo for repo, _ in rec.data["queries"]})
    wanted = [r for r in recorded if not args.repos or r in args.repos.split(",")]

    from mnemo.search import _fetch_candidates, _fetch_heads
    from mnemo.search.query import analyse
    from mnemo.store.db import Database, connect

    database = Database.open()
    t0 = time.perf_counter()
    with connect(database.url) as conn:
        for repo in wanted:
            t = time.perf_counter()
            ids, matrix, check = repo_vectors(conn, f"semble-{repo}", embedder, args.check)
            cands = rec.data["candidates"]
            for i, q in enumerate(by_repo[repo]):
                key = (repo, i)
                if key not in rec.data["queries"]:
                    continue
                lexical, old_vector = rec.data["queries"][key]
                depth = len(old_vector) or search_semble.RECORD_DEPTH
                vector = nearest(ids, matrix, embedder.embed_query(analyse(q.text).text), depth)
                rec.data["queries"][key] = (lexical, vector)
                want = [cid for cid, _ in vector if cid not in cands]
                for cid, (cand, _src) in _fetch_candidates(conn, want).items():
                    cands[cid] = cand
                tails = [cands[cid] for cid, _ in vector if cid in cands and cands[cid].parts > 1
                         and cands[cid].part != 1 and cid not in rec.data["heads"]]
                if tails:
                    heads = [h for h, _ in _fetch_heads(conn, tails)]
                    for tail in tails:
                        rec.data["heads"][tail.chunk_id] = [h for h in heads if h.path == tail.path
                                                            and h.repository_id == tail.repository_id]
            print(f"  {repo}: {len(ids)} chunks re-embedded in {time.perf_counter() - t:.1f} s"
                  + (f", cosine to stored {check:.4f}" if check is not None else ""), file=sys.stderr, flush=True)
    print(f"re-embedded {len(wanted)} repositories in {time.perf_counter() - t0:.1f} s "
          f"(model {args.model_dir}, hash {embedder.model_hash[:16]})", file=sys.stderr)
    rec.save(args.out)
    replay = ["--home", str(args.home), "--reuse", "--replay", str(args.out), "--modes", "vector,hybrid",
              "--repos", ",".join(wanted)]
    if args.json_out:
        replay += ["--json-out", str(args.json_out)]
    return search_semble.main(replay)


if __name__ == "__main__":
    sys.exit(main())
