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


def test_network_server_requires_token_on_mutations(fresh_indexed: Indexed, tmp_path: Path) -> None:
    with make_client(fresh_indexed.database, loopback_only=False, token="s3cret",
                     base_url="http://mnemo.example:3002") as client:
        # Reading needs no token.
        assert client.get("/api/repositories").status_code == 200
        missing = client.delete("/api/repositories/fixture")
        assert missing.status_code == 401
        assert "Authorization: Bearer" in missing.json()["error"]
        wrong = client.delete("/api/repositories/fixture", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        basic = client.delete("/api/repositories/fixture", headers={"Authorization": "Basic s3cret"})
        assert basic.status_code == 401
        assert client.post("/api/index", json={"path": str(tmp_path)}).status_code == 401
        assert client.get("/api/repositories/fixture").status_code == 200  # nothing was deleted
        ok = client.delete("/api/repositories/fixture", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


def test_loopback_server_with_token_requires_it(fresh_indexed: Indexed) -> None:
    with make_client(fresh_indexed.database, token="s3cret") as client:
        assert client.delete("/api/repositories/fixture").status_code == 401


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
