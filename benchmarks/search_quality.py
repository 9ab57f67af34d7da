"""Search quality benchmark: MRR@10, NDCG@10 and recall@10 of lexical, vector and hybrid search.

Queries are made from real code, the way people describe it: the first sentence of the
docstring (Python) or JSDoc (TypeScript) of functions and methods sampled with a fixed seed from
django 5.2.19 (`pip download django --no-binary :all:`, its `django/` package) and rxjs 7.8.2
(`npm pack rxjs@7.8.2`, its `src/`). The one relevant answer for a query is the function it was
taken from. So that the query cannot be found by copy, the benchmark indexes a COPY of each
corpus in which every sampled function's docstring/JSDoc is deleted; every other docstring stays.

The sample is split: `test` queries are the ones reported; `dev` queries (disjoint, same
corpora) are the ones any tuning may look at (`--split dev --sweep`), so reported figures are not
fitted to their own queries.

    python benchmarks/search_quality.py                      # both corpora, test split, all modes
    python benchmarks/search_quality.py --split dev --sweep  # fusion variants on the dev split
    python benchmarks/search_quality.py --corpora rxjs --queries 100

Everything downloaded or built lives in benchmarks/.cache/search/ (gitignored): the packages,
the stripped copies, and a private embedded PostgreSQL (MNEMO_HOME) holding the indexes, which
are reused while the sample (seed, sizes, code) is unchanged. Third-party code is never committed.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import math
import os
import random
import re
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import corpora  # benchmarks/corpora.py: the scripts run with benchmarks/ on sys.path

CACHE = Path(__file__).resolve().parent / ".cache" / "search"
HOME = CACHE / "mnemo-home"  # the benchmark's own embedded PostgreSQL
SAMPLE_VERSION = 3  # bump when the sampling or stripping rules change: the indexes are rebuilt
CORPORA = {
    # name: (how to fetch, archive, directory inside the unpacked archive to index)
    "django": ("pip:django==5.2.19", "django-5.2.19.tar.gz", "django-5.2.19/django"),
    "rxjs": ("npm:rxjs@7.8.2", "rxjs-7.8.2.tgz", "package/src"),
}
# `how` and `directory` use the names the registries give: see fetch().
MIN_WORDS, MAX_WORDS = 4, 40


def fetch(name: str, spec: tuple[str, str, str] | None = None) -> Path:
    """Download and unpack a corpus once; return the directory to index (see corpora.fetch)."""
    how, archive, sub = spec or CORPORA[name]
    return corpora.fetch(name, how, archive, sub, cache=CACHE)


# --- sampling -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    corpus: str
    path: str  # relative to the corpus root
    qualified_name: str
    name: str
    start_line: int  # in the original file
    text: str
    split: str  # "test" or "dev"


def first_sentence(doc: str) -> str | None:
    """The docstring's first sentence, de-marked-up, or None when it is not a usable query."""
    para = re.split(r"\n\s*\n", doc.strip(), maxsplit=1)[0]
    para = re.sub(r"\{@link(?:code|plain)?\s+([^}|\s]+)(?:[|\s][^}]*)?\}", r"\1", para)  # {@link X|text} → X
    para = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", para)  # :class:`~a.B` → a.B
    para = para.replace("``", "").replace("`", "")
    para = " ".join(para.split())
    if not para or para.startswith("@"):
        return None
    m = re.search(r"(?<=[.!?])\s+(?=[A-Z(`'\"])", para)
    sentence = para[: m.start()] if m else para
    words = sentence.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return None
    if re.search(r"\b(TODO|XXX|FIXME|deprecated)\b", sentence, re.I):
        return None
    return sentence


def candidates(corpus: str, root: Path) -> list[Query]:
    """Every function/method with a usable first docstring sentence, in a stable order."""
    from mnemo.chunk import parse_source
    from mnemo.scan import scan

    found: list[Query] = []
    for source in scan(root):
        parsed = parse_source(source.path.read_bytes(), source.language)
        for c in parsed.chunks:
            if c.kind not in ("function", "method") or c.parts > 1 or not c.docstring:
                continue
            sentence = first_sentence(c.docstring)
            if sentence:
                found.append(Query(corpus, source.rel_path, c.qualified_name, c.name, c.start_line, sentence, ""))
    # A sentence that describes two functions has two right answers: keep only unique ones.
    counts: dict[str, int] = {}
    for q in found:
        counts[q.text.lower()] = counts.get(q.text.lower(), 0) + 1
    keys: dict[tuple[str, str], int] = {}
    for q in found:
        keys[(q.path, q.qualified_name)] = keys.get((q.path, q.qualified_name), 0) + 1
    return [q for q in found if counts[q.text.lower()] == 1 and keys[(q.path, q.qualified_name)] == 1]


def sample(pool: list[Query], n_test: int, n_dev: int, seed: int) -> list[Query]:
    rng = random.Random(seed)
    order = list(pool)
    rng.shuffle(order)
    test = [Query(**{**asdict(q), "split": "test"}) for q in order[:n_test]]
    dev = [Query(**{**asdict(q), "split": "dev"}) for q in order[n_test : n_test + n_dev]]
    return test + dev


# --- stripping the sampled docstrings from a copy ---------------------------------------------------

def strip_python(text: str, targets: list[Query]) -> tuple[str, list[Query]]:
    """Delete the docstrings of `targets` (functions in this file). Returns the new text and the
    targets it could strip (a docstring sharing a line with code is left, and its query dropped)."""
    tree = ast.parse(text)
    lines = text.splitlines(keepends=True)
    defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    edits: list[tuple[int, int, str]] = []  # (first line, last line) 1-based inclusive → replacement
    done: list[Query] = []
    for q in targets:
        node = next((n for n in defs if n.name == q.name and q.start_line <= n.lineno <= q.start_line + 50
                     and ast.get_docstring(n) is not None), None)
        if node is None:
            continue
        doc = node.body[0]
        first, last = doc.lineno, doc.end_lineno or doc.lineno
        before = lines[first - 1][: doc.col_offset]
        after = lines[last - 1][doc.end_col_offset:]
        if before.strip() or after.strip():
            continue
        replacement = before + "pass\n" if len(node.body) == 1 else ""
        edits.append((first, last, replacement))
        done.append(q)
    for first, last, replacement in sorted(edits, reverse=True):
        lines[first - 1 : last] = [replacement] if replacement else []
    return "".join(lines), done


def strip_jsdoc(text: str, targets: list[Query]) -> tuple[str, list[Query]]:
    """Delete the /** … */ block right above each target's first line."""
    lines = text.splitlines(keepends=True)
    cuts: list[tuple[int, int]] = []
    done: list[Query] = []
    for q in targets:
        end = q.start_line - 2  # 0-based index of the line above the definition
        while end >= 0 and not lines[end].strip():
            end -= 1
        if end < 0 or not lines[end].rstrip().endswith("*/"):
            continue
        start = end
        while start >= 0 and "/**" not in lines[start]:
            start -= 1
        if start < 0 or lines[start].strip()[:3] != "/**":
            continue
        cuts.append((start, end))
        done.append(q)
    for start, end in sorted(cuts, reverse=True):
        del lines[start : end + 1]
    return "".join(lines), done


def stripped_copy(corpus: str, root: Path, queries: list[Query], key: str) -> tuple[Path, list[Query]]:
    """A copy of `root` without the sampled docstrings; the queries whose docstring is gone."""
    from mnemo.chunk import parse_source
    from mnemo.languages.registry import language_for_path

    work = CACHE / "work" / f"{corpus}-{key}"
    manifest = work.parent / f"{corpus}-{key}.json"
    if work.is_dir() and manifest.exists():
        kept = [Query(**q) for q in json.loads(manifest.read_text())]
        return work, kept
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(root, work)
    by_file: dict[str, list[Query]] = {}
    for q in queries:
        by_file.setdefault(q.path, []).append(q)
    kept: list[Query] = []
    for rel, targets in sorted(by_file.items()):
        path = work / rel
        text = path.read_text(encoding="utf-8")
        language = language_for_path(rel)
        new, done = strip_python(text, targets) if language == "python" else strip_jsdoc(text, targets)
        parsed = parse_source(new.encode("utf-8"), language)
        if parsed.errors:
            continue  # the edit broke the file: keep the original, drop its queries
        chunks = {c.qualified_name: c for c in parsed.chunks}
        ok = [q for q in done if q.qualified_name in chunks
              and _sentence_gone(q.text, chunks[q.qualified_name].docstring, chunks[q.qualified_name].source)]
        if ok:
            path.write_text(new, encoding="utf-8")
            kept.extend(ok)
    manifest.write_text(json.dumps([asdict(q) for q in kept], indent=1))
    return work, kept


def _sentence_gone(sentence: str, docstring: str | None, source: str) -> bool:
    norm = lambda s: " ".join(re.sub(r"[^\w]+", " ", s).lower().split())  # noqa: E731
    probe = norm(sentence)[:60]
    return probe not in norm(docstring or "") and probe not in norm(source)


# --- indexing -------------------------------------------------------------------------------------

def open_database():
    os.environ["MNEMO_HOME"] = str(HOME)
    os.environ.pop("MNEMO_DATABASE_URL", None)
    from mnemo.store.db import Database

    return Database.open()


def ensure_indexed(database, repository: str, root: Path, key: str) -> dict:
    """Index `root` as `repository` unless this exact copy is already indexed."""
    from mnemo.pipeline import IndexOptions, index_repository

    marker = CACHE / "work" / f"{repository}.indexed"
    with database.connect() as conn:
        row = conn.execute(
            "SELECT count(*) FROM chunks c JOIN repositories r ON r.id = c.repository_id WHERE r.name = %s",
            (repository,),
        ).fetchone()
    if marker.exists() and marker.read_text() == key and row[0] > 0:
        return {"reused": True, "chunks": row[0]}
    t = time.perf_counter()
    summary = index_repository(database, root, IndexOptions(name=repository, full=True))
    with database.connect(autocommit=True) as conn:
        conn.execute("ANALYZE chunks")
    marker.write_text(key)
    return {"reused": False, "chunks": summary.chunks_written, "files": summary.files_indexed,
            "failed": summary.files_failed, "wall_s": round(time.perf_counter() - t, 1)}


# --- metrics --------------------------------------------------------------------------------------

def rank_of(results: Iterable, q: Query) -> int | None:
    for i, r in enumerate(results, start=1):
        if r.file_path == q.path and r.qualified_name == q.qualified_name:
            return i
    return None


def metrics(ranks: list[int | None], k: int = 10) -> dict[str, float]:
    n = len(ranks) or 1
    mrr = sum(1.0 / r for r in ranks if r and r <= k) / n
    ndcg = sum(1.0 / math.log2(r + 1) for r in ranks if r and r <= k) / n  # one relevant item: IDCG = 1
    recall = sum(1 for r in ranks if r and r <= k) / n
    return {"mrr@10": mrr, "ndcg@10": ndcg, "recall@10": recall}


def run_queries(database, queries: list[Query], repos: dict[str, str], modes: list[str]) -> dict[str, list[int | None]]:
    from mnemo.search import search

    ranks: dict[str, list[int | None]] = {m: [] for m in modes}
    for q in queries:
        for mode in modes:
            results = search(database, q.text, repositories=[repos[q.corpus]], mode=mode, limit=10)
            ranks[mode].append(rank_of(results, q))
    return ranks


def sweep(database, queries: list[Query], repos: dict[str, str]) -> None:
    """Fusion variants on recorded lexical and vector lists (depth 50) — for the dev split."""
    from mnemo.embed import load_embedder
    from mnemo.search import fusion
    from mnemo.search.filters import Filters
    from mnemo.search.lexical import LexicalSettings, search_lexical
    from mnemo.search.query import analyse
    from mnemo.search.vector import search_vector
    from mnemo.store import reads

    embedder = load_embedder()
    variants = {
        "default": LexicalSettings(),
        # Candidate selection at this index's scale (~12k chunks: a budget of 200 here is like
        # the default 2,000 on 110k chunks).
        "any term selects": LexicalSettings(match_budget=None),
        "budget 200, pairs": LexicalSettings(match_budget=200),
        "budget 200, rarest": LexicalSettings(match_budget=200, candidates="rarest"),
        "normalization 0": LexicalSettings(normalization=0),
        "normalization 2": LexicalSettings(normalization=2),
        "weights .2 .4 .6 1": LexicalSettings(weights="{0.2, 0.4, 0.6, 1.0}"),
        "weights .05 .1 .3 1": LexicalSettings(weights="{0.05, 0.1, 0.3, 1.0}"),
        "common 0.1": LexicalSettings(common_fraction=0.1),
        "common 0.5": LexicalSettings(common_fraction=0.5),
        "weights .3 .5 .7 1": LexicalSettings(weights="{0.3, 0.5, 0.7, 1.0}"),
        "weights .1 .4 .4 1": LexicalSettings(weights="{0.1, 0.4, 0.4, 1.0}"),
    }
    recorded = []
    lexical_variants: dict[str, list[int | None]] = {k: [] for k in variants}
    with database.connect(autocommit=True) as conn:
        for q in queries:
            repo = reads.get_repository(conn, repos[q.corpus])
            plan = analyse(q.text)
            f = Filters(repository_ids=(repo.id,))
            relevant = {r[0] for r in conn.execute(
                "SELECT id FROM chunks WHERE repository_id = %s AND path = %s AND qualified_name = %s",
                (repo.id, q.path, q.qualified_name))}
            for label, settings in variants.items():
                ranked = search_lexical(conn, plan, f, 50, settings)
                lexical_variants[label].append(
                    next((i for i, (cid, _) in enumerate(ranked[:10], 1) if cid in relevant), None))
            lex = search_lexical(conn, plan, f, 50)
            vec = search_vector(conn, embedder.embed_query(plan.text), repo.dimension, f, 50)
            recorded.append((lex, vec, relevant))
    print(f"lexical variants on {len(queries)} queries")
    for label, ranks in lexical_variants.items():
        print(f"  {label:<28}", fmt(metrics(ranks)))

    def score(fuse) -> dict[str, float]:
        ranks = []
        for lex, vec, relevant in recorded:
            order = fuse(lex, vec)
            ranks.append(next((i for i, cid in enumerate(order[:10], 1) if cid in relevant), None))
        return metrics(ranks)

    def rrf(wl: float, wv: float, k: float):
        return lambda lex, vec: [f.chunk_id for f in fusion.reciprocal_rank_fusion(lex, vec, weights=(wl, wv), k=k)]

    def convex(alpha: float):
        def fuse(lex, vec):
            def norm(xs):
                if not xs:
                    return {}
                hi, lo = max(s for _, s in xs), min(s for _, s in xs)
                return {cid: (s - lo) / (hi - lo or 1.0) for cid, s in xs}
            nl, nv = norm(lex), norm(vec)
            ids = set(nl) | set(nv)
            return sorted(ids, key=lambda i: -(alpha * nl.get(i, 0.0) + (1 - alpha) * nv.get(i, 0.0)))
        return fuse

    print(f"sweep on {len(recorded)} queries (MRR@10 / NDCG@10 / recall@10)")
    print(f"  {'lexical only':<28}", fmt(score(lambda lex, vec: [c for c, _ in lex])))
    print(f"  {'vector only':<28}", fmt(score(lambda lex, vec: [c for c, _ in vec])))
    for k in (10, 30, 60, 100):
        for wl, wv in ((1.0, 1.0), (0.8, 1.0), (0.6, 1.0), (1.0, 0.8)):
            print(f"  {f'rrf k={k} w=({wl},{wv})':<28}", fmt(score(rrf(wl, wv, k))))
    for alpha in (0.2, 0.3, 0.4, 0.5, 0.6):
        print(f"  {f'convex alpha={alpha}':<28}", fmt(score(convex(alpha))))


def identifier_queries(database, repos: dict[str, str], per_corpus: int, seed: int) -> list[Query]:
    """Definition names that are unique in their repository (so there is one right answer),
    as people type them: the bare name, or Class.method for half of the methods."""
    out: list[Query] = []
    with database.connect() as conn:
        for corpus, repo in repos.items():
            rows = conn.execute(
                """
                SELECT c.path, c.qualified_name, c.name, c.kind, c.start_line FROM chunks c
                JOIN repositories r ON r.id = c.repository_id
                WHERE r.name = %s AND length(c.name) > 2 AND c.kind IN ('function', 'method', 'class')
                  AND c.name NOT LIKE '\\_\\_%%'
                  AND (SELECT count(*) FROM chunks d WHERE d.repository_id = c.repository_id
                       AND lower(d.name) = lower(c.name)) = 1
                ORDER BY c.path, c.start_line
                """,
                (repo,),
            ).fetchall()
            rng = random.Random(seed)
            for path, qname, name, kind, line in rng.sample(rows, min(per_corpus, len(rows))):
                text = qname if kind == "method" and rng.random() < 0.5 else name
                out.append(Query(corpus, path, qname, name, line, text, "identifier"))
    return out


def fmt(m: dict[str, float]) -> str:
    return f"MRR@10 {m['mrr@10']:.3f}  NDCG@10 {m['ndcg@10']:.3f}  recall@10 {m['recall@10']:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpora", nargs="+", default=list(CORPORA), choices=list(CORPORA))
    ap.add_argument("--queries", type=int, default=200, help="test queries per corpus (at most; default 200)")
    ap.add_argument("--dev", type=int, default=100, help="dev queries per corpus (default 100)")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--split", choices=("test", "dev"), default="test")
    ap.add_argument("--modes", nargs="+", default=["lexical", "vector", "hybrid"])
    ap.add_argument("--sweep", action="store_true", help="compare fusion variants (use with --split dev)")
    ap.add_argument("--identifiers", type=int, default=100,
                    help="also score this many identifier queries per corpus (0: none)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()

    database = open_database()
    repos: dict[str, str] = {}
    queries: list[Query] = []
    for corpus in args.corpora:
        root = fetch(corpus)
        pool = candidates(corpus, root)
        n_test = min(args.queries, int(len(pool) * 0.6))  # small corpora keep 40 % for dev
        picked = sample(pool, n_test, min(args.dev, len(pool) - n_test), args.seed)
        key = hashlib.sha1(json.dumps([SAMPLE_VERSION, args.seed, [asdict(q) for q in picked]]).encode()).hexdigest()[:12]
        work, kept = stripped_copy(corpus, root, picked, key)
        repo = f"quality-{corpus}"
        info = ensure_indexed(database, repo, work, key)
        repos[corpus] = repo
        split = [q for q in kept if q.split == args.split]
        print(f"{corpus}: {len(pool)} candidate functions, sampled {len(picked)}, docstrings stripped {len(kept)}, "
              f"{args.split} queries {len(split)}; index {info}", flush=True)
        queries += split

    if args.sweep:
        sweep(database, queries, repos)
        return
    t = time.perf_counter()
    ranks = run_queries(database, queries, repos, args.modes)
    report: dict[str, dict] = {}
    groups = [*args.corpora, "all"] if len(args.corpora) > 1 else list(args.corpora)
    for corpus in groups:
        idx = [i for i, q in enumerate(queries) if corpus in ("all", q.corpus)]
        report[corpus] = {"queries": len(idx), **{m: metrics([ranks[m][i] for i in idx]) for m in args.modes}}
        print(f"\n{corpus} ({len(idx)} {args.split} queries)")
        for mode in args.modes:
            print(f"  {mode:<8} {fmt(report[corpus][mode])}")
    print(f"\n(search time {time.perf_counter() - t:.0f} s)")
    if args.identifiers:
        idents = identifier_queries(database, repos, args.identifiers, args.seed)
        ranks = run_queries(database, idents, repos, args.modes)
        report["identifiers"] = {"queries": len(idents), **{m: metrics(r) for m, r in ranks.items()}}
        print(f"\nidentifier queries ({len(idents)}: unique definition names, half the methods as Class.method)")
        for mode in args.modes:
            print(f"  {mode:<8} {fmt(report['identifiers'][mode])}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    main()
