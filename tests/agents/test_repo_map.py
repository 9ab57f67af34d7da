"""repo_map: a ranked outline within a token budget, optionally personalised to a focus."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from mnemo.graph.repomap import RepoMapError, estimate_tokens, personalised_pagerank, repo_map


def test_personalised_pagerank_matches_the_linear_solution():
    # 0 -> 1 -> 2, 0 -> 2, 3 -> 0; node 2 dangles. Restart at node 3 only.
    src, dst = np.array([0, 1, 0, 3]), np.array([1, 2, 2, 0])
    w = np.ones(4)
    n, d = 4, 0.85
    out = np.bincount(src, weights=w, minlength=n)
    transition = sp.csr_matrix((w / out[src], (dst, src)), shape=(n, n))
    dangling = out == 0
    restart = np.array([0.0, 0.0, 0.0, 1.0])
    x = personalised_pagerank(transition, dangling, restart, tol=1e-12, max_iter=1000)
    # Closed form: x = d (M + p·1_dangling^T) x + (1-d) p, so (I - d(M + p e_d^T)) x = (1-d) p.
    full = transition.toarray() + np.outer(restart, dangling.astype(float))
    expected = np.linalg.solve(np.eye(n) - d * full, (1 - d) * restart)
    assert np.allclose(x, expected, atol=1e-9)
    assert abs(x.sum() - 1) < 1e-9


@pytest.fixture
def many(database, embedder, tmp_path):
    """A tree too big for a small budget: 30 modules, each calling the next one's function."""
    from mnemo.pipeline import IndexOptions, index_repository

    root = tmp_path / "many"
    root.mkdir()
    for i in range(30):
        call = f"    return step_{i + 1}(value) + 1\n" if i < 29 else "    return value\n"
        imp = f"from step{i + 1} import step_{i + 1}\n\n\n" if i < 29 else ""
        (root / f"step{i}.py").write_text(f"{imp}def step_{i}(value):\n    \"\"\"Step {i} of the chain.\"\"\"\n{call}")
    index_repository(database, root, IndexOptions(name="many"), embedder=embedder)
    return database


def test_map_fits_its_budget_and_grows_with_it(many):
    from mnemo.graph import query

    maps = [repo_map(many, "many", tokens=t) for t in (100, 200, 1000)]
    for result, tokens in zip(maps, (100, 200, 1000)):
        assert result.tokens_used <= tokens and estimate_tokens(result.text) == result.tokens_used
        assert result.definitions_total == 30
    assert maps[0].definitions_shown < maps[1].definitions_shown < maps[2].definitions_shown == 30
    # A tight budget keeps the definitions with the highest PageRank: the end of the chain.
    best = query.top(many, "many", by="pagerank", limit=3)
    assert {n.path for n in best} == {"step29.py", "step28.py", "step27.py"}
    for node in best:
        assert f"{node.path}:\n" in maps[0].text
    assert "step0.py:" not in maps[0].text  # nobody calls step_0
    assert "│ def step_29(value)" in maps[0].text


def test_unfocused_map_follows_pagerank(agent_repo):
    database, _, name = agent_repo
    result = repo_map(database, name, tokens=1000)
    assert result.definitions_shown == result.definitions_total == 8  # everything fits
    assert "pkg/helpers.py:\n" in result.text and "│ def normalise(text)" in result.text
    scores = [f["score"] for f in result.files]
    assert scores == sorted(scores, reverse=True)


def test_focus_reorders_the_map(agent_repo):
    database, _, name = agent_repo
    focused = repo_map(database, name, tokens=1000, focus=["tests/test_api.py"])
    assert focused.files[0]["path"] == "tests/test_api.py"
    assert focused.focus == [{"focus": "tests/test_api.py", "as": "file", "nodes": 2}]
    # Far from the focus: the legacy helper nobody calls ranks last.
    assert focused.files[-1]["path"] == "pkg/legacy.py"
    by_symbol = repo_map(database, name, tokens=1000, focus=["shout"])
    assert by_symbol.focus[0]["as"] == "symbol" and by_symbol.focus[0]["nodes"] == 2


def test_bad_budget_and_unknown_focus_are_refused(agent_repo):
    database, _, name = agent_repo
    with pytest.raises(RepoMapError, match="tokens must be from 100"):
        repo_map(database, name, tokens=10)
    with pytest.raises(RepoMapError, match="'nowhere' matches no file"):
        repo_map(database, name, focus=["nowhere"])
