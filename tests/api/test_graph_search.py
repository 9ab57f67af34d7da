"""Graph views, graph questions, metrics and search over the indexed fixture repository."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient


def node_id(client: TestClient, symbol: str) -> int:
    [node] = client.get("/api/repositories/fixture/nodes", params={"symbol": symbol}).json()["nodes"]
    return node["id"]


# -- views --------------------------------------------------------------------------------------


def test_overview_is_bounded_by_pagerank(client: TestClient) -> None:
    full = client.get("/api/repositories/fixture/graph").json()
    assert full["view"] == "overview"
    assert full["total_nodes"] == len(full["nodes"]) == 18  # definitions; modules are the module view
    assert full["truncated"] is False
    assert all(n["kind"] != "module" for n in full["nodes"])
    ids = {n["id"] for n in full["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in full["edges"])
    assert {e["type"] for e in full["edges"]} <= {"calls", "inherits", "implements"}

    top5 = client.get("/api/repositories/fixture/graph", params={"limit": 5}).json()
    assert len(top5["nodes"]) == 5
    assert top5["truncated"] is True
    ranks = sorted((n["pagerank"] for n in full["nodes"]), reverse=True)
    assert sorted((n["pagerank"] for n in top5["nodes"]), reverse=True) == ranks[:5]
    kept = {n["id"] for n in top5["nodes"]}
    assert all(e["source"] in kept and e["target"] in kept for e in top5["edges"])


def test_overview_edge_shape(client: TestClient) -> None:
    data = client.get("/api/repositories/fixture/graph").json()
    names = {n["id"]: n["qualified_name"] for n in data["nodes"]}
    pairs = {(names[e["source"]], names[e["target"]]) for e in data["edges"]}
    assert ("HttpClient.request", "retryWithBackoff") in pairs
    assert ("retryWithBackoff", "sleep") in pairs
    node = next(n for n in data["nodes"] if n["qualified_name"] == "HttpClient.request")
    assert node["label"] == "HttpClient.request"
    assert node["module"] == "src/http"
    assert node["in_degree"] == 2


def test_module_view(client: TestClient) -> None:
    data = client.get("/api/repositories/fixture/graph/modules").json()
    paths = {n["id"]: n["path"] for n in data["nodes"]}
    assert len(paths) == data["total_nodes"] == 7
    assert all(n["kind"] == "module" for n in data["nodes"])
    imports = {(paths[e["source"]], paths[e["target"]]) for e in data["edges"] if e["imports"]}
    assert ("src/auth/session.ts", "src/http/client.ts") in imports
    assert ("src/http/client.ts", "src/http/retry.ts") in imports
    label = next(n["label"] for n in data["nodes"] if n["path"] == "src/http/retry.ts")
    assert label == "retry.ts"


def test_neighbourhood_depth(client: TestClient) -> None:
    center = node_id(client, "retryWithBackoff")
    one = client.get(f"/api/repositories/fixture/graph/nodes/{center}/neighbourhood", params={"depth": 1}).json()
    names1 = {n["qualified_name"] for n in one["nodes"]}
    # calls in and out, and the module that contains it
    assert {"retryWithBackoff", "sleep", "HttpClient.request", "src/http/retry.ts"} <= names1
    assert "HttpClient.get" not in names1
    two = client.get(f"/api/repositories/fixture/graph/nodes/{center}/neighbourhood", params={"depth": 2}).json()
    names2 = {n["qualified_name"] for n in two["nodes"]}
    assert names1 < names2
    assert "HttpClient.get" in names2
    assert two["center"] == center


@pytest.mark.parametrize(
    ("params", "fragment"),
    [({"depth": 6}, "depth"), ({"depth": 0}, "depth"), ({"limit": 501}, "limit"), ({"depth": "x"}, "depth")],
)
def test_neighbourhood_limits(client: TestClient, params: dict[str, Any], fragment: str) -> None:
    center = node_id(client, "sleep")
    response = client.get(f"/api/repositories/fixture/graph/nodes/{center}/neighbourhood", params=params)
    assert response.status_code == 422
    assert fragment in response.json()["error"]


def test_node_detail_has_code_callers_and_callees(client: TestClient) -> None:
    nid = node_id(client, "HttpClient.request")
    data = client.get(f"/api/repositories/fixture/graph/nodes/{nid}").json()
    assert data["node"]["qualified_name"] == "HttpClient.request"
    assert data["chunk"]["source"].lstrip().startswith("async request(")
    assert sorted(c["qualified_name"] for c in data["callers"]) == ["HttpClient.get", "HttpClient.post"]
    local = [c["qualified_name"] for c in data["callees"] if not c["external"]]
    external = {c["name"] for c in data["callees"] if c["external"]}
    assert local == ["retryWithBackoff"]
    assert "fetch" in external
    module = node_id(client, "src/http/retry.ts")
    mod = client.get(f"/api/repositories/fixture/graph/nodes/{module}").json()
    assert mod["node"]["kind"] == "module"
    assert mod["chunk"] is None


def test_unknown_nodes_and_repositories(client: TestClient) -> None:
    assert client.get("/api/repositories/fixture/graph/nodes/999999").status_code == 404
    assert client.get("/api/repositories/fixture/graph/nodes/999999/neighbourhood").status_code == 404
    assert client.get("/api/repositories/nope/graph").status_code == 404
    assert client.get("/api/repositories/nope/graph/modules").status_code == 404
    assert client.get("/api/repositories/nope/metrics").status_code == 404
    assert client.get("/api/repositories/nope/callers", params={"symbol": "x"}).status_code == 404
    assert client.get("/api/repositories/fixture/graph", params={"limit": 0}).status_code == 422
    assert client.get("/api/repositories/fixture/graph", params={"limit": 100000}).status_code == 422


# -- questions ----------------------------------------------------------------------------------


def test_callers_and_callees_by_name(client: TestClient) -> None:
    data = client.get("/api/repositories/fixture/callers", params={"symbol": "HttpClient.post"}).json()
    assert sorted(c["qualified_name"] for c in data["callers"]) == [
        "SessionManager.login", "SessionManager.logout", "SessionManager.refresh"]
    out = client.get("/api/repositories/fixture/callees", params={"symbol": "summarize"}).json()
    assert [c["qualified_name"] for c in out["callees"] if not c["external"]] == ["mean"]


def test_unknown_and_ambiguous_names(client: TestClient) -> None:
    unknown = client.get("/api/repositories/fixture/callers", params={"symbol": "noSuchThing"})
    assert unknown.status_code == 404
    assert "noSuchThing" in unknown.json()["error"]
    ambiguous = client.get("/api/repositories/fixture/callers", params={"symbol": "constructor"})
    assert ambiguous.status_code == 409
    body = ambiguous.json()
    assert {c["qualified_name"] for c in body["candidates"]} == {"HttpClient.constructor", "SessionManager.constructor"}
    assert client.get("/api/repositories/fixture/callers", params={"symbol": ""}).status_code == 422
    assert client.get("/api/repositories/fixture/callers", params={"symbol": "x" * 301}).status_code == 422
    assert client.get("/api/repositories/fixture/callers").status_code == 422


def test_impact(client: TestClient) -> None:
    data = client.get("/api/repositories/fixture/impact", params={"symbol": "sleep", "depth": 2}).json()
    by_name = {n["qualified_name"]: n["depth"] for n in data["nodes"]}
    assert by_name == {"retryWithBackoff": 1, "HttpClient.request": 2}
    deeper = client.get("/api/repositories/fixture/impact", params={"symbol": "sleep", "depth": 5}).json()
    assert {"HttpClient.get", "HttpClient.post", "SessionManager.login", "main"} <= {
        n["qualified_name"] for n in deeper["nodes"]}
    assert client.get("/api/repositories/fixture/impact", params={"symbol": "sleep", "depth": 6}).status_code == 422


def test_path(client: TestClient) -> None:
    data = client.get("/api/repositories/fixture/path", params={"from": "main", "to": "sleep"}).json()
    assert data["found"] is True
    assert [n["qualified_name"] for n in data["nodes"]] == [
        "main", "SessionManager.login", "HttpClient.post", "HttpClient.request", "retryWithBackoff", "sleep"]
    assert data["hops"] == 5
    none = client.get("/api/repositories/fixture/path", params={"from": "sleep", "to": "main"}).json()
    assert none["found"] is False
    short = client.get("/api/repositories/fixture/path", params={"from": "main", "to": "sleep", "max_depth": 2}).json()
    assert short["found"] is False
    assert client.get("/api/repositories/fixture/path", params={"from": "main"}).status_code == 422
    assert client.get("/api/repositories/fixture/path",
                      params={"from": "main", "to": "sleep", "max_depth": 11}).status_code == 422


def test_top_and_stats(client: TestClient) -> None:
    top = client.get("/api/repositories/fixture/top", params={"by": "complexity", "limit": 2}).json()
    assert [n["complexity"] for n in top["nodes"]] == [4, 4]
    assert client.get("/api/repositories/fixture/top", params={"by": "bogus"}).status_code == 422
    stats = client.get("/api/repositories/fixture/graph/stats").json()
    assert stats["nodes"]["module"] == 7
    assert stats["edges"]["calls"] >= 14


def test_metrics(client: TestClient) -> None:
    data = client.get("/api/repositories/fixture/metrics", params={"top": 3}).json()
    totals = data["totals"]
    assert (totals["files"], totals["files_failed"], totals["nodes"]) == (7, 1, 25)
    assert totals["max_complexity"] == 4
    assert data["nodes_by_kind"] == {"method": 8, "function": 7, "module": 7, "class": 2, "interface": 1}
    assert data["edges_by_type"]["imports"] == 5
    assert sum(data["edges_by_type"].values()) == totals["edges"]
    dist = data["distributions"]
    assert sum(b["count"] for b in dist["complexity"]["bins"]) == 18  # every definition, no module
    assert sum(b["count"] for b in dist["coupling"]["bins"]) == 7  # modules
    assert sum(b["count"] for b in dist["pagerank"]["bins"]) == 25  # every node
    assert [n["complexity"] for n in data["top"]["complexity"]][:2] == [4, 4]
    assert all(n["kind"] == "module" for n in data["top"]["coupling"])
    ranks = [n["pagerank"] for n in data["top"]["pagerank"]]
    assert ranks == sorted(ranks, reverse=True) and len(ranks) == 3
    assert client.get("/api/repositories/fixture/metrics", params={"top": 101}).status_code == 422


# -- search -------------------------------------------------------------------------------------


def test_search_shape_and_follow_to_chunk_and_node(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "retry a request with exponential backoff",
                                             "repository": "fixture", "limit": 5}).json()
    assert data["mode"] == "hybrid"
    results = data["results"]
    assert 1 <= len(results) <= 5
    first = next(r for r in results if r["name"] == "retryWithBackoff")
    for key in ("repository", "file_path", "start_line", "end_line", "qualified_name", "kind", "score",
                "snippet", "chunk_id"):
        assert key in first
    assert "lexical_rank" not in first
    chunk = client.get(f"/api/chunks/{first['chunk_id']}").json()
    assert "baseMs * 2 ** attempt" in chunk["source"]
    node = client.get(f"/api/repositories/fixture/graph/nodes/{chunk['node_id']}").json()
    assert node["node"]["qualified_name"] == "retryWithBackoff"


def test_search_filters_and_explain(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "mean", "language": "python", "mode": "lexical",
                                             "explain": "true"}).json()
    assert data["results"]
    assert {r["language"] for r in data["results"]} == {"python"}
    assert "lexical_rank" in data["results"][0]
    kinds = client.get("/api/search", params={"q": "session", "kind": "method", "mode": "lexical"}).json()
    assert {r["kind"] for r in kinds["results"]} == {"method"}
    paths = client.get("/api/search", params={"q": "validate", "path": "src/auth/**", "mode": "lexical"}).json()
    assert paths["results"] and all(r["file_path"].startswith("src/auth/") for r in paths["results"])


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({"q": ""}, 422, "q"),
        ({"q": "   "}, 422, "blank"),
        ({"q": "x" * 10241}, 422, "q"),
        ({"q": "é" * 5200}, 422, "bytes"),  # ≤ 10 kB of characters but over 10 kB of UTF-8
        ({"q": "retry", "mode": "psychic"}, 422, "mode"),
        ({"q": "retry", "limit": 501}, 422, "limit"),
        ({"q": "retry", "repository": "nope"}, 404, "unknown repository"),
        ({"q": "retry", "kind": "spaceship"}, 422, "spaceship"),
        ({}, 422, "q"),
    ],
)
def test_search_refusals(client: TestClient, params: dict[str, Any], status: int, fragment: str) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == status, response.text
    assert fragment in response.json()["error"]
