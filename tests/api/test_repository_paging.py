"""Hundreds of repositories: the list is paged by name, filtered by a search text, and says how
many match, with the counts of the page's repositories only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api_support import Indexed, make_client
from mnemo.store import writes


def _many(indexed: Indexed, n: int = 300) -> list[str]:
    names = [f"team-{'ab'[i % 2]}/svc_{i:03d}" for i in range(n)]
    with indexed.database.connect() as conn:
        for name in names:
            writes.create_repository(conn, name, f"/srv/code/{name}", "all-MiniLM-L6-v2", 384)
    return sorted([*names, indexed.name])


def test_pages_cover_every_repository_once(fresh_indexed: Indexed) -> None:
    everything = _many(fresh_indexed)
    with make_client(fresh_indexed.database) as client:
        seen: list[str] = []
        offset = 0
        while True:
            page = client.get("/api/repositories", params={"limit": 120, "offset": offset}).json()
            assert page["total"] == len(everything) and page["limit"] == 120
            seen += [r["name"] for r in page["repositories"]]
            if len(page["repositories"]) < 120:
                break
            offset += 120
        assert seen == everything  # by name, no gaps, no repeats
        default = client.get("/api/repositories").json()
        assert len(default["repositories"]) == 100 and default["total"] == len(everything)
        assert client.get("/api/repositories", params={"limit": 501}).status_code == 422


def test_search_filters_by_name_or_root_with_counts(fresh_indexed: Indexed) -> None:
    _many(fresh_indexed)
    with make_client(fresh_indexed.database) as client:
        hit = client.get("/api/repositories", params={"q": "SVC_01"}).json()  # any case
        assert [r["name"] for r in hit["repositories"]] == sorted(f"team-{'ab'[i % 2]}/svc_{i:03d}" for i in range(10, 20))
        assert hit["total"] == 10
        # `_` and `%` are literal characters, not LIKE wildcards
        assert client.get("/api/repositories", params={"q": "svc%"}).json()["total"] == 0
        assert client.get("/api/repositories", params={"q": "b/svc_"}).json()["total"] == 150
        # the indexed fixture is found by its root, with its real counts
        root = str(fresh_indexed.root.resolve())
        (repo,) = client.get("/api/repositories", params={"q": root}).json()["repositories"]
        assert repo["name"] == "fixture" and repo["files"] == 7 and repo["chunks"] >= 12
        assert repo["last_run"]["status"] in ("succeeded", "partial")
        empty = client.get("/api/repositories", params={"q": "no-such-repository"}).json()
        assert empty["repositories"] == [] and empty["total"] == 0
