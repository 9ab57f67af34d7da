"""Acceptance: search over fixture corpora indexed by the real indexer with the real model.

tests/fixtures/search/corpus holds a small hand-written Python project (pyapp/) and TypeScript
project (web/). Both are indexed once for this module (two repositories, one database); every
test reads only.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import psycopg
import pytest

from mnemo.cli import main
from mnemo.pipeline import IndexOptions, index_repository
from mnemo.search import EmptyIndex, UnknownRepository, search
from mnemo.store import db as dbmod
from mnemo.store.vector_index import index_name

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "search" / "corpus"
_names = itertools.count()


@pytest.fixture(scope="module")
def corpus_db(pg_server_uri: str, template_db: str, torch_embedder) -> tuple[dbmod.Database, str]:
    # MiniLM on torch: these cases assert transformer-level semantic ranking, and keep that
    # backend tested end to end (the static default misses one: "delay running a function
    # until the calls stop" -> debounce).
    embedder = torch_embedder
    name = f"mnemo_search_corpus_{os.getpid()}_{next(_names)}"
    with psycopg.connect(pg_server_uri, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    url = dbmod._with_database(pg_server_uri, name)
    database = dbmod.Database.open(url)
    for repo in ("pyapp", "web"):
        summary = index_repository(database, CORPUS / repo, IndexOptions(name=repo), embedder=embedder)
        assert summary.files_failed == 0 and summary.chunks_written > 0
    with database.connect(autocommit=True) as conn:
        conn.execute("ANALYZE chunks")  # what autovacuum does on a real index: term statistics for IDF
    return database, url


@pytest.fixture
def db(corpus_db) -> dbmod.Database:
    return corpus_db[0]


def top(db: dbmod.Database, query: str, **kwargs) -> str:
    results = search(db, query, **kwargs)
    assert results, query
    return results[0].qualified_name


@pytest.mark.parametrize("mode", ["hybrid", "lexical"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("retry_with_backoff", "retry_with_backoff"),
        ("parse_config", "parse_config"),
        ("parseConfig", "parse_config"),  # camelCase spelling of a snake_case name
        ("LruCache", "LruCache"),
        ("debounce", "debounce"),
        ("UserService.findByEmail", "UserService.findByEmail"),
        ("findByEmail()", "UserService.findByEmail"),
        ("RateLimiter.acquire", "RateLimiter.acquire"),
        ("merge_setings", "merge_settings"),  # a typo
        ("slugify", "slugify"),
    ],
)
def test_exact_identifier_finds_its_definition_first(db, query: str, expected: str, mode: str) -> None:
    assert top(db, query, mode=mode) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("wait longer and longer between attempts when a call keeps failing", "retry_with_backoff"),
        ("turn a title into a url friendly string", "slugify"),
        ("remove accents from characters", "strip_accents"),
        ("combine two nested dicts recursively", "merge_settings"),
        ("limit how often something may be called per second", "RateLimiter"),
        ("delay running a function until the calls stop", "debounce"),
        ("cache that drops the oldest item when it is full", "LruCache"),
        ("find a user by their email", "UserService.findByEmail"),
        ("keep a number between a lower and an upper bound", "clamp"),
    ],
)
def test_plain_english_finds_the_function_that_does_it(db, query: str, expected: str) -> None:
    results = search(db, query, limit=3)
    names = [r.qualified_name for r in results]
    # The class and its methods are all right answers for the class-level descriptions.
    assert names[0] == expected or names[0].startswith(expected + "."), names


def test_results_across_repositories_of_one_model(db) -> None:
    results = search(db, "user", limit=50)
    assert {r.repository for r in results} == {"pyapp", "web"}
    assert {r.repository for r in search(db, "user", repositories=["web"], limit=50)} == {"web"}


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "vector"])
def test_each_filter_narrows(db, mode: str) -> None:
    query = "read a value"
    everything = search(db, query, mode=mode, limit=100)
    assert {r.language for r in everything} == {"python", "typescript"}
    cases = [
        ({"language": "typescript"}, lambda r: r.language == "typescript"),
        ({"kind": "method"}, lambda r: r.kind == "method"),
        ({"kind": ["class", "interface"]}, lambda r: r.kind in ("class", "interface")),
        ({"path_glob": "src/util/*"}, lambda r: r.file_path.startswith("src/util/")),
        ({"path_glob": "*.py"}, lambda r: r.file_path.endswith(".py")),
        ({"repositories": ["pyapp"]}, lambda r: r.repository == "pyapp"),
        ({"language": "python", "kind": "function", "path_glob": "config"},
         lambda r: r.language == "python" and r.kind == "function" and r.file_path.startswith("config/")),
    ]
    for kwargs, keep in cases:
        narrowed = search(db, query, mode=mode, limit=100, **kwargs)
        assert narrowed, kwargs
        assert all(keep(r) for r in narrowed), kwargs
        expected = [r for r in everything if keep(r)]
        assert len(narrowed) >= min(len(expected), 1), kwargs
        assert len(narrowed) < len(everything), kwargs


def test_file_paths_are_relative_to_the_repository_root(db) -> None:
    (r, *_) = search(db, "LruCache")
    assert (r.repository, r.file_path, r.kind, r.language) == ("web", "src/cache/lruCache.ts", "class", "typescript")
    source = (CORPUS / "web" / r.file_path).read_text().splitlines()
    assert "class LruCache" in source[r.start_line - 1] or "class LruCache" in source[r.start_line]


def test_vector_query_plan_uses_the_hnsw_index(db) -> None:
    from mnemo.search.filters import Filters
    from mnemo.search.vector import explain_vector_plan

    with db.connect() as conn:
        conn.execute("SET enable_seqscan = off")
        plan = explain_vector_plan(conn, 384, Filters(repository_ids=(1, 2), languages=("python",)), 30)
    assert index_name(384) in plan


def test_unknown_repository_and_empty_index(db, corpus_db) -> None:
    with pytest.raises(UnknownRepository, match="known repositories: pyapp, web"):
        search(db, "x", repositories=["nope"])
    with db.connect() as conn:
        conn.execute("INSERT INTO repositories (name, root, model, dimension) VALUES ('empty', '/e', 'all-MiniLM-L6-v2', 384)")
        conn.commit()
    try:
        with pytest.raises(EmptyIndex, match="'empty' has no indexed chunks"):
            search(db, "x", repositories=["empty"])
        # An empty repository does not spoil a search of all.
        assert search(db, "slugify")[0].name == "slugify"
    finally:
        with db.connect() as conn:
            conn.execute("DELETE FROM repositories WHERE name = 'empty'")
            conn.commit()


# --- through the CLI ------------------------------------------------------------------------------

@pytest.fixture
def cli(corpus_db):
    url = corpus_db[1]

    def run(*argv: str) -> int:
        return main(["search", *argv, "--database-url", url])

    return run


def test_cli_json_fields(cli, capsys) -> None:
    assert cli("retry_with_backoff", "--json", "--limit", "5", "--explain") == 0
    data = json.loads(capsys.readouterr().out)
    assert 1 <= len(data) <= 5
    first = data[0]
    assert first["repository"] == "pyapp" and first["file_path"] == "net/retry.py"
    assert first["name"] == "retry_with_backoff" and first["kind"] == "function" and first["language"] == "python"
    assert first["start_line"] <= first["end_line"] and isinstance(first["score"], float)
    assert first["lexical_rank"] == 1 and first["vector_rank"] >= 1


def test_cli_human_output(cli, capsys) -> None:
    assert cli("token bucket", "--limit", "2") == 0
    out = capsys.readouterr().out
    assert out.startswith("net/retry.py:") and "RateLimiter" in out.splitlines()[0]


@pytest.mark.parametrize(
    "query",
    [
        "it's \"quoted\" 'x' \\ back\\slash",
        "'; DELETE FROM chunks; --",
        ".* [a-z]+ (?:x) \\d{3} %s %% _",
        "naïve café 東京 🙂",
        "retry " * 1700,  # 10 kB
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "lexical", "vector"])
def test_cli_hostile_queries(cli, capsys, query: str, mode: str) -> None:
    assert cli(query, "--mode", mode, "--json") == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x", "-r", "nope"], "unknown repository 'nope'"),
        (["x", "--kind", "functon"], "unknown kind 'functon'"),
    ],
)
def test_cli_errors(cli, capsys, argv, message) -> None:
    assert cli(*argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_on_an_empty_database(database_url, database, capsys) -> None:
    assert main(["search", "anything", "--database-url", database_url]) == 2
    assert "nothing is indexed yet" in capsys.readouterr().err
