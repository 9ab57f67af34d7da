"""Fuzz the indexer and the API with generated hostile input; print what happened.

Files: `--rounds` trees of `--files` generated files each (default 4 × 3,000 = 12,000, of which
about 10,700 reach the indexer: the rest lie under node_modules/, dist/ or gitignored folders), every
file one of: valid TypeScript/JavaScript/Python, token soup (syntax errors), random bytes, legacy
encodings (latin-1, cp1252, UTF-16 with BOM, UTF-8 with BOM), invalid UTF-8 inside valid code,
NUL bytes early or late, very long lines, nesting far past the complexity budget, empty files,
files over the size cap; with odd names (control characters, bytes that are not UTF-8, blanks,
unicode, 200-byte names), random .gitignore files, FIFOs, symlink loops and dangling links.
Each tree is indexed by `mnemo index --json` in a subprocess under /usr/bin/time with a
timeout: an aborted run is an exit code other than 0/1 or no JSON summary, a hang is a timeout.

Requests: `--requests` generated requests (default 10,000) to an in-process app (Starlette's
TestClient) over the database the file rounds filled: every route of the OpenAPI schema, with
parameters drawn from hostile strings (NUL, control characters, bidi overrides, 10 kB text,
globs like `[z-a]` and 1,000 `*`, traversal, SQL and HTML fragments), numbers out of range,
random Host/Origin/Authorization headers, bodies of random JSON and random bytes (some over the
size cap); half the requests go to a server with a token on a network host. Indexing jobs use
a stub runner (the pipeline is fuzzed above; here only the HTTP layer is). Counted: status
codes, any 5xx (each printed), the slowest request, and the process's RSS growth.

    python benchmarks/fuzz.py --rounds 4 --files 3000 --requests 10000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from mnemo.store import db as dbmod  # noqa: E402

HOSTILE = [
    "", " ", "\x00", "a\x00b", "\x1b]0;owned\x07", "\x1b[2J", "\u202eevil", "\ud800", "..", "../../etc/passwd",
    "/", "\\", "[z-a]", "*" * 1000, "**/" * 50, "?" * 300, "' OR 1=1 --", "\"; DROP TABLE chunks; --",
    "<script>alert(1)</script>", "%00", "%2e%2e%2f", "a" * 10_241, "名前", "😀" * 50, "null", "-1", "0",
    "99999999999999999999", "1e309", "NaN", "{}", "[]", "src/**/*.ts", "*.py", "Observable", "map", "pipe",
    "Subscriber.next", "src/internal/Observable.ts:Observable", "\t\n\r", "$(id)", "`id`",
]
WORDS = ["map", "filter", "pipe", "subscribe", "next", "error", "complete", "Observable", "Subject", "scan"]


def rand_ident(rng: random.Random) -> str:
    return rng.choice(string.ascii_letters + "_$") + "".join(
        rng.choice(string.ascii_letters + string.digits + "_") for _ in range(rng.randint(0, 12)))


def gen_content(rng: random.Random, ext: str) -> tuple[str, bytes]:
    kind = rng.choices(
        ["valid", "soup", "bytes", "latin1", "cp1252", "utf16", "bom8", "badutf8", "nul_early", "nul_late",
         "longline", "deep", "empty", "huge"],
        weights=[30, 15, 6, 5, 4, 4, 4, 5, 3, 3, 4, 4, 5, 1])[0]
    def valid() -> str:
        if ext == ".py":
            return "".join(f"def {rand_ident(rng)}(x):\n    \"\"\"{rng.choice(WORDS)} café\"\"\"\n    return x + {i}\n\n"
                           for i in range(rng.randint(1, 4)))
        return "".join(f"export function {rand_ident(rng)}(x: number): number {{ return x + {i}; }}\n"
                       for i in range(rng.randint(1, 4)))
    if kind == "valid":
        return kind, valid().encode()
    if kind == "soup":
        toks = ["{", "}", "(", ")", "=>", "function", "class", "def", ":", ";", "'", '"', "`", "/*", "*/", "\n",
                "import", "from", "export", "if", "else", "return", "@", "#", "\\", "<", ">"]
        return kind, " ".join(rng.choice(toks + WORDS) for _ in range(rng.randint(5, 400))).encode()
    if kind == "bytes":
        return kind, rng.randbytes(rng.randint(1, 5000))
    text = valid()
    if kind == "latin1":
        return kind, text.encode("latin-1", "replace")
    if kind == "cp1252":
        return kind, (text + "// \u20ac \u2014 \u201cquoted\u201d\n").encode("cp1252", "replace")
    if kind == "utf16":
        return kind, text.encode("utf-16")
    if kind == "bom8":
        return kind, b"\xef\xbb\xbf" + text.encode()
    if kind == "badutf8":
        data = bytearray(text.encode())
        for _ in range(rng.randint(1, 5)):
            data.insert(rng.randrange(len(data) + 1), rng.choice([0xFF, 0xC3, 0x80, 0xED]))
        return kind, bytes(data)
    if kind == "nul_early":
        return kind, b"\x00" + text.encode()
    if kind == "nul_late":
        return kind, (text * 200).encode()[:9000] + b"\x00" + text.encode()
    if kind == "longline":
        return kind, ("var a=1;" * rng.randint(400, 3000)).encode()
    if kind == "deep":
        n = rng.randint(1200, 6000)
        if ext == ".py":
            return kind, ("x = " + "g(\n" * n + "1" + ")\n" * n).encode()
        return kind, ("function f() { return a" + "\n.b()" * n + "; }\n").encode()
    if kind == "empty":
        return kind, b""
    return kind, ("// filler line of a normal length, repeated to pass the size cap\n" * 17_000).encode()


def gen_name(rng: random.Random, ext: str) -> bytes:
    style = rng.choices(["plain", "control", "bytes", "blank", "unicode", "long", "dash"],
                        weights=[60, 8, 8, 6, 8, 4, 6])[0]
    stem = rand_ident(rng).encode()
    if style == "control":
        stem += rng.choice([b"\x1b[2J", b"\x07", b"\x1b]0;t\x07", b"\r", b"\t"])
    elif style == "bytes":
        stem += bytes([rng.choice([0xFF, 0xE9, 0xC3, 0x80])])
    elif style == "blank":
        stem = b" " + stem + b" x"
    elif style == "unicode":
        stem += "名前\u202e".encode()
    elif style == "long":
        stem = (stem * 40)[:200]
    elif style == "dash":
        stem = b"-" + stem
    return stem + ext.encode()


def gen_tree(root: Path, rng: random.Random, n_files: int) -> Counter:
    kinds: Counter = Counter()
    rootb = os.fsencode(root)
    dirs = [rootb]
    live = [rootb]  # folders the indexer walks (not under node_modules/dist): most files go there,
    made = 0        # so the files reach the parser instead of the scan's exclusions
    while made < n_files:
        if rng.random() < 0.05:
            parent = rng.choice(dirs if rng.random() < 0.2 else live)
            d = os.path.join(parent, rng.choice([b"src", b"lib", b"node_modules", b"dist", b"a\xffb", b"deep",
                                                 rand_ident(rng).encode()]))
            os.makedirs(d, exist_ok=True)
            dirs.append(d)
            if parent in live and os.path.basename(d) not in (b"node_modules", b"dist"):
                live.append(d)
            if rng.random() < 0.3:
                lines = rng.choices(["*.py", "build\\", "\\", "!", "[z-a]", "secret*", "!keep.ts", "#c", "**/x",
                                     rand_ident(rng)], k=rng.randint(1, 6))
                with open(os.path.join(d, b".gitignore"), "w") as f:
                    f.write("\n".join(lines) + "\n")
            continue
        where = rng.choice(dirs if rng.random() < 0.1 else live)
        special = rng.random()
        ext = rng.choice([".ts", ".js", ".py", ".tsx"])
        path = os.path.join(where, gen_name(rng, ext))
        try:
            if special < 0.01:
                os.mkfifo(path)
                kinds["fifo"] += 1
            elif special < 0.02:
                os.symlink(where, path)  # a loop
                kinds["symlink loop"] += 1
            elif special < 0.025:
                os.symlink(b"/nonexistent/target.ts", path)
                kinds["dangling symlink"] += 1
            else:
                kind, data = gen_content(rng, ext)
                with open(path, "wb") as f:
                    f.write(data)
                kinds[kind] += 1
        except (FileExistsError, OSError):
            continue
        made += 1
    return kinds


def run_index(root: Path, name: str, env: dict, timeout: int) -> dict:
    cmd = ["/usr/bin/time", "-v", sys.executable, "-m", "mnemo", "index", str(root), "-r", name, "--json",
           "--no-progress"]
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"hang": True, "wall_s": time.monotonic() - started}
    err = proc.stderr.decode(errors="replace")
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    out: dict = {"exit": proc.returncode, "wall_s": time.monotonic() - started,
                 "rss_mb": int(rss.group(1)) / 1024 if rss else None}
    try:
        out["summary"] = json.loads(proc.stdout)
    except ValueError:
        out["stderr"] = err[-2000:]
    return out


# -- the API ---------------------------------------------------------------------------------


def api_fuzz(url: str, n: int, rng: random.Random, tmp: Path) -> int:
    import psutil
    from fastapi.testclient import TestClient

    from mnemo.api import create_app

    def runner(db, root, name, full, progress):
        progress({"stage": "indexing", "files_done": 0, "files_total": 1})
        return {"status": "succeeded", "files_indexed": 0}

    database = dbmod.Database.open(url).pooled(max_size=4)
    with database.connect() as conn:
        repos = [r[0] for r in conn.execute("SELECT name FROM repositories")]
        names = [r[0] for r in conn.execute("SELECT name FROM chunks ORDER BY random() LIMIT 200")]
        paths = [r[0] for r in conn.execute("SELECT path FROM files ORDER BY random() LIMIT 200")]
    apps = {
        "loopback": create_app(database, runner=runner, index_roots=[tmp]),
        "network": create_app(database, runner=runner, index_roots=[tmp], token="fuzz-token", loopback_only=False,
                              extra_hosts=["mnemo.lan"]),
    }
    clients = {k: TestClient(a, base_url="http://127.0.0.1:3002", raise_server_exceptions=False)
               for k, a in apps.items()}
    schema = apps["loopback"].openapi()
    routes = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            if path.endswith("/events"):
                continue  # a stream; followed separately below
            params = [(p["name"], p["in"]) for p in op.get("parameters", [])]
            routes.append((method.upper(), path, params))
    routes += [("GET", "/", []), ("GET", "/static/app.js", []), ("GET", "/vendor/x", []), ("GET", "/api/docs", []),
               ("GET", "/api/nope", []), ("PUT", "/api/repositories", [])]

    def value() -> str:
        r = rng.random()
        if r < 0.35:
            return rng.choice(HOSTILE)
        if r < 0.55:
            return rng.choice(repos + names + paths + WORDS or ["x"])
        if r < 0.7:
            return str(rng.choice([-1, 0, 1, 5, 6, 499, 500, 501, 10**6, 2**31, 2**63]))
        return "".join(chr(rng.randint(1, 0x2FFF)) for _ in range(rng.randint(0, 40)))

    statuses: Counter = Counter()
    errors: list[str] = []
    slowest = (0.0, "")
    proc = psutil.Process()
    rss0 = proc.memory_info().rss
    started = time.monotonic()
    i = 0
    answered = 0
    while answered < n:  # count requests the server answered (the client refuses a few URLs itself)
        i += 1
        which = "network" if i % 2 else "loopback"
        client = clients[which]
        method, template, params = rng.choice(routes)
        url_path = template
        query = []
        for pname, where in params:
            if where == "path":
                v = value() if rng.random() < 0.7 else rng.choice(repos or ["x"])
                from urllib.parse import quote

                url_path = url_path.replace("{" + pname + "}", quote(v.encode("utf-8", "surrogatepass"), safe=""))
            elif where == "query" and rng.random() < 0.8:
                query.append((pname, value()))
        if rng.random() < 0.1:
            query.append((rand_ident(rng), value()))  # an unknown parameter
        from urllib.parse import quote as _q

        if query:  # percent-encoded by hand: lone surrogates and NULs must reach the server as bytes
            url_path += "?" + "&".join(f"{_q(k)}={_q(v.encode('utf-8', 'surrogatepass'), safe='')}" for k, v in query)
        headers = {}
        if which == "network" and rng.random() < 0.8:
            headers["Authorization"] = rng.choice(["Bearer fuzz-token"] * 4 + ["Bearer nope", "Basic x", "Bearer "])
        if rng.random() < 0.1:
            headers["Host"] = rng.choice(["evil.example", "mnemo.lan:3002", "127.0.0.1", "[::1]:3002", "10.0.0.1"])
        if rng.random() < 0.1:
            headers["Origin"] = rng.choice(["http://evil.example", "null", "http://127.0.0.1:3002"])
        body = None
        content = None
        if method in ("POST", "PUT", "DELETE"):
            r = rng.random()
            if r < 0.5:
                body = {"path": rng.choice([str(tmp), str(tmp / "sub"), "/", value()]),
                        **({"name": value()} if rng.random() < 0.5 else {}),
                        **({"full": rng.choice([True, False, "yes", 1])} if rng.random() < 0.3 else {})}
            elif r < 0.7:
                content = rng.randbytes(rng.randint(0, 200))
            elif r < 0.75:
                content = b'{"path": "' + b"a" * 70_000 + b'"}'
        t = time.monotonic()
        try:
            if content is not None:
                response = client.request(method, url_path, content=content,
                                          headers={**headers, "Content-Type": "application/json"})
            else:
                response = client.request(method, url_path, json=body, headers=headers)
            code = response.status_code
            answered += 1
        except Exception as exc:  # the client itself refused (e.g. an invalid URL): not a server answer
            code = f"client:{type(exc).__name__}"
        took = time.monotonic() - t
        statuses[code] += 1
        if took > slowest[0]:
            slowest = (took, f"{method} {url_path[:80]} {query[:3]}")
        if isinstance(code, int) and code >= 500:
            errors.append(f"{code} {method} {url_path[:120]} {query[:4]!r} {body!r:.200}")
    for app in apps.values():
        app.state.jobs.join(30)
    # The event stream of finished jobs ends (no hang).
    jobs = clients["loopback"].get("/api/jobs").json()["jobs"][:5]
    for job in jobs:
        with clients["loopback"].stream("GET", f"/api/jobs/{job['id']}/events") as stream:
            stream.read()
        statuses["events-ok"] += 1
    wall = time.monotonic() - started
    rss1 = proc.memory_info().rss
    fives = sum(v for k, v in statuses.items() if isinstance(k, int) and k >= 500)
    print(f"api: {answered} requests answered ({i} generated) in {wall:.0f} s ({answered / wall:.0f}/s); statuses "
          + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items(), key=lambda kv: str(kv[0]))))
    print(f"api: 5xx {fives}; slowest {slowest[0]:.2f} s ({slowest[1]}); RSS {rss0 / 2**20:.0f} → "
          f"{rss1 / 2**20:.0f} MB")
    for e in errors[:20]:
        print(f"  5xx: {e}")
    database.close()
    return fives


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--files", type=int, default=3000, help="files per round")
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--timeout", type=int, default=1800, help="seconds before a run counts as a hang")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    base = Path(tempfile.mkdtemp(prefix="mnemo-fuzz-"))
    server = dbmod.embedded_server(base / "pgdata", cleanup_mode="delete")
    url = dbmod.ensure_database(server.get_uri(), "fuzz")
    dbmod.migrate(url)
    env = {**os.environ, "MNEMO_DATABASE_URL": url,
           "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    print(f"fuzz: {args.rounds} rounds x {args.files} files, {args.requests} requests, seed {args.seed}; "
          f"load {os.getloadavg()}")
    aborted = hangs = total = seen = 0
    rss = []
    for r in range(args.rounds):
        root = base / f"tree{r}"
        root.mkdir()
        kinds = gen_tree(root, rng, args.files)
        total += sum(kinds.values())
        result = run_index(root, f"fuzz{r}", env, args.timeout)
        if result.get("hang"):
            hangs += 1
            print(f"  round {r}: HANG after {result['wall_s']:.0f} s")
            continue
        s = result.get("summary")
        if result["exit"] not in (0, 1) or not s:
            aborted += 1
            print(f"  round {r}: ABORTED exit {result['exit']}: {result.get('stderr', '')[-800:]}")
            continue
        rss.append(result["rss_mb"])
        seen += s["files_seen"]
        skipped = sum(s["files_skipped"].values())
        print(f"  round {r}: exit {result['exit']} in {result['wall_s']:.0f} s, peak RSS {result['rss_mb']:.0f} MB; "
              f"{s['files_seen']} seen, {s['files_indexed']} indexed, {s['files_failed']} failed, "
              f"{skipped} skipped ({', '.join(f'{n} {k}' for k, n in sorted(s['files_skipped'].items()))}); "
              f"{s['chunks_written']} chunks; generated: {dict(kinds)}", flush=True)
    print(f"files: {total} generated in {args.rounds} runs, {seen} of them reached the indexer (the rest lie "
          f"under excluded or gitignored folders): {aborted} aborted, {hangs} hangs, "
          f"peak RSS max {max(rss) if rss else 0:.0f} MB (per run: {', '.join(f'{x:.0f}' for x in rss)}); "
          f"load {os.getloadavg()}")
    fives = api_fuzz(url, args.requests, rng, base) if args.requests else 0
    return 1 if aborted or hangs or fives else 0


if __name__ == "__main__":
    sys.exit(main())
