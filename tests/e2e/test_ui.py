"""The UI in headless Chromium against a live server: pick the repository, see the graph, click
a node for its code, search and follow a result, read the dashboard, index from the page.

Each test saves a screenshot in test-artifacts/. Waits are bounded conditions on what the page
shows (never timing assertions).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import httpx
import pytest

from e2e_support import LiveServer, screenshot

pytestmark = pytest.mark.e2e

WAIT_MS = 30_000


def open_ui(page: Any, server: LiveServer, tab: str = "graph") -> None:
    page.goto(f"{server.url}/#{tab}")
    page.wait_for_selector("body[data-ready='1']", timeout=WAIT_MS)


def pick_repository(page: Any, name: str) -> None:
    page.select_option("#repo-select", name)


def wait_graph(page: Any) -> int:
    page.wait_for_function(
        "() => Number(document.querySelector('#graph-status').dataset.nodes) > 0", timeout=WAIT_MS
    )
    return int(page.get_attribute("#graph-status", "data-nodes"))


def click_graph_node(page: Any, node_id: Any) -> None:
    """A real mouse click on the node's position on the canvas (tests Cytoscape's tap)."""
    pos = page.evaluate(
        """(id) => {
            const cy = window.__mnemo.graph.cy;
            const node = cy.getElementById(String(id));
            cy.center(node);
            const p = node.renderedPosition();
            const box = document.querySelector('#cy').getBoundingClientRect();
            return { x: box.left + p.x, y: box.top + p.y };
        }""",
        node_id,
    )
    page.mouse.click(pos["x"], pos["y"])


def test_pick_repository_and_see_the_graph(page: Any, live_server: LiveServer) -> None:
    api = httpx.get(f"{live_server.url}/api/repositories/fixture/graph", params={"limit": 150}).json()
    open_ui(page, live_server)
    options = page.eval_on_selector_all("#repo-select option", "els => els.map(e => e.value)")
    assert "fixture" in options
    pick_repository(page, "fixture")
    shown = wait_graph(page)
    assert shown == len(api["nodes"]) == api["total_nodes"]  # the fixture fits under the default limit
    drawn_edges = int(page.get_attribute("#graph-status", "data-edges"))
    assert drawn_edges == len(api["edges"])
    assert page.evaluate("() => window.__mnemo.graph.cy.nodes().length") == shown
    # Node size follows PageRank: the highest-ranked node is drawn at least as big as any other.
    sizes = page.evaluate(
        "() => window.__mnemo.graph.cy.nodes().map(n => [n.data('pagerank'), n.data('size')])"
    )
    top = max(sizes, key=lambda s: s[0])
    assert top[1] == max(s[1] for s in sizes)
    screenshot(page, "graph-overview.png")
    assert not page.js_errors


def test_click_a_node_shows_its_code(page: Any, live_server: LiveServer) -> None:
    open_ui(page, live_server)
    pick_repository(page, "fixture")
    wait_graph(page)
    node_id = page.evaluate(
        "() => window.__mnemo.graph.cy.nodes().filter(n => n.data('raw').qualified_name === 'HttpClient.request')[0].id()"
    )
    click_graph_node(page, node_id)
    page.wait_for_selector("#node-panel:not([hidden])", timeout=WAIT_MS)
    page.wait_for_function(
        "() => document.querySelector('#node-title').textContent === 'HttpClient.request'", timeout=WAIT_MS
    )
    page.wait_for_function("() => document.querySelector('#node-code').textContent.includes('retryWithBackoff')",
                           timeout=WAIT_MS)
    callers = page.eval_on_selector_all("#node-callers a", "els => els.map(e => e.textContent)")
    callees = page.eval_on_selector_all("#node-callees a", "els => els.map(e => e.textContent)")
    assert sorted(callers) == ["HttpClient.get", "HttpClient.post"]
    assert callees == ["retryWithBackoff"]
    assert "PageRank" in page.inner_text("#node-metrics")
    screenshot(page, "graph-node.png")
    # Following a callee opens it; expanding shows its neighbourhood.
    page.click("#node-callees a")
    page.wait_for_function("() => document.querySelector('#node-title').textContent === 'retryWithBackoff'",
                           timeout=WAIT_MS)
    page.click("#node-expand")
    page.wait_for_function("() => document.querySelector('#graph-status').dataset.kind === 'neighbourhood'",
                           timeout=WAIT_MS)
    names = page.evaluate("() => window.__mnemo.graph.cy.nodes().map(n => n.data('raw').qualified_name)")
    assert {"retryWithBackoff", "sleep", "HttpClient.request"} <= set(names)
    assert not page.js_errors


def test_module_view(page: Any, live_server: LiveServer) -> None:
    open_ui(page, live_server)
    pick_repository(page, "fixture")
    wait_graph(page)
    page.select_option("#graph-view", "modules")
    page.wait_for_function("() => document.querySelector('#graph-status').dataset.kind === 'modules'",
                           timeout=WAIT_MS)
    names = page.evaluate("() => window.__mnemo.graph.cy.nodes().map(n => n.data('raw').path)")
    assert "src/http/client.ts" in names
    assert int(page.get_attribute("#graph-status", "data-edges")) >= 4  # the import edges
    screenshot(page, "graph-modules.png")


def test_search_and_follow_a_result(page: Any, live_server: LiveServer) -> None:
    open_ui(page, live_server)
    pick_repository(page, "fixture")
    wait_graph(page)
    page.click("#tab-search")
    page.fill("#search-input", "retry a request with exponential backoff")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#search-results li.result", timeout=WAIT_MS)
    titles = page.eval_on_selector_all("#search-results .result-title", "els => els.map(e => e.textContent)")
    assert "retryWithBackoff" in titles[:3]
    page.click("#search-results .result-title >> text=retryWithBackoff")
    page.wait_for_function("() => document.querySelector('#search-code').textContent.includes('baseMs * 2 ** attempt')",
                           timeout=WAIT_MS)
    screenshot(page, "search.png")
    page.click("#search-show-graph")
    page.wait_for_selector("#view-graph:not([hidden])", timeout=WAIT_MS)
    page.wait_for_function("() => document.querySelector('#node-title').textContent === 'retryWithBackoff'",
                           timeout=WAIT_MS)
    focused = page.evaluate("() => window.__mnemo.graph.cy.nodes('.focus, :selected').map(n => n.data('raw').qualified_name)")
    assert "retryWithBackoff" in focused
    assert not page.js_errors


def test_dashboard_shows_the_figures(page: Any, live_server: LiveServer) -> None:
    metrics = httpx.get(f"{live_server.url}/api/repositories/fixture/metrics").json()
    open_ui(page, live_server, "dashboard")
    pick_repository(page, "fixture")
    page.wait_for_selector("body[data-dashboard-loaded]", timeout=WAIT_MS)
    figures = page.eval_on_selector_all(
        "#dash-figures .figure", "els => Object.fromEntries(els.map(e => [e.dataset.figure, e.querySelector('.value').textContent]))"
    )
    assert figures["files"] == "7"
    assert figures["nodes"] == str(metrics["totals"]["nodes"])
    assert figures["edges"] == str(metrics["totals"]["edges"])
    assert figures["failed-files"] == "1"
    top_complexity = page.eval_on_selector_all("#top-complexity tbody td:first-child", "els => els.map(e => e.textContent)")
    assert top_complexity[0] == metrics["top"]["complexity"][0]["qualified_name"]
    assert page.eval_on_selector_all("#top-pagerank tbody tr", "els => els.length") >= 5
    # Every chart was drawn by Chart.js with the API's numbers.
    charts = page.evaluate(
        "() => [...window.__mnemo.dashboard.charts.entries()].map(([id, c]) => [id, c.data.datasets[0].data.reduce((a, b) => a + b, 0)])"
    )
    totals = dict(charts)
    assert totals["chart-kinds"] == metrics["totals"]["nodes"]
    assert totals["chart-edges"] == metrics["totals"]["edges"]
    assert totals["chart-pagerank"] == metrics["totals"]["nodes"]
    screenshot(page, "dashboard.png")
    assert not page.js_errors


def test_index_from_the_page(page: Any, live_server: LiveServer, fixture_copy: Path) -> None:
    open_ui(page, live_server, "indexing")
    import tempfile

    page.wait_for_function("() => document.querySelector('#index-roots').textContent.includes('allowed under:')",
                           timeout=WAIT_MS)
    assert str(Path(tempfile.gettempdir()).resolve()) in page.inner_text("#index-roots")  # the page says the root
    page.fill("#index-path", str(fixture_copy))
    page.fill("#index-name", "from-ui")
    page.click("#index-form button[type=submit]")
    page.wait_for_function(
        "() => ['succeeded', 'partial', 'failed'].includes(document.querySelector('#job-status').dataset.status)",
        timeout=120_000,
    )
    assert page.get_attribute("#job-status", "data-status") == "partial"  # src/broken.ts
    page.wait_for_function("() => [...document.querySelectorAll('#runs-table td')].some(td => td.textContent === 'from-ui')",
                           timeout=WAIT_MS)
    options = page.eval_on_selector_all("#repo-select option", "els => els.map(e => e.value)")
    assert "from-ui" in options
    # The run's failure is listed with its file.
    page.click("#runs-table tbody tr:first-child")
    page.wait_for_selector("#run-errors td.path", timeout=WAIT_MS)
    assert "src/broken.ts" in page.inner_text("#run-errors")
    screenshot(page, "indexing.png")
    # A bad path is refused with the server's message.
    page.fill("#index-path", "/no/such/dir")
    page.click("#index-form button[type=submit]")
    page.wait_for_selector("#message:not([hidden])", timeout=WAIT_MS)
    assert "does not exist" in page.inner_text("#message")


def test_missing_libraries_are_explained(page: Any, e2e_repo: dict[str, Any], tmp_path: Path) -> None:
    """Without node_modules the page says how to install the libraries instead of breaking."""
    web = Path(__file__).resolve().parents[2] / "src" / "mnemo" / "web"
    bare = tmp_path / "web"
    shutil.copytree(web / "static", bare / "static")
    with LiveServer(e2e_repo["database"], web_dir=bare) as server:
        page.goto(server.url + "/")
        page.wait_for_selector("#vendor-missing", timeout=WAIT_MS)
        text = page.inner_text("#vendor-missing")
        assert "npm ci --prefix src/mnemo/web" in text
        assert "cytoscape" in text
        screenshot(page, "vendor-missing.png")
