"""The `mnemo` command end to end (in-process, real database and model): exit codes, JSON,
summaries, repos, runs, delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mnemo.cli import main
from tests.integration.conftest import write_tree


@pytest.fixture
def cli(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, embedder):
    """Run `mnemo ARGS...` against the test database; return (exit code, stdout, stderr)."""
    monkeypatch.setenv("MNEMO_DATABASE_URL", database_url)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_index_json_summary_and_exit_codes(tmp_path: Path, cli) -> None:
    root = write_tree(tmp_path / "proj", {"ok.ts": "export function ok() { return 1; }", "bad.ts": "let = {{{"})
    code, out, _ = cli("index", str(root), "--json")
    summary = json.loads(out)
    assert code == 1 and summary["exit_code"] == 1
    assert (summary["repository"], summary["files_indexed"], summary["files_failed"]) == ("proj", 1, 1)
    assert summary["errors"][0]["path"] == "bad.ts" and summary["errors"][0]["line"] == 1

    (root / "bad.ts").write_text("export const fixed = () => 2;")
    code, out, _ = cli("index", str(root))
    assert code == 0
    assert "1 indexed, 1 unchanged, 0 removed, 0 failed" in out and "peak RSS" in out


def test_usage_errors_exit_2_with_a_message(tmp_path: Path, cli) -> None:
    code, _, err = cli("index", str(tmp_path / "missing"))
    assert code == 2 and "no such directory" in err
    code, out, err = cli("delete", "nope", "--yes", "--json")
    assert code == 2 and json.loads(out)["error"].startswith("unknown repository")
    code, _, err = cli("runs", "nope")
    assert code == 2 and "unknown repository" in err
    code, _, err = cli("index")  # no PATH and no --manifest
    assert code == 2 and "give one PATH" in err


def test_repos_runs_and_delete(tmp_path: Path, cli) -> None:
    root = write_tree(tmp_path / "proj", {"a.py": "def a():\n    return 1\n", "b.py": "def b(:\n"})
    cli("index", str(root), "-r", "demo")
    code, out, _ = cli("repos", "--json")
    repos = json.loads(out)
    assert code == 0 and [(r["name"], r["files"], r["files_failed"], r["chunks"]) for r in repos] == [("demo", 2, 1, 1)]
    code, out, _ = cli("runs", "demo", "--json")
    runs = json.loads(out)
    assert runs[0]["status"] == "partial" and runs[0]["errors"][0]["path"] == "b.py"
    code, out, _ = cli("delete", "demo", "--yes")
    assert code == 0 and "Deleted" in out
    assert json.loads(cli("repos", "--json")[1]) == []


def test_delete_without_yes_is_refused_when_not_interactive(tmp_path: Path, cli, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = cli("delete", "anything")
    assert code == 2 and "--yes" in err
