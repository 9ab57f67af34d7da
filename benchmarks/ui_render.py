"""UI benchmark: how fast the graph view renders in a real browser, and whether it stays usable.

Two corpora, fetched with `npm pack` (registry client only) into benchmarks/.cache/ui/:
  * rxjs 7.8.2 `src/` (251 .ts files) — target: the default graph view renders in ≤ 2 s;
  * @babylonjs/core 9.35.0 (~3,400 .js files) — the default view must stay bounded and usable.

Each corpus is indexed once into a private embedded PostgreSQL (MNEMO_HOME under the cache) with
the real parser and graph stage. rxjs uses the real embedding model; babylon, by default, a
deterministic stub embedder (the graph view never reads vectors, and embedding 3,400 files on a
2-core machine takes long) — pass --real-model to embed it for real.

Then a real `create_app` server (uvicorn) is driven by headless Chromium (Debian's
/usr/bin/chromium through Playwright) exactly as a person would: open the page, pick the
repository in the dropdown, wait for the graph. Measured per run (a fresh page each time):
  render_s   from the dropdown's change event to two animation frames after the graph is drawn
  fetch_ms / layout_ms   the split reported by the page (network + JSON vs. Cytoscape add + layout)
  click_ms   a real mouse click on the top node until its code panel is filled
  pan_fps    frames per second while the view is panned and zoomed for one second
  long_tasks main-thread tasks over 50 ms during the render (PerformanceObserver 'longtask')
Also at the maximum slice (limit=500), and the size of the default view's JSON.

    python benchmarks/ui_render.py                  # both corpora, 5 runs each
    python benchmarks/ui_render.py --corpora rxjs --runs 10
    python benchmarks/ui_render.py --real-model     # embed babylon with the real model too

Prints a table and writes benchmarks/.cache/ui/results.json; screenshots go to
test-artifacts/bench-<corpus>.png. Timings are measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import corpora  # benchmarks/corpora.py: the scripts run with benchmarks/ on sys.path
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache" / "ui"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
CORPORA = {
    # name: (npm spec, tarball, directory inside the package, embed with the real model by default)
    "rxjs": ("rxjs@7.8.2", "rxjs-7.8.2.tgz", "src", True),
    "babylon": ("@babylonjs/core@9.35.0", "babylonjs-core-9.35.0.tgz", ".", False),
}
STUB_MODEL = "ui-bench-stub"

sys.path.insert(0, str(ROOT / "tests" / "e2e"))


class StubEmbedder:
    """Deterministic unit vectors from a hash of the text: the graph view never reads vectors,
    so the UI benchmark does not need to spend minutes embedding a 3,400-file corpus."""

    model_name = STUB_MODEL
    dimension = 384

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            v = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows) if rows else np.zeros((0, self.dimension), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def fetch(name: str) -> Path:
    spec, tarball, sub, _ = CORPORA[name]
    return corpora.fetch(name, f"npm:{spec}", tarball, f"package/{sub}")


def ensure_indexed(database: Any, name: str, real_model: bool, reindex: bool) -> dict[str, Any]:
    from mnemo.pipeline import IndexOptions, index_repository

    root = fetch(name)
    with database.connect() as conn:
        row = conn.execute(
            "SELECT r.id, (SELECT count(*) FROM graph_nodes n WHERE n.repository_id = r.id) FROM repositories r "
            "WHERE r.name = %s", (name,),
        ).fetchone()
    if row and row[1] and not reindex:
        return {"indexed": "reused"}
    use_real = real_model or CORPORA[name][3]
    options = IndexOptions(name=name, full=True, model=None if use_real else STUB_MODEL)
    started = time.perf_counter()
    summary = index_repository(database, root, options, embedder=None if use_real else StubEmbedder())
    return {"indexed": f"{summary.files_indexed} files in {time.perf_counter() - started:.0f} s",
            "model": summary.model}


def corpus_figures(database: Any, name: str) -> dict[str, int]:
    with database.connect() as conn:
        return dict(zip(("files", "chunks", "definitions", "modules", "edges"), conn.execute(
            """SELECT (SELECT count(*) FROM files f WHERE f.repository_id = r.id),
                      (SELECT count(*) FROM chunks c WHERE c.repository_id = r.id),
                      (SELECT count(*) FROM graph_nodes n WHERE n.repository_id = r.id AND n.kind <> 'module'),
                      (SELECT count(*) FROM graph_nodes n WHERE n.repository_id = r.id AND n.kind = 'module'),
                      (SELECT count(*) FROM graph_edges e WHERE e.repository_id = r.id AND e.dst IS NOT NULL)
               FROM repositories r WHERE r.name = %s""", (name,)).fetchone()))


RENDER_JS = """async (name) => {
  const longTasks = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
  try { observer.observe({ type: 'longtask', buffered: false }); } catch (e) {}
  const before = document.body.dataset.graphRendered || '';
  const select = document.querySelector('#repo-select');
  const t0 = performance.now();
  select.value = name;
  select.dispatchEvent(new Event('change'));
  while ((document.body.dataset.graphRendered || '') === before) {
    await new Promise((r) => setTimeout(r, 5));
    if (performance.now() - t0 > 60000) throw new Error('graph did not render within 60 s');
  }
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  const total = performance.now() - t0;
  observer.disconnect();
  return { render_ms: total, ...window.__mnemoTimings, long_tasks: longTasks.length,
           longest_task_ms: longTasks.length ? Math.max(...longTasks) : 0 };
}"""

PAN_JS = """async () => {
  const cy = window.__mnemo.graph.cy;
  const frames = [];
  let last = performance.now();
  const end = last + 1000;
  let i = 0;
  while (performance.now() < end) {
    cy.panBy({ x: (i % 40 < 20 ? 12 : -12), y: (i % 30 < 15 ? 8 : -8) });
    cy.zoom({ level: cy.zoom() * (i % 20 < 10 ? 1.01 : 0.99), renderedPosition: { x: 400, y: 300 } });
    i++;
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }
  frames.sort((a, b) => a - b);
  return { fps: frames.length, p95_frame_ms: frames[Math.floor(frames.length * 0.95)] };
}"""

CLICK_TARGET_JS = """() => {
  const cy = window.__mnemo.graph.cy;
  const node = cy.nodes().max((n) => n.data('pagerank')).ele;
  cy.center(node);
  const p = node.renderedPosition();
  const box = document.querySelector('#cy').getBoundingClientRect();
  return { x: box.left + p.x, y: box.top + p.y, title: node.data('raw').qualified_name };
}"""


def measure(page: Any, url: str, name: str, limit: int | None, runs: int, shot: str | None) -> dict[str, Any]:
    results = []
    for i in range(runs):
        page.goto(url + "/#graph")
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        if page.input_value("#repo-select") == name:  # restored from the last visit: start from none
            page.select_option("#repo-select", "")
        page.fill("#graph-limit", str(limit or 150))
        timing = page.evaluate(RENDER_JS, name)
        target = page.evaluate(CLICK_TARGET_JS)
        t0 = time.perf_counter()
        page.mouse.click(target["x"], target["y"])
        page.wait_for_function(
            "(t) => document.querySelector('#node-title').textContent === t && document.querySelector('#node-code').textContent.length > 0",
            arg=target["title"], timeout=30_000,
        )
        timing["click_ms"] = (time.perf_counter() - t0) * 1000
        page.click("#node-close")
        timing.update(page.evaluate(PAN_JS))
        results.append(timing)
        if shot and i == runs - 1:
            page.mouse.move(2, 2)  # no node hovered: no faded neighbours in the picture
            page.evaluate("() => { const cy = window.__mnemo.graph.cy; cy.elements().removeClass('faded'); cy.fit(undefined, 30); }")
            page.wait_for_timeout(300)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / shot))
    def med(key: str) -> float:
        return statistics.median(r[key] for r in results)
    return {
        "runs": runs,
        "nodes": results[-1]["nodes"], "edges": results[-1]["edges"],
        "render_s_median": med("render_ms") / 1000, "render_s_max": max(r["render_ms"] for r in results) / 1000,
        "fetch_ms_median": med("fetch_ms"),
        "page_layout_ms_median": statistics.median(r["render_ms"] - r["fetch_ms"] for r in results),
        "click_ms_median": med("click_ms"), "pan_fps_median": med("fps"), "pan_p95_frame_ms": med("p95_frame_ms"),
        "long_tasks_median": med("long_tasks"), "longest_task_ms_max": max(r["longest_task_ms"] for r in results),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", nargs="+", default=list(CORPORA), choices=list(CORPORA))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--real-model", action="store_true", help="embed every corpus with the real model")
    parser.add_argument("--reindex", action="store_true", help="index again even if the cache holds the corpus")
    args = parser.parse_args()

    os.environ["MNEMO_HOME"] = str(CACHE / "mnemo-home")
    os.environ.pop("MNEMO_DATABASE_URL", None)
    import httpx
    from e2e_support import LiveServer
    from playwright.sync_api import sync_playwright

    from mnemo.store.db import Database

    database = Database.open()
    report: dict[str, Any] = {}
    for name in args.corpora:
        print(f"{name}: indexing …", flush=True)
        report[name] = {"index": ensure_indexed(database, name, args.real_model, args.reindex),
                        **corpus_figures(database, name)}
        print(f"{name}: {report[name]}", flush=True)

    with LiveServer(database) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        for name in args.corpora:
            default = httpx.get(f"{server.url}/api/repositories/{name}/graph", params={"limit": 150}, timeout=60)
            report[name]["default_view_json_kb"] = round(len(default.content) / 1024, 1)
            report[name]["default"] = measure(page, server.url, name, None, args.runs, f"bench-{name}.png")
            report[name]["max_500"] = measure(page, server.url, name, 500, max(1, args.runs // 2), f"bench-{name}-500.png")
            modules = httpx.get(f"{server.url}/api/repositories/{name}/graph/modules", params={"limit": 150}, timeout=60)
            report[name]["module_view_json_kb"] = round(len(modules.content) / 1024, 1)
        browser.close()

    CACHE.mkdir(parents=True, exist_ok=True)
    (CACHE / "results.json").write_text(json.dumps(report, indent=2))
    print()
    print(f"{'corpus':8} {'view':8} {'nodes':>5} {'edges':>5} {'render s (med/max)':>19} {'fetch ms':>8} "
          f"{'layout ms':>9} {'click ms':>8} {'pan fps':>7} {'long tasks':>10}")
    for name in args.corpora:
        r = report[name]
        for view in ("default", "max_500"):
            m = r[view]
            print(f"{name:8} {view:8} {m['nodes']:5d} {m['edges']:5d} "
                  f"{m['render_s_median']:8.2f} / {m['render_s_max']:5.2f}   {m['fetch_ms_median']:8.0f} "
                  f"{m['page_layout_ms_median']:9.0f} {m['click_ms_median']:8.0f} {m['pan_fps_median']:7.0f} "
                  f"{m['long_tasks_median']:10.0f}")
        print(f"{name:8} corpus: {r['files']} files, {r['definitions']} definitions, {r['modules']} modules, "
              f"{r['edges']} edges; default view JSON {r['default_view_json_kb']} kB; module view JSON "
              f"{r['module_view_json_kb']} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
