"""Indexing from the API: path validation, the background job, polling and server-sent events."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api_support import copy_fixture, make_client
from mnemo.store.db import Database


def wait_done(client: TestClient, job_id: int, seconds: float = 120) -> dict[str, Any]:
    """Poll until the job finishes (a bound against hangs, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["done"]:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if not line.startswith(":"))
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_index_job_runs_the_pipeline(database: Database, tmp_path: Path) -> None:
    root = copy_fixture(tmp_path / "fixture")
    with make_client(database) as client:
        response = client.post("/api/index", json={"path": str(root), "name": "viaapi"})
        assert response.status_code == 202
        job = response.json()
        assert response.headers["location"] == f"/api/jobs/{job['id']}"
        assert job["status"] in ("queued", "running")
        done = wait_done(client, job["id"])
        assert done["status"] == "partial"  # src/broken.ts fails, the rest indexes
        assert done["summary"]["files_indexed"] == 6
        assert done["summary"]["files_failed"] == 1
        assert done["progress"]["files_total"] == 7
        assert client.get("/api/repositories/viaapi").json()["files"] == 7
        assert client.get("/api/jobs").json()["jobs"][0]["id"] == job["id"]
        # The event stream of a finished job sends its final state and closes.
        with client.stream("GET", f"/api/jobs/{job['id']}/events") as stream:
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = sse_events(stream.read().decode())
        assert events[-1][0] == "done"
        assert events[-1][1]["status"] == "partial"


def test_job_events_stream_progress(database: Database, tmp_path: Path) -> None:
    """A client following a running job sees progress events, then done."""
    release = threading.Event()

    def runner(db: Any, root: Path, name: Any, full: bool, progress: Any) -> dict[str, Any]:
        progress({"stage": "indexing", "files_total": 2, "files_done": 1, "percent": 50.0, "final": True})
        release.wait(10)
        return {"repository": "x", "files_indexed": 2, "files_failed": 0, "status": "succeeded"}

    with make_client(database, runner=runner) as client:
        job = client.post("/api/index", json={"path": str(tmp_path)}).json()
        threading.Timer(0.5, release.set).start()
        with client.stream("GET", f"/api/jobs/{job['id']}/events") as stream:
            events = sse_events(stream.read().decode())
        kinds = [kind for kind, _ in events]
        assert kinds[-1] == "done"
        assert "progress" in kinds
        assert any(data["progress"].get("files_done") == 1 for _, data in events)
        assert events[-1][1]["status"] == "succeeded"


def test_one_job_at_a_time(database: Database, tmp_path: Path) -> None:
    release = threading.Event()

    def runner(*args: Any) -> dict[str, Any]:
        release.wait(10)
        return {"files_failed": 0}

    app_client = make_client(database, runner=runner)
    with app_client as client:
        first = client.post("/api/index", json={"path": str(tmp_path)}).json()
        second = client.post("/api/index", json={"path": str(tmp_path)})
        assert second.status_code == 409
        assert second.json()["job"]["id"] == first["id"]
        release.set()
        assert wait_done(client, first["id"])["status"] == "succeeded"
        again = client.post("/api/index", json={"path": str(tmp_path)})
        assert again.status_code == 202


def test_failed_job_reports_its_error(database: Database, tmp_path: Path) -> None:
    def runner(*args: Any) -> None:
        raise RuntimeError("disk on fire")

    with make_client(database, runner=runner) as client:
        job = client.post("/api/index", json={"path": str(tmp_path)}).json()
        done = wait_done(client, job["id"])
        assert done["status"] == "failed"
        assert "disk on fire" in done["error"]
        assert client.get("/api/health").status_code == 200  # the server keeps serving


@pytest.mark.parametrize(
    ("body", "status", "fragment"),
    [
        ({"path": "/definitely/not/here"}, 400, "does not exist"),
        ({"path": "relative/dir"}, 400, "not absolute"),
        ({"path": ""}, 422, "path"),
        ({"path": "/" + "a" * 5000}, 422, "path"),
        ({"path": "/tmp", "name": "a/b"}, 422, "name"),
        ({"path": "/tmp", "surprise": 1}, 422, "surprise"),
        ({"path": "/tmp", "full": "maybe"}, 422, "full"),
        ({}, 422, "path"),
    ],
)
def test_index_refusals(database: Database, body: dict[str, Any], status: int, fragment: str) -> None:
    with make_client(database) as client:
        response = client.post("/api/index", json=body)
        assert response.status_code == status, response.text
        assert fragment in response.json()["error"]
        assert client.get("/api/jobs").json()["jobs"] == []


def test_index_refuses_a_file(database: Database, tmp_path: Path) -> None:
    target = tmp_path / "file.ts"
    target.write_text("export const a = 1;\n")
    with make_client(database) as client:
        response = client.post("/api/index", json={"path": str(target)})
        assert response.status_code == 400
        assert "not a directory" in response.json()["error"]


def test_index_roots_confine_paths(database: Database, tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    (allowed / "repo").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (allowed / "escape").symlink_to(outside)
    calls: list[Path] = []

    def runner(db: Any, root: Path, *rest: Any) -> dict[str, Any]:
        calls.append(root)
        return {"files_failed": 0}

    with make_client(database, index_roots=[allowed], runner=runner) as client:
        for path in (outside, allowed / "repo" / ".." / ".." / "outside", allowed / "escape"):
            response = client.post("/api/index", json={"path": str(path)})
            assert response.status_code == 403, path
            assert "outside" in response.json()["error"]
        ok = client.post("/api/index", json={"path": str(allowed / "repo")})
        assert ok.status_code == 202
        wait_done(client, ok.json()["id"])
    assert calls == [(allowed / "repo").resolve()]


def test_unknown_job(database: Database) -> None:
    with make_client(database) as client:
        assert client.get("/api/jobs/77").status_code == 404
        assert client.get("/api/jobs/77/events").status_code == 404
        assert client.get("/api/jobs/0").status_code == 422
