"""Mnemo's call graph against the languages' own resolvers: precision, recall and F1 by call kind.

For each corpus: fetch it (benchmarks/corpora.py), index it with Mnemo into a private embedded
PostgreSQL (MNEMO_HOME=benchmarks/.cache/graph-oracle-home; a hash-seeded stub embedder, since the
graph never reads vectors), read Mnemo's `calls` edges, run the oracle on the same files — the
TypeScript compiler's type checker (ts_oracle.js; `npm install typescript@5` into
benchmarks/.cache/graph_oracle/ on first use) or jedi (py_oracle.py) — and compare both as
(caller node, callee node) pairs. A call site belongs to the innermost Mnemo definition whose
lines hold it (else its module); an oracle callee maps to the innermost definition holding its
declaration line. A callee with no node of its own (a local arrow function, an interface member)
still counts against recall; a call into the caller's own node (recursion, a local helper) is
dropped, as Mnemo drops self-loops.

    python benchmarks/graph_oracle/run.py rxjs zod tanstack        # TypeScript
    python benchmarks/graph_oracle/run.py packaging click httpx pymicro mnemo
    python benchmarks/graph_oracle/run.py all --json out.json

Prints per corpus: precision (all edges, and confidence-1 edges only), recall and F1, recall by
the oracle's call kind, precision by Mnemo's resolution label, and the top false-positive and
false-negative patterns.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
import corpora  # noqa: E402

CACHE = BENCH / ".cache"
TS_DIR = CACHE / "graph_oracle"
HOME = CACHE / "graph-oracle-home"

# name: (language family, how to fetch, archive glob, directory to index, exclude globs)
CORPORA = {
    "rxjs": ("ts", "npm:rxjs@7.8.2", "rxjs-7.8.2.tgz", "package/src", ()),
    "zod": ("ts", "npm:zod@4.6.7", "zod-4.6.7.tgz", "package/src/v4", ("**/tests/**", "**/*.test.ts")),
    "tanstack": ("ts", "npm:@tanstack/query-core@5.59.0", "tanstack-query-core-5.59.0.tgz", "package/src",
                 ("**/__tests__/**",)),
    "packaging": ("py", "wheel:packaging==24.2", "packaging-24.2-*.whl", "packaging", ()),
    "click": ("py", "wheel:click==8.1.7", "click-8.1.7-*.whl", "click", ()),
    "httpx": ("py", "wheel:httpx==0.27.2", "httpx-0.27.2-*.whl", "httpx", ()),
    "pymicro": ("py", None, None, str(REPO / "tests/fixtures/graph/py_micro"), ()),
    "mnemo": ("py", None, None, str(REPO / "src/mnemo"), ()),
}
TS_CORPORA = ("rxjs", "zod", "tanstack")
PY_CORPORA = ("packaging", "click", "httpx", "pymicro", "mnemo")


class StubEmbedder:
    """Unit vectors seeded by a hash of the text: the graph never reads vectors."""

    model_name = "graph-oracle-stub"
    dimension = 384

    def embed_documents(self, texts):
        import numpy as np

        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows) if rows else np.zeros((0, self.dimension), dtype=np.float32)

    def embed_query(self, text):
        return self.embed_documents([text])[0]


def corpus_root(name: str) -> Path:
    family, how, archive, sub, _ = CORPORA[name]
    if how is None:
        return Path(sub)
    return corpora.fetch(name, how, archive, sub)


def ensure_typescript() -> Path:
    module = TS_DIR / "node_modules" / "typescript"
    if not module.is_dir():
        TS_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(TS_DIR), "typescript@5", "--no-audit", "--no-fund",
                        "--silent"], check=True)
    return module


@dataclass
class Node:
    id: int
    kind: str
    name: str
    start: int
    end: int


@dataclass
class Mnemo:
    files: list[str]
    nodes_by_file: dict[str, list[Node]]
    module_of: dict[str, int]
    edges: dict[tuple[int, int], tuple[str, float]]  # (src, dst) → (resolution, confidence)
    names: dict[int, str] = field(default_factory=dict)
    build_s: float = 0.0
    failed_files: int = 0
    graph: dict = field(default_factory=dict)  # dashboard checks (graph_checks)

    def innermost(self, path: str, line: int) -> int | None:
        best = None
        for node in self.nodes_by_file.get(path, ()):
            if node.start <= line <= node.end and (best is None or node.end - node.start <= best.end - best.start):
                best = node
        return best.id if best else self.module_of.get(path)


def index_with_mnemo(name: str, root: Path) -> Mnemo:
    from mnemo.pipeline import IndexOptions, index_repository
    from mnemo.store.db import Database
    from mnemo.store.reads import get_repository

    database = Database.open()
    repo_name = f"oracle-{name}"
    exclude = CORPORA[name][4]
    started = time.perf_counter()
    index_repository(database, root, IndexOptions(name=repo_name, full=True, model=StubEmbedder.model_name,
                                                  exclude=tuple(exclude)), embedder=StubEmbedder())
    build_s = time.perf_counter() - started
    with database.connect() as conn:
        repo = get_repository(conn, repo_name)
        # Files the parser rejected (e.g. TypeScript syntax newer than the grammar) have no chunks:
        # they are left out of both sides and counted.
        files = [r[0] for r in conn.execute(
            "SELECT path FROM files WHERE repository_id = %s AND status <> 'failed' ORDER BY path", (repo.id,))]
        failed = conn.execute("SELECT count(*) FROM files WHERE repository_id = %s AND status = 'failed'",
                              (repo.id,)).fetchone()[0]
        nodes_by_file: dict[str, list[Node]] = collections.defaultdict(list)
        module_of: dict[str, int] = {}
        names: dict[int, str] = {}
        for nid, path, kind, qname, start, end, chunkless in conn.execute(
            "SELECT id, path, kind, qualified_name, start_line, end_line, chunk_id IS NULL FROM graph_nodes "
            "WHERE repository_id = %s", (repo.id,),
        ):
            names[nid] = f"{path}:{qname}" if kind != "module" else path
            if kind == "module":
                module_of[path] = nid
            elif kind == "class" and chunkless:
                continue  # an object that gets methods by assignment: its span holds no code of its own
            else:
                nodes_by_file[path].append(Node(nid, kind, qname, start, end))
        edges = {}
        for src, dst, resolution, confidence in conn.execute(
            "SELECT src, dst, resolution, confidence FROM graph_edges WHERE repository_id = %s AND type = 'calls' "
            "AND dst IS NOT NULL", (repo.id,),
        ):
            edges[(src, dst)] = (resolution, confidence)
        graph = graph_checks(conn, repo.id, root, "python" if CORPORA[name][0] == "py" else None)
    return Mnemo(files, nodes_by_file, module_of, edges, names, build_s, failed, graph)


def graph_checks(conn, repository_id: int, root: Path, language: str | None) -> dict:
    """What the dashboard stands on: isolated share, intra-repository imports resolved (Python:
    an import left 'external' whose top-level name is the indexed package's own counts as
    missed), and edges attached by name alone with a builtin-type method name that feed the top
    20 PageRank nodes (must be none)."""
    from mnemo.graph.build import isolated_definitions
    from mnemo.graph.modules import python_package_name
    from mnemo.graph.rules import rules_for

    iso = isolated_definitions(conn, repository_id)
    own = python_package_name(root) or root.name
    resolved, missed = conn.execute(
        """SELECT count(*) FILTER (WHERE e.dst IS NOT NULL),
                  count(*) FILTER (WHERE e.dst IS NULL AND e.resolution = 'external'
                                   AND split_part(e.target, '.', 1) = %s)
           FROM graph_edges e JOIN graph_nodes n ON n.id = e.src
           WHERE e.repository_id = %s AND e.type = 'imports' AND (%s::text IS NULL OR n.language = %s)""",
        (own.split(".")[0], repository_id, language, language),
    ).fetchone()
    top = conn.execute(
        """SELECT id, qualified_name, language FROM graph_nodes WHERE repository_id = %s AND kind <> 'module'
           ORDER BY pagerank DESC LIMIT 20""", (repository_id,),
    ).fetchall()
    namesake = 0
    for node, qname, language in top:
        builtin = rules_for(language).builtin_methods
        name = qname.rsplit(".", 1)[-1]
        if name in builtin:
            namesake += conn.execute(
                """SELECT count(*) FROM graph_edges WHERE dst = %s AND type = 'calls'
                   AND resolution IN ('unique_name', 'ambiguous')""", (node,),
            ).fetchone()[0]
    return {
        "isolated_share": iso["function_class_isolated_share"],
        "intra_imports_resolved": resolved, "intra_imports_missed": missed,
        "top20": [q for _, q, _ in top[:8]], "top20_builtin_namesake_edges": namesake,
    }


def run_oracle(name: str, root: Path, files: list[str]) -> list[dict]:
    family = CORPORA[name][0]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(files, fh)
        listing = fh.name
    try:
        if family == "ts":
            module = ensure_typescript()
            cmd = ["node", str(HERE / "ts_oracle.js"), str(root), listing]
            env = {**os.environ, "TS_MODULE": str(module)}
        else:
            cmd = [sys.executable, str(HERE / "py_oracle.py"), str(root), listing]
            env = os.environ.copy()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True)
    finally:
        os.unlink(listing)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def compare(name: str, mnemo: Mnemo, sites: list[dict]) -> dict:
    truth: dict[tuple[int, int], str] = {}
    where: dict[tuple[int, int], dict] = {}  # the first call site of each oracle edge
    no_node = collections.Counter()
    for site in sites:
        caller = mnemo.innermost(site["file"], site["line"])
        if caller is None:
            continue
        for t in site["targets"]:
            callee = mnemo.innermost(t["file"], t["line"])
            if callee is None or callee == caller:
                continue
            if callee == mnemo.module_of.get(t["file"]):
                no_node[site["kind"]] += 1
            truth.setdefault((caller, callee), site["kind"])
            where.setdefault((caller, callee), site)
    suffixes = (".py", ".pyi") if CORPORA[name][0] == "py" else (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs")
    in_scope = {n for f, nodes in mnemo.nodes_by_file.items() if f.endswith(suffixes) for n in (x.id for x in nodes)}
    in_scope |= {n for f, n in mnemo.module_of.items() if f.endswith(suffixes)}
    # the oracle reads one language: edges out of the corpus's other files (a web UI's JS) are not judged
    predicted = {pair: v for pair, v in mnemo.edges.items() if pair[0] in in_scope}
    hits = set(predicted) & set(truth)
    certain = {k for k, (_, c) in predicted.items() if c >= 1.0}
    precision = len(hits) / len(predicted) if predicted else None
    precision_certain = len(hits & certain) / len(certain) if certain else None
    # 'dispatch' edges (a call through an interface member to each implementation) are claims the
    # static resolvers do not make: precision is also given without them
    static = {k for k, (r, _) in predicted.items() if r != "dispatch"}
    precision_static = len(hits & static) / len(static) if static else None
    recall = len(hits) / len(truth) if truth else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
    by_kind = {}
    for kind in sorted(set(truth.values())):
        pairs = [p for p, k in truth.items() if k == kind]
        by_kind[kind] = {"oracle": len(pairs), "found": sum(p in hits for p in pairs),
                         "recall": sum(p in hits for p in pairs) / len(pairs)}
    by_label = {}
    for label in sorted({r for r, _ in predicted.values()}):
        pairs = [p for p, (r, _) in predicted.items() if r == label]
        by_label[label] = {"edges": len(pairs), "correct": sum(p in hits for p in pairs),
                           "precision": sum(p in hits for p in pairs) / len(pairs)}
    fp = collections.Counter()
    for pair, (label, _) in predicted.items():
        if pair not in truth:
            fp[f"{label} → {mnemo.names[pair[1]].rsplit(':', 1)[-1]}"] += 1
    fn = collections.Counter()
    misses = []
    for pair, kind in truth.items():
        if pair not in hits:
            fn[f"{kind} → {mnemo.names[pair[1]].rsplit(':', 1)[-1]}"] += 1
            site = where[pair]
            misses.append({"kind": kind, "site": f"{site['file']}:{site['line']}", "name": site["name"],
                           "caller": mnemo.names[pair[0]], "callee": mnemo.names[pair[1]],
                           "mnemo": predicted.get(pair, (None,))[0]})
    wrong = [{"label": label, "caller": mnemo.names[pair[0]], "callee": mnemo.names[pair[1]]}
             for pair, (label, _) in predicted.items() if pair not in truth]
    return {
        "corpus": name, "files": len(mnemo.files), "failed_files": mnemo.failed_files, "call_sites_oracle": len(sites),
        "oracle_edges": len(truth), "mnemo_edges": len(predicted), "correct": len(hits),
        "precision": precision, "precision_certain": precision_certain, "precision_static": precision_static,
        "mnemo_static_edges": len(static), "recall": recall, "f1": f1,
        "recall_by_kind": by_kind, "precision_by_resolution": by_label,
        "oracle_targets_without_node": dict(no_node),
        "top_false_positives": fp.most_common(12), "top_false_negatives": fn.most_common(12),
        "graph": mnemo.graph, "false_negatives": misses, "false_positives": wrong,
    }


def _f(x):
    return "   —" if x is None else f"{x:.3f}"


def show(result: dict) -> None:
    print(f"\n== {result['corpus']}: {result['files']} files ({result['failed_files']} failed to parse, left out), oracle {result['oracle_edges']} edges "
          f"({result['call_sites_oracle']} sites), mnemo {result['mnemo_edges']} edges, {result['correct']} agree")
    print(f"   precision {_f(result['precision'])} (confidence-1 edges {_f(result['precision_certain'])}, "
          f"without dispatch edges {_f(result['precision_static'])})  "
          f"recall {_f(result['recall'])}  F1 {_f(result['f1'])}")
    print("   recall by kind:  " + ", ".join(f"{k} {v['found']}/{v['oracle']}={v['recall']:.2f}"
                                            for k, v in result["recall_by_kind"].items()))
    print("   precision by resolution:  " + ", ".join(f"{k} {v['correct']}/{v['edges']}={v['precision']:.2f}"
                                                      for k, v in result["precision_by_resolution"].items()))
    if result["oracle_targets_without_node"]:
        print("   oracle targets with no Mnemo node: " + ", ".join(
            f"{k} {v}" for k, v in sorted(result["oracle_targets_without_node"].items())))
    g = result["graph"]
    total = g["intra_imports_resolved"] + g["intra_imports_missed"]
    print(f"   graph: isolated function/class share {g['isolated_share']:.1%}; imports resolved in the repository "
          f"{g['intra_imports_resolved']}/{total} (left external though the package's own: "
          f"{g['intra_imports_missed']}); builtin-namesake edges into the top-20 PageRank nodes: "
          f"{g['top20_builtin_namesake_edges']}; top: {', '.join(g['top20'])}")
    print("   top false positives: " + "; ".join(f"{p} ×{n}" for p, n in result["top_false_positives"]))
    print("   top false negatives: " + "; ".join(f"{p} ×{n}" for p, n in result["top_false_negatives"]))


def total(results: list[dict], family: str) -> None:
    rows = [r for r in results if CORPORA[r["corpus"]][0] == family]
    if len(rows) < 2:
        return
    hits = sum(r["correct"] for r in rows)
    pred = sum(r["mnemo_edges"] for r in rows)
    static = sum(r["mnemo_static_edges"] for r in rows)
    truth = sum(r["oracle_edges"] for r in rows)
    p, rc = hits / pred if pred else 0, hits / truth if truth else 0
    kinds = collections.defaultdict(lambda: [0, 0])
    for r in rows:
        for k, v in r["recall_by_kind"].items():
            kinds[k][0] += v["found"]
            kinds[k][1] += v["oracle"]
    print(f"\n== {family} total ({', '.join(r['corpus'] for r in rows)}): precision {p:.3f} "
          f"(without dispatch edges {hits / static if static else 0:.3f}) recall {rc:.3f} "
          f"F1 {2 * p * rc / (p + rc) if p + rc else 0:.3f}")
    print("   recall by kind:  " + ", ".join(f"{k} {a}/{b}={a / b:.2f}" for k, (a, b) in sorted(kinds.items())))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpora", nargs="+", help=f"corpus names ({', '.join(CORPORA)}), 'ts', 'py' or 'all'")
    parser.add_argument("--json", type=Path, help="also write the full results here")
    args = parser.parse_args()
    names: list[str] = []
    for item in args.corpora:
        names.extend({"ts": TS_CORPORA, "py": PY_CORPORA, "all": (*TS_CORPORA, *PY_CORPORA)}.get(item, (item,)))
    unknown = [n for n in names if n not in CORPORA]
    if unknown:
        parser.error(f"unknown corpus {unknown[0]!r}; known: {', '.join(CORPORA)}")
    os.environ.setdefault("MNEMO_HOME", str(HOME))
    print(f"load average: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    results = []
    for name in names:
        root = corpus_root(name)
        mnemo = index_with_mnemo(name, root)
        sites = run_oracle(name, root, mnemo.files)
        result = compare(name, mnemo, sites)
        results.append(result)
        show(result)
    total(results, "ts")
    total(results, "py")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
