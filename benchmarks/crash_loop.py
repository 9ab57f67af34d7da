"""Crash loop: SIGKILL `mnemo index` at random moments, check the invariants after each kill,
then check that finishing the run gives exactly what a clean run gives.

Over rxjs 7.8.2 `src/` (or its first `--files` files, to keep a loaded machine's run short), in
a private embedded PostgreSQL. Each iteration picks a phase and kills the process in it:

  model  — a random moment in the first seconds (importing torch, loading the model, scanning);
  mid    — after a random number of files committed;
  graph  — once the graph build holds its lock (the tree is edited first, so a rebuild is due),
           after a random extra delay;
  full   — a `--full` run, after a random number of files committed.

Between iterations the tree is edited now and then (a file deleted, restored, changed), so
kills land on incremental runs that add, replace and remove files. After each kill:

  * no partial file: every file's chunk_count equals its stored chunks;
  * no orphan row: no chunk without its file, no graph node without its file/chunk, no edge
    without its nodes (checked by query, not only trusted to the foreign keys);
  * the graph is old or new, never half: either graph_builds is unchanged and no node of the
    killed build exists (no id beyond the ones before the run), or the recorded counts equal
    the graph's rows (a whole new build: nodes, and edges with a target node).

At the end a run completes; its state (files, hashes, statuses, chunks and their lines,
vectors to 1e-3, graph node/edge counts by type) must equal a clean run of the same tree into a
fresh database. Prints one line per kill and a summary; exit 1 when any invariant failed.

    python benchmarks/crash_loop.py --kills 32 --files 80
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from mnemo.store import db as dbmod  # noqa: E402

RXJS = Path(__file__).resolve().parent / ".cache" / "src" / "rxjs" / "package" / "src"


def _graph_lock_class() -> int:
    from mnemo.graph import build

    return int(build._GRAPH_LOCK)


def corpus(dest: Path, limit: int | None) -> Path:
    files = sorted(p for p in RXJS.rglob("*.ts"))
    if limit:
        files = files[:limit]
    for p in files:
        target = dest / p.relative_to(RXJS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(p, target)
    return dest


def index_cmd(root: Path, full: bool) -> list[str]:
    cmd = [sys.executable, "-m", "mnemo", "index", str(root), "-r", "crash", "--no-progress", "--json"]
    return cmd + (["--full"] if full else [])


def graph_state(conn: psycopg.Connection) -> tuple:
    row = conn.execute("SELECT built_at, node_count, edge_count FROM graph_builds").fetchone()
    max_node = conn.execute("SELECT coalesce(max(id), 0) FROM graph_nodes").fetchone()[0]
    return row, max_node


def check_invariants(url: str, before: tuple) -> list[str]:
    problems = []
    with psycopg.connect(url) as conn:
        partial = conn.execute(
            "SELECT count(*) FROM files f WHERE f.chunk_count <> (SELECT count(*) FROM chunks c WHERE c.file_id = f.id) "
            "AND f.status <> 'failed'"
        ).fetchone()[0]
        if partial:
            problems.append(f"{partial} partial files")
        orphans = conn.execute(
            "SELECT (SELECT count(*) FROM chunks c WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.id = c.file_id)),"
            " (SELECT count(*) FROM graph_nodes n WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.id = n.file_id)"
            "    OR (n.chunk_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.id = n.chunk_id))),"
            " (SELECT count(*) FROM graph_edges e WHERE NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.id = e.src)"
            "    OR (e.dst IS NOT NULL AND NOT EXISTS (SELECT 1 FROM graph_nodes n WHERE n.id = e.dst)))"
        ).fetchone()
        if any(orphans):
            problems.append(f"orphan rows (chunks, nodes, edges) = {orphans}")
        (build_before, max_before) = before
        build_now, _ = graph_state(conn)
        if build_now != build_before and build_now is not None:
            nodes = conn.execute("SELECT count(*) FROM graph_nodes").fetchone()[0]
            edges = conn.execute("SELECT count(*) FROM graph_edges WHERE dst IS NOT NULL").fetchone()[0]
            if (nodes, edges) != (build_now[1], build_now[2]):
                problems.append(f"new graph is half: {nodes} nodes/{edges} edges, recorded {build_now[1:]}")
        else:
            newer = conn.execute("SELECT count(*) FROM graph_nodes WHERE id > %s", (max_before,)).fetchone()[0]
            if newer:
                problems.append(f"old graph but {newer} nodes of the killed build remain")
    return problems


def state(url: str) -> dict:
    with psycopg.connect(url) as conn:
        files = conn.execute(
            "SELECT path, content_hash, status, chunk_count, encoding FROM files ORDER BY path").fetchall()
        chunks = conn.execute(
            "SELECT path, kind, qualified_name, start_line, end_line, embedding FROM chunks "
            "ORDER BY path, start_line, end_line, kind, qualified_name").fetchall()
        nodes = conn.execute("SELECT kind, count(*) FROM graph_nodes GROUP BY kind ORDER BY kind").fetchall()
        edges = conn.execute("SELECT type, count(*) FROM graph_edges GROUP BY type ORDER BY type").fetchall()
    return {"files": files, "chunks": chunks, "nodes": nodes, "edges": edges}


def _vector(value) -> np.ndarray:
    """A pgvector value as numpy: its text form '[0.1,…]' without the adapter, else the adapter's."""
    if isinstance(value, str):
        return np.asarray(json.loads(value), dtype=np.float32)
    return value.to_numpy() if hasattr(value, "to_numpy") else np.asarray(value, dtype=np.float32)


def same_state(a: dict, b: dict) -> list[str]:
    diffs = []
    for key in ("files", "nodes", "edges"):
        if a[key] != b[key]:
            diffs.append(f"{key} differ: {len(a[key])} vs {len(b[key])}")
    ca, cb = a["chunks"], b["chunks"]
    if [r[:-1] for r in ca] != [r[:-1] for r in cb]:
        diffs.append(f"chunks differ: {len(ca)} vs {len(cb)}")
    else:
        far = sum(1 for x, y in zip(ca, cb) if not np.allclose(_vector(x[-1]), _vector(y[-1]), atol=1e-3))
        if far:
            diffs.append(f"{far} vectors differ beyond 1e-3")
    return diffs


def committed_since(conn: psycopg.Connection, since) -> int:
    return conn.execute("SELECT count(*) FROM files WHERE indexed_at >= %s", (since,)).fetchone()[0]


def in_graph_phase(conn: psycopg.Connection) -> bool:
    return bool(conn.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %s AND objsubid = 2",
        (_graph_lock_class() & 0xFFFFFFFF,),
    ).fetchone()[0])


def edit_tree(root: Path, rng: random.Random, stash: dict[Path, bytes]) -> str:
    """One edit: restore a deleted file, delete one, or change one."""
    files = sorted(root.rglob("*.ts"))
    choice = rng.random()
    if stash and choice < 0.35:
        path, data = stash.popitem()
        path.write_bytes(data)
        return f"restored {path.relative_to(root)}"
    victim = rng.choice(files)
    if choice < 0.65:
        stash[victim] = victim.read_bytes()
        victim.unlink()
        return f"deleted {victim.relative_to(root)}"
    with victim.open("a") as f:
        f.write(f"\nexport function crashLoopEdit{rng.randrange(10**6)}(x: number): number {{ return x * 2; }}\n")
    return f"changed {victim.relative_to(root)}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=32)
    ap.add_argument("--files", type=int, default=0, help="index only the first N files of rxjs src (0: all 251)")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    if not RXJS.is_dir():
        raise SystemExit(f"{RXJS} missing: run benchmarks/index_bench.py rxjs once to fetch it")

    base = Path(tempfile.mkdtemp(prefix="mnemo-crash-"))
    server = dbmod.embedded_server(base / "pgdata", cleanup_mode="delete")
    uri = server.get_uri()
    urls = {}
    for name in ("crash", "clean"):
        urls[name] = dbmod.ensure_database(uri, name)
        dbmod.migrate(urls[name])
    root = corpus(base / "tree" / "src", args.files or None)
    env = {**os.environ, "MNEMO_DATABASE_URL": urls["crash"], "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    n_files = sum(1 for _ in root.rglob("*.ts"))
    print(f"crash loop: {n_files} files of rxjs 7.8.2 src, {args.kills} kills, seed {args.seed}; load {os.getloadavg()}")

    phases = ["model", "mid", "graph", "full"]
    stash: dict[Path, bytes] = {}
    kills = 0
    tried = 0
    failures: list[str] = []
    by_phase: dict[str, int] = {}
    # One complete run first, so later kills land on incremental runs with a graph to keep.
    subprocess.run(index_cmd(root, False), env=env, capture_output=True, check=False)
    started_loop = time.time()
    while kills < args.kills and tried < args.kills * 3:
        tried += 1
        phase = phases[(tried - 1) % len(phases)] if tried <= len(phases) else rng.choice(phases)
        edit = ""
        if phase == "graph" or rng.random() < 0.4:
            edit = edit_tree(root, rng, stash)
        if phase == "mid":  # an incremental run with work to do: change a batch of files
            batch = rng.sample(sorted(root.rglob("*.ts")), k=min(n_files, rng.randint(8, 24)))
            for victim in batch:
                with victim.open("a") as f:
                    f.write(f"\nexport function crashLoopMid{rng.randrange(10**6)}(): number {{ return 1; }}\n")
            edit = (edit + "; " if edit else "") + f"changed {len(batch)} files"
        with psycopg.connect(urls["crash"], autocommit=True) as conn:
            before = graph_state(conn)
            since = conn.execute("SELECT now()").fetchone()[0]
            proc = subprocess.Popen(index_cmd(root, phase == "full"), env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t0 = time.monotonic()
            target = rng.randint(1, max(1, (n_files if phase == "full" else 8) - 1))
            delay = rng.uniform(0.3, 4.0)
            graph_extra = rng.uniform(0.0, 1.5)
            seen_graph_at = None
            fired = False
            while proc.poll() is None and time.monotonic() - t0 < 600:
                now = time.monotonic() - t0
                if phase == "model" and now >= delay:
                    fired = True
                elif phase in ("mid", "full") and committed_since(conn, since) >= target:
                    fired = True
                elif phase == "graph":
                    if seen_graph_at is None and in_graph_phase(conn):
                        seen_graph_at = now
                    if seen_graph_at is not None and now - seen_graph_at >= graph_extra:
                        fired = True
                if fired:
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.02)
            proc.wait()
        if not fired:
            print(f"  #{tried:02d} {phase:5s} run ended before the kill ({edit or 'no edit'})", flush=True)
            continue
        kills += 1
        by_phase[phase] = by_phase.get(phase, 0) + 1
        problems = check_invariants(urls["crash"], before)
        with psycopg.connect(urls["crash"]) as conn:
            files = conn.execute("SELECT count(*) FROM files").fetchone()[0]
        status = "ok" if not problems else "FAILED: " + "; ".join(problems)
        failures += problems
        print(f"  kill {kills:02d} {phase:5s} at {time.monotonic() - t0:5.1f} s, {files:3d} files stored, "
              f"{edit or 'no edit'}: {status}", flush=True)

    final = subprocess.run(index_cmd(root, False), env=env, capture_output=True, text=True)
    env_clean = {**env, "MNEMO_DATABASE_URL": urls["clean"]}
    clean = subprocess.run(index_cmd(root, False), env=env_clean, capture_output=True, text=True)
    diffs = same_state(state(urls["crash"]), state(urls["clean"]))
    with psycopg.connect(urls["crash"]) as conn:
        runs = dict(conn.execute("SELECT status, count(*) FROM index_runs GROUP BY status").fetchall())
    print(f"final run exit {final.returncode}, clean run exit {clean.returncode}; runs by status {runs}")
    print(f"kills: {kills} ({', '.join(f'{k} {v}' for k, v in sorted(by_phase.items()))}) in "
          f"{time.time() - started_loop:.0f} s; invariant failures: {len(failures)}; "
          f"final state equals a clean run: {'yes' if not diffs else 'NO: ' + '; '.join(diffs)}; load {os.getloadavg()}")
    server.cleanup() if hasattr(server, "cleanup") else None
    return 1 if failures or diffs or kills < args.kills else 0


if __name__ == "__main__":
    sys.exit(main())
