"""Who may change data: tokens, loopback-only servers, host and origin checks, deletion."""

from __future__ import annotations

from pathlib import Path

import pytest

from api_support import Indexed, make_client
from mnemo.api import InsecureServer, create_app, is_loopback_host
from mnemo.store.db import Database


def test_refuses_network_server_without_token(database: Database) -> None:
    with pytest.raises(InsecureServer):
        create_app(database, loopback_only=False)
    create_app(database, loopback_only=False, token="s3cret")  # with a token it starts


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True), ("localhost", True),
     ("0.0.0.0", False), ("::", False), ("192.168.1.5", False), ("example.org", False)],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_network_server_requires_token_on_every_request(fresh_indexed: Indexed, tmp_path: Path) -> None:
    """With a token, reads need it too: a read returns indexed source code."""
    with make_client(fresh_indexed.database, loopback_only=False, token="s3cret", extra_hosts=["mnemo.example"],
                     base_url="http://mnemo.example:3002") as client:
        for path in ("/api/repositories", "/api/repositories/fixture", "/api/search?q=x", "/api/runs",
                     "/api/health", "/api/jobs"):
            response = client.get(path)
            assert response.status_code == 401, path
            assert "Authorization: Bearer" in response.json()["error"]
        assert client.get("/api/repositories", headers={"Authorization": "Bearer nope"}).status_code == 403
        auth = {"Authorization": "Bearer s3cret"}
        assert client.get("/api/repositories", headers=auth).status_code == 200
        missing = client.delete("/api/repositories/fixture")
        assert missing.status_code == 401
        wrong = client.delete("/api/repositories/fixture", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        basic = client.delete("/api/repositories/fixture", headers={"Authorization": "Basic s3cret"})
        assert basic.status_code == 401
        assert client.post("/api/index", json={"path": str(tmp_path)}).status_code == 401
        assert client.get("/api/repositories/fixture", headers=auth).status_code == 200  # nothing was deleted
        assert client.get("/api/docs").status_code == 200  # documentation only: open
        ok = client.delete("/api/repositories/fixture", headers=auth)
        assert ok.status_code == 200


def test_network_server_refuses_host_names_it_is_not_reached_by(fresh_indexed: Indexed) -> None:
    """DNS rebinding on a network host: the token is in the victim's browser storage, the page
    is on attacker.example; its requests carry Host: attacker.example and are refused."""
    auth = {"Authorization": "Bearer s3cret"}
    with make_client(fresh_indexed.database, loopback_only=False, token="s3cret", extra_hosts=["mnemo.lan"],
                     base_url="http://mnemo.lan:3002") as client:
        assert client.get("/api/repositories", headers=auth).status_code == 200
        assert client.get("/api/repositories", headers={**auth, "Host": "attacker.example"}).status_code == 421
        assert client.get("/", headers={"Host": "attacker.example:3002"}).status_code == 421
        assert client.get("/api/repositories", headers={**auth, "Host": "192.168.1.5:3002"}).status_code == 200
        assert client.get("/api/repositories", headers={**auth, "Host": "localhost"}).status_code == 200


def test_loopback_server_with_token_requires_it(fresh_indexed: Indexed) -> None:
    with make_client(fresh_indexed.database, token="s3cret") as client:
        assert client.delete("/api/repositories/fixture").status_code == 401
        assert client.get("/api/repositories").status_code == 401
        assert client.get("/api/repositories", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_loopback_server_refuses_foreign_host_header(fresh_indexed: Indexed) -> None:
    """DNS rebinding: a page on another name that resolves to 127.0.0.1 sends its own Host."""
    with make_client(fresh_indexed.database) as client:
        response = client.get("/api/repositories", headers={"Host": "attacker.example"})
        assert response.status_code == 421
        assert client.delete("/api/repositories/fixture", headers={"Host": "attacker.example"}).status_code == 421
        assert client.get("/api/repositories", headers={"Host": "localhost:3002"}).status_code == 200
        assert client.get("/api/repositories", headers={"Host": "[::1]:3002"}).status_code == 200


def test_cross_origin_mutation_refused(fresh_indexed: Indexed) -> None:
    with make_client(fresh_indexed.database) as client:
        response = client.delete("/api/repositories/fixture", headers={"Origin": "http://evil.example"})
        assert response.status_code == 403
        assert "cross-origin" in response.json()["error"]
        assert client.get("/api/repositories/fixture").status_code == 200
        same = client.delete("/api/repositories/fixture", headers={"Origin": "http://127.0.0.1:3002"})
        assert same.status_code == 200


def test_index_requires_a_json_body(fresh_indexed: Indexed, tmp_path: Path) -> None:
    """A form post from another site cannot start a job: only application/json is accepted."""
    with make_client(fresh_indexed.database) as client:
        response = client.post("/api/index", content=f'{{"path": "{tmp_path}"}}',
                               headers={"Content-Type": "text/plain"})
        assert response.status_code == 422
        assert client.get("/api/jobs").json()["jobs"] == []


def test_delete_repository(fresh_indexed: Indexed) -> None:
    with make_client(fresh_indexed.database) as client:
        response = client.delete("/api/repositories/fixture")
        assert response.status_code == 200
        assert response.json()["chunks"] > 0
        assert client.get("/api/repositories/fixture").status_code == 404
        assert client.get("/api/repositories").json()["repositories"] == []
        assert client.delete("/api/repositories/fixture").status_code == 404
    with fresh_indexed.database.connect() as conn:
        assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM index_runs").fetchone()[0] == 0


def test_delete_refused_while_the_repository_is_locked(fresh_indexed: Indexed) -> None:
    """Another process (a CLI run) holds the indexer's lock: deleting now would race it."""
    from mnemo.store import writes

    with fresh_indexed.database.connect(autocommit=True) as holder:
        assert writes.try_lock_repository(holder, "fixture")
        with make_client(fresh_indexed.database) as client:
            response = client.delete("/api/repositories/fixture")
            assert response.status_code == 409
            assert "being indexed" in response.json()["error"]
    with make_client(fresh_indexed.database) as client:
        assert client.delete("/api/repositories/fixture").status_code == 200


def test_serve_refuses_network_host_without_token(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    from mnemo.cli import main

    monkeypatch.delenv("MNEMO_API_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "3999"]) == 2
    assert "MNEMO_API_TOKEN" in capsys.readouterr().err
    assert main(["serve", "--port", "0"]) == 2  # a bad port is a usage error too


def test_search_with_nothing_indexed(database: Database) -> None:
    with make_client(database) as client:
        response = client.get("/api/search", params={"q": "anything"})
        assert response.status_code == 404
        assert "index" in response.json()["error"]
        assert client.get("/api/repositories").json()["repositories"] == []


# -- hardening: what no request may do -----------------------------------------------------------


def test_security_headers_and_local_docs(client) -> None:
    for path in ("/", "/api/repositories", "/api/docs", "/api/nope"):
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp, path
        assert response.headers["x-frame-options"] == "DENY"
    page = client.get("/api/docs").text
    assert "/api/docs/assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower() and "<script>" not in page
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and bundle.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle" in client.get("/api/docs/assets/init.js").text
    assert client.get("/api/docs/assets/..%2f..%2fsecurity.py").status_code == 404


def test_nul_bytes_anywhere_are_422(client, tmp_path: Path) -> None:
    for url in ("/api/search?q=a%00b", "/api/repositories/fix%00ture", "/api/repositories/fixture/file?path=a%00",
                "/api/graph/callers?name=a%00&repository=fixture", "/api/search?q=x&language=ts%00"):
        response = client.get(url)
        assert response.status_code == 422, url
        assert "NUL" in response.json()["error"]
    response = client.post("/api/index", json={"path": str(tmp_path) + "\x00"})
    assert response.status_code == 422


@pytest.mark.parametrize("glob", ["[z-a]", "*" * 1000, "a" * 300, "**/*?*?*?*?*?*?*?*?*?*"])
def test_bad_or_costly_globs_are_422(client, glob: str) -> None:
    response = client.get("/api/search", params={"q": "observable", "path": glob, "mode": "lexical"})
    assert response.status_code == 422, response.text
    assert response.json()["error"].startswith("path:")


def test_request_bodies_are_capped(client, tmp_path: Path) -> None:
    big = '{"path": "' + "a" * 100_000 + '"}'
    response = client.post("/api/index", content=big, headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert client.get("/api/jobs").json()["jobs"] == []


def test_index_never_repoints_an_existing_repository(fresh_indexed: Indexed, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "x.ts").write_text("export const x = 1;\n")
    with make_client(fresh_indexed.database) as client:
        before = client.get("/api/repositories/fixture").json()["files"]
        for full in (False, True):
            response = client.post("/api/index", json={"path": str(other), "name": "fixture", "full": full})
            assert response.status_code == 409, response.text
            assert "indexed from" in response.json()["error"]
        assert client.get("/api/jobs").json()["jobs"] == []
        assert client.get("/api/repositories/fixture").json()["files"] == before
        same = client.post("/api/index", json={"path": str(fresh_indexed.root), "name": "fixture", "full": True})
        assert same.status_code == 202  # the same root: a re-index, not a re-point
        client.app.state.jobs.join(120)


def test_index_names_are_validated_like_the_cli(database: Database, tmp_path: Path) -> None:
    evil = tmp_path / "evil\x1b]0;owned\x07"
    evil.mkdir()
    with make_client(database) as client:
        for body in ({"path": str(evil)}, {"path": str(tmp_path), "name": "a/b"}, {"path": str(tmp_path), "name": ".."},
                     {"path": str(tmp_path), "name": "x\u202ey"}):
            response = client.post("/api/index", json=body)
            assert response.status_code == 422, (body, response.text)
            assert response.json()["error"].startswith("name:")
        assert client.get("/api/jobs").json()["jobs"] == []


def test_index_root_defaults_to_the_working_directory_never_the_filesystem(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside = tmp_path / "work" / "repo"
    inside.mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "work")
    from fastapi.testclient import TestClient

    with TestClient(create_app(database), base_url="http://127.0.0.1:3002") as client:
        assert client.get("/api/health").json()["index_roots"] == [str((tmp_path / "work").resolve())]
        outside = client.post("/api/index", json={"path": "/"})
        assert outside.status_code == 403
        assert client.post("/api/index", json={"path": str(tmp_path)}).status_code == 403
        assert client.get("/api/jobs").json()["jobs"] == []
    with pytest.raises(InsecureServer, match="whole filesystem"):
        create_app(database, index_roots=[Path("/")])


def test_a_running_job_can_be_cancelled(database: Database, tmp_path: Path) -> None:
    import threading
    import time

    seen = threading.Event()

    def runner(db, root, name, full, progress):
        for i in range(600):  # a long run that reports after each "file"
            progress({"stage": "indexing", "files_done": i, "files_total": 600})
            seen.set()
            time.sleep(0.05)
        return {"status": "succeeded"}

    with make_client(database, runner=runner) as client:
        job = client.post("/api/index", json={"path": str(tmp_path)}).json()
        assert seen.wait(10)
        response = client.post(f"/api/jobs/{job['id']}/cancel")
        assert response.status_code == 200 and response.json()["cancel_requested"] is True
        client.app.state.jobs.join(10)
        done = client.get(f"/api/jobs/{job['id']}").json()
        assert done["status"] == "cancelled" and done["done"] is True
        assert client.post("/api/jobs/999/cancel").status_code == 404


def test_cancelling_stops_the_real_pipeline_between_files(database: Database, tmp_path: Path, embedder) -> None:
    from mnemo.api.jobs import JobCancelled, PipelineProgress
    from mnemo.pipeline import IndexOptions, index_repository

    root = tmp_path / "many"
    root.mkdir()
    for i in range(20):
        (root / f"m{i}.ts").write_text(f"export function f{i}() {{ return {i}; }}\n")
    calls = {"n": 0}

    def report(event):
        calls["n"] += 1
        if calls["n"] > 3:
            raise JobCancelled("cancelled")

    with pytest.raises(JobCancelled):
        index_repository(database, root, IndexOptions(name="many", window_files=1), embedder=embedder,
                         progress=PipelineProgress(report))
    with database.connect() as conn:
        status, files = conn.execute("SELECT status, files_indexed FROM index_runs").fetchone()
        stored = conn.execute("SELECT count(*) FROM files").fetchone()[0]
    assert status == "interrupted" and 0 < stored < 20


def test_cli_output_escapes_control_characters(tmp_path: Path, database_url: str, embedder,
                                               capsys: pytest.CaptureFixture) -> None:
    from mnemo.cli import main
    from mnemo.pipeline import IndexOptions, index_repository

    root = tmp_path / "evil\x1b]0;owned\x07\x1b[2J"
    root.mkdir()
    (root / "a\x1b[8m.ts").write_text('/** hidden \x1b[8m text */\nexport function f() { return 1; }\n')
    (root / "b\x1b[31m.ts").write_text("export function g( {\n")
    index_repository(Database.open(database_url), root, IndexOptions(name="evil"), embedder=embedder)
    capsys.readouterr()
    for argv in (["repos"], ["runs", "evil"], ["search", "-r", "evil", "hidden text", "--mode", "lexical"],
                 ["index", str(root), "-r", "evil", "--no-progress", "--full"]):
        main([*argv, "--database-url", database_url])
        captured = capsys.readouterr()
        assert "\x1b" not in captured.out and "\x1b" not in captured.err, argv
        assert "\\x1b" in captured.out + captured.err, argv


def test_skipped_paths_of_a_run_through_the_api(fresh_indexed: Indexed) -> None:
    with make_client(fresh_indexed.database) as client:
        run_id = client.get("/api/runs").json()["runs"][0]["id"]
        data = client.get(f"/api/runs/{run_id}/skipped").json()
        assert data["run"] == run_id and isinstance(data["skipped"], list)
        assert sum(data["counts"].values()) == len(client.get(f"/api/runs/{run_id}/skipped",
                                                              params={"limit": 500}).json()["skipped"])
        assert client.get("/api/runs/999999/skipped").status_code == 404
