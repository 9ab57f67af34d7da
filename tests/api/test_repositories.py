"""Repositories, chunks, runs and errors over the real database, and the UI's shell."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from api_support import Indexed, make_client


def test_list_repositories_has_counts(client: TestClient, indexed: Indexed) -> None:
    response = client.get("/api/repositories")
    assert response.status_code == 200
    repos = response.json()["repositories"]
    assert [r["name"] for r in repos] == ["fixture"]
    repo = repos[0]
    assert repo["root"] == str(indexed.root.resolve())
    assert repo["files"] == 7  # six TypeScript files (one broken) and one Python file
    assert repo["files_failed"] == 1
    assert repo["chunks"] >= 12
    assert repo["languages"] == {"typescript": 6, "python": 1}
    assert repo["last_run"]["status"] == "partial"


def test_get_repository_and_unknown(client: TestClient) -> None:
    assert client.get("/api/repositories/fixture").json()["name"] == "fixture"
    response = client.get("/api/repositories/nope")
    assert response.status_code == 404
    assert "unknown repository 'nope'" in response.json()["error"]
    assert "fixture" in response.json()["error"]  # names what exists


def test_files_filter_by_status(client: TestClient) -> None:
    failed = client.get("/api/repositories/fixture/files", params={"status": "failed"}).json()["files"]
    assert [f["path"] for f in failed] == ["src/broken.ts"]
    assert failed[0]["last_error"]
    assert client.get("/api/repositories/fixture/files", params={"status": "bogus"}).status_code == 422
    page = client.get("/api/repositories/fixture/files", params={"limit": 2, "offset": 1}).json()["files"]
    assert len(page) == 2


def test_file_chunks_come_from_the_index(client: TestClient) -> None:
    data = client.get("/api/repositories/fixture/file", params={"path": "src/http/retry.ts"}).json()
    assert [c["name"] for c in data["chunks"]] == ["retryWithBackoff", "sleep"]
    # A path that is not indexed is not read from disk, whatever it names.
    for path in ("../../../../etc/passwd", "/etc/passwd", "src/nothing.ts"):
        response = client.get("/api/repositories/fixture/file", params={"path": path})
        assert response.status_code == 404, path
        assert "root:" not in response.text


def test_chunk_with_source(client: TestClient, indexed: Indexed) -> None:
    chunks = client.get("/api/repositories/fixture/file", params={"path": "src/auth/validate.ts"}).json()["chunks"]
    chunk_id = next(c["id"] for c in chunks if c["name"] == "validateEmail")
    data = client.get(f"/api/chunks/{chunk_id}").json()
    assert data["qualified_name"] == "validateEmail"
    assert data["repository"] == "fixture"
    assert data["path"] == "src/auth/validate.ts"
    assert data["source"].startswith("export function validateEmail")
    assert (data["start_line"], data["end_line"]) == (2, 8)
    assert data["metadata"]["complexity"] >= 2
    assert "embedding" not in data


def test_chunk_refusals(client: TestClient) -> None:
    assert client.get("/api/chunks/999999").status_code == 404
    assert client.get("/api/chunks/0").status_code == 422
    assert client.get("/api/chunks/abc").status_code == 422
    body = client.get("/api/chunks/-3").json()
    assert body["error"].startswith("invalid request: chunk_id")


def test_runs_and_errors(client: TestClient) -> None:
    runs = client.get("/api/runs").json()["runs"]
    assert len(runs) == 1
    run = runs[0]
    assert run["repository"] == "fixture"
    assert (run["status"], run["files_failed"], run["errors"]) == ("partial", 1, 1)
    assert run["files_indexed"] == 6
    same = client.get("/api/repositories/fixture/runs").json()["runs"]
    assert [r["id"] for r in same] == [run["id"]]
    detail = client.get(f"/api/runs/{run['id']}").json()
    [error] = detail["error_list"]
    assert error["path"] == "src/broken.ts"
    assert error["severity"] == "error"
    assert error["line"] == 1
    assert client.get("/api/runs/424242").status_code == 404
    assert client.get("/api/runs", params={"repository": "nope"}).status_code == 404
    assert client.get("/api/runs", params={"limit": 501}).status_code == 422
    assert client.get("/api/runs", params={"limit": 0}).status_code == 422


def test_health_reports_limits(client: TestClient) -> None:
    data = client.get("/api/health").json()
    assert data["status"] == "ok"
    assert data["limits"] == {"limit": 500, "depth": 5, "query_bytes": 10240}
    assert data["write_requires_token"] is False


def test_unknown_endpoint_is_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]


def test_openapi_lists_the_endpoints(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/repositories", "/api/chunks/{chunk_id}", "/api/runs/{run_id}", "/api/index",
                 "/api/jobs/{job_id}/events", "/api/search", "/api/repositories/{name}/graph",
                 "/api/repositories/{name}/metrics"):
        assert path in paths, path
    assert client.get("/api/docs").status_code == 200


def test_ui_page_and_vendor_files(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="repo-select"' in page.text
    assert client.get("/static/app.js").status_code == 200
    # Only the declared vendor files are served; nothing else under node_modules or the disk.
    assert client.get("/vendor/package.json").status_code == 404
    assert client.get("/vendor/..%2F..%2Fpackage.json").status_code == 404
    assert client.get("/static/../api/app.py").status_code == 404


def test_ui_explains_missing_libraries(indexed: Indexed, tmp_path: Path) -> None:
    """Without node_modules the page carries the install command instead of failing silently."""
    web = Path(__file__).resolve().parents[2] / "src" / "mnemo" / "web"
    shutil.copytree(web / "static", tmp_path / "web" / "static")
    with make_client(indexed.database, web_dir=tmp_path / "web") as client:
        page = client.get("/").text
        assert 'id="vendor-missing"' in page
        assert "npm ci --prefix src/mnemo/web" in page
        vendor = client.get("/vendor/cytoscape.min.js")
        assert vendor.status_code == 404
        assert vendor.json()["install"] == "npm ci --prefix src/mnemo/web"
        assert client.get("/api/health").json()["ui_assets"]["installed"] is False
