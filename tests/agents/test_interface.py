"""One interface for people too: -r/--repository everywhere, and `mnemo serve` loading the
search model in the background at start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import mnemo
from mnemo.cli import main


def _json(capsys, argv: list[str]) -> tuple[int, object]:
    code = main(argv)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else None


def test_graph_stats_and_build_take_r_as_well_as_the_positional_name(agent_repo, capsys):
    database, _, name = agent_repo
    url = ["--database-url", database.url]
    code, by_flag = _json(capsys, ["graph", "stats", "-r", name, "--json", *url])
    assert code == 0 and by_flag["repository"] == name and by_flag["nodes"]["function"] >= 5
    code, by_position = _json(capsys, ["graph", "stats", name, "--json", *url])
    assert code == 0 and by_position["nodes"] == by_flag["nodes"]
    code, built = _json(capsys, ["graph", "build", "--repository", name, "--json", *url])
    assert code == 0 and built["repository"] == name
    assert main(["graph", "stats", name, "-r", "other", *url]) == 2
    assert "two repositories named" in capsys.readouterr().err


def test_runs_and_delete_take_r(agent_repo, capsys):
    database, _, name = agent_repo
    url = ["--database-url", database.url]
    code, runs = _json(capsys, ["runs", "-r", name, "--json", *url])
    assert code == 0 and runs and all(r["repository"] == name for r in runs)
    assert main(["delete", "--yes", *url]) == 2
    assert "name the repository" in capsys.readouterr().err
    code, deleted = _json(capsys, ["delete", "-r", name, "--yes", "--json", *url])
    assert code == 0 and deleted == {"deleted": name}


def test_serve_preloads_the_repositories_model(agent_repo):
    database, _, _ = agent_repo
    src = str(Path(mnemo.__file__).resolve().parent.parent)
    script = (
        "import sys; sys.path.insert(0, %r)\n"
        "from mnemo import embed\nfrom mnemo.store.db import Database\nfrom mnemo.cli.serve import _load_models_in_background\n"
        "before = set(embed._cache)\n"
        "_load_models_in_background(Database.open(%r)).join(120)\n"
        "print(sorted(before), sorted(embed._cache))\n"
    ) % (src, database.url)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180).stdout
    with database.connect() as conn:  # the model the repository was indexed with, whatever the default
        (model,) = conn.execute("SELECT DISTINCT model FROM repositories").fetchone()
    assert out.strip() == f"[] [{model!r}]"
