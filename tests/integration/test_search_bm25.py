"""BM25 in PostgreSQL (migration 0005 + search.lexical.bm25_search) on a fixture corpus of rows
inserted directly: the postings and statistics follow the chunks in their transaction, and the
scores have BM25's properties — IDF order, saturation in term frequency, length normalisation."""

from __future__ import annotations

import math

import pytest

from mnemo.search import search
from mnemo.search.filters import Filters
from mnemo.search.lexical import LexicalSettings, bm25_search
from mnemo.store.db import Database

FILLER = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda omicron".split()


def add_repo(conn, name: str = "app") -> int:
    return conn.execute(
        "INSERT INTO repositories (name, root, model, dimension) VALUES (%s, '/x', 'none', 3) RETURNING id", (name,)
    ).fetchone()[0]


def add_file(conn, repo: int, path: str, sources: dict[str, str]) -> dict[str, int]:
    """One file whose chunks are `name → source`; returns name → chunk id."""
    file_id = conn.execute(
        "INSERT INTO files (repository_id, path, language, size_bytes, status) VALUES (%s, %s, 'python', 1, 'indexed')"
        " RETURNING id", (repo, path),
    ).fetchone()[0]
    out = {}
    for i, (name, source) in enumerate(sources.items()):
        out[name] = conn.execute(
            "INSERT INTO chunks (repository_id, file_id, path, language, kind, name, qualified_name, source,"
            " start_line, end_line, embedding) VALUES (%s, %s, %s, 'python', 'function', %s, %s, %s, %s, %s, '[1,0,0]')"
            " RETURNING id", (repo, file_id, path, name, name, source, 10 * i + 1, 10 * i + 5),
        ).fetchone()[0]
    return out


def words(*items: str, pad: int = 0) -> str:
    return " ".join([*items, *(FILLER[i % len(FILLER)] for i in range(pad))])


def scores(conn, repo: int, query: dict[str, int], **settings) -> dict[int, float]:
    return bm25_search(conn, query, Filters((repo,)), 100, LexicalSettings(**settings))


@pytest.fixture
def conn(database: Database):
    with database.connect(autocommit=True) as c:
        yield c


def test_postings_and_statistics_follow_the_chunks(conn) -> None:
    repo = add_repo(conn)
    ids = add_file(conn, repo, "a.py", {"one": "retry retry backoff", "two": "parse config"})
    (docs,) = conn.execute("SELECT docs FROM search_collection WHERE repository_id = %s", (repo,)).fetchone()
    assert docs == 2
    tf = conn.execute("SELECT tf_body, tf_name FROM search_terms WHERE chunk_id = %s AND term = 'retry'",
                      (ids["one"],)).fetchone()
    assert tf == (2, 0)
    assert conn.execute("SELECT tf_name FROM search_terms WHERE chunk_id = %s AND term = 'one'",
                        (ids["one"],)).fetchone() == (2,)  # name and qualified name
    lengths = conn.execute("SELECT len_body FROM search_docs WHERE chunk_id = %s", (ids["one"],)).fetchone()
    assert lengths == (3,)
    # A rolled-back re-index leaves everything as it was; a committed one replaces it.
    with pytest.raises(RuntimeError):
        with conn.transaction():
            conn.execute("DELETE FROM chunks WHERE path = 'a.py'")
            raise RuntimeError("crash mid-file")
    assert conn.execute("SELECT count(*) FROM search_terms WHERE repository_id = %s", (repo,)).fetchone()[0] > 0
    conn.execute("DELETE FROM chunks WHERE id = %s", (ids["one"],))
    assert conn.execute("SELECT docs, len_body FROM search_collection WHERE repository_id = %s",
                        (repo,)).fetchone() == (1, 2)
    assert conn.execute("SELECT count(*) FROM search_terms WHERE chunk_id = %s", (ids["one"],)).fetchone() == (0,)
    conn.execute("DELETE FROM repositories WHERE id = %s", (repo,))
    assert conn.execute("SELECT docs FROM search_collection WHERE repository_id = %s", (repo,)).fetchone() == (0,)


def test_rarer_terms_weigh_more(conn) -> None:
    repo = add_repo(conn)
    ids = add_file(conn, repo, "a.py", {"rare_hit": words("zyzzyva", pad=5), "common_hit": words("request", pad=5)})
    add_file(conn, repo, "b.py", {f"other{i}": words("request", pad=5 + i) for i in range(8)})
    s = scores(conn, repo, {"zyzzyva": 1, "request": 1})
    assert s[ids["rare_hit"]] > s[ids["common_hit"]] > 0
    # idf is Lucene's: ln(1 + (N - df + 0.5) / (df + 0.5)), N = 10 documents
    n, k1, b = 10, 1.2, 0.75
    (avgdl,) = conn.execute("SELECT (len_name * 3 + len_head + len_doc + len_body)::float8 / docs"
                            " FROM search_collection WHERE repository_id = %s", (repo,)).fetchone()
    (dl,) = conn.execute("SELECT len_name * 3 + len_head + len_doc + len_body FROM search_docs WHERE chunk_id = %s",
                         (ids["rare_hit"],)).fetchone()
    idf = math.log(1 + (n - 1 + 0.5) / (1 + 0.5))
    expected = idf * 1 * (k1 + 1) / (1 + k1 * (1 - b + b * dl / avgdl))
    assert scores(conn, repo, {"zyzzyva": 1})[ids["rare_hit"]] == pytest.approx(expected, rel=1e-6)


def test_term_frequency_saturates(conn) -> None:
    repo = add_repo(conn)
    # Same length (20 body words) so only the frequency differs.
    ids = add_file(conn, repo, "a.py", {f"tf{n}": words(*["cache"] * n, pad=20 - n) for n in (1, 2, 8, 16)})
    add_file(conn, repo, "b.py", {f"x{i}": words(pad=20) for i in range(6)})
    s = scores(conn, repo, {"cache": 1})
    one, two, eight, sixteen = (s[ids[f"tf{n}"]] for n in (1, 2, 8, 16))
    assert one < two < eight < sixteen
    assert two - one > (sixteen - eight) / 8  # each extra occurrence adds less
    assert sixteen < 3 * one  # bounded by (k1 + 1) / 1 times a single occurrence's score, not linear
    assert sixteen / one < scores(conn, repo, {"cache": 1}, k1=5.0)[ids["tf16"]] / scores(
        conn, repo, {"cache": 1}, k1=5.0)[ids["tf1"]]  # a larger k1 saturates later


def test_longer_documents_are_normalised(conn) -> None:
    repo = add_repo(conn)
    ids = add_file(conn, repo, "a.py", {"short": words("socket", pad=3), "long": words("socket", pad=60)})
    add_file(conn, repo, "b.py", {f"x{i}": words(pad=10) for i in range(4)})
    s = scores(conn, repo, {"socket": 1})
    assert s[ids["short"]] > s[ids["long"]]
    flat = scores(conn, repo, {"socket": 1}, b=0.0)
    assert flat[ids["short"]] == pytest.approx(flat[ids["long"]])


def test_name_field_weighs_more_than_body(conn) -> None:
    repo = add_repo(conn)
    ids = add_file(conn, repo, "a.py", {"tokenize": words("run", pad=6), "helper": words("tokenize", pad=5)})
    s = scores(conn, repo, {"tokenize": 1})
    assert s[ids["tokenize"]] > s[ids["helper"]]
    even = scores(conn, repo, {"tokenize": 1}, field_weights=(0.0, 0.0, 0.0, 1.0))
    assert ids["tokenize"] not in even


def test_statistics_are_per_repository(conn) -> None:
    a, b = add_repo(conn, "a"), add_repo(conn, "b")
    ids = add_file(conn, a, "x.py", {"hit": words("token", pad=4), "miss": words(pad=5)})
    add_file(conn, b, "y.py", {f"t{i}": words("token", pad=4) for i in range(20)})
    only_a = scores(conn, a, {"token": 1})
    both = bm25_search(conn, {"token": 1}, Filters((a, b)), 100)
    assert set(only_a) == {ids["hit"]}
    assert only_a[ids["hit"]] > both[ids["hit"]]  # common in b: less telling when both are searched


def test_lexical_mode_ranks_by_bm25_and_explains(database: Database) -> None:
    with database.connect(autocommit=True) as conn:
        repo = add_repo(conn)
        add_file(conn, repo, "src/retry.py", {"retry_with_backoff": "def retry_with_backoff(fn): sleep(backoff)"})
        add_file(conn, repo, "tests/test_retry.py", {"test_retry": "def test_retry(): retry_with_backoff(f) retry backoff"})
    results = search(database, "retry with backoff", mode="lexical", explain=True)
    assert [r.file_path for r in results] == ["src/retry.py", "tests/test_retry.py"]
    assert results[1].rules["test_penalty"] == pytest.approx(0.3)
    assert results[0].to_json(explain=True)["rules"]["path_boost"] > 1  # retry.py names the query's word
    assert "test_penalty" not in results[0].rules
    assert "rules" not in results[0].to_json()


def test_common_terms_add_to_candidates_but_select_none(conn) -> None:
    """Above `common_postings` postings a term no longer selects candidates of its own: the
    chunks holding a rarer term keep their exact BM25 scores (idf still counts every posting),
    the chunks holding only the common term are not scored — unless that leaves fewer than
    `depth` results, when every posting is used again."""
    repo = add_repo(conn)
    sources = {f"f{i}": words(pad=2 + i % 3) for i in range(200)}  # neither term
    sources |= {f"c{i}": words("common", "common", "common") for i in range(30)}
    sources |= {f"b{i}": words("common", "rare", pad=60 + i) for i in range(5)}
    sources |= {f"r{i}": words("rare", pad=50) for i in range(3)}
    ids = add_file(conn, repo, "a.py", sources)
    query = {"common": 1, "rare": 1}
    exact = bm25_search(conn, query, Filters((repo,)), 100, LexicalSettings(common_postings=None))
    assert len(exact) == 38
    holders = [i for i in exact if i in {ids[n] for n in sources if n[0] in "br"}]
    assert set(list(exact)[:8]) != set(holders)  # exact BM25 ranks short common-only chunks higher
    capped = bm25_search(conn, query, Filters((repo,)), 8, LexicalSettings(common_postings=10))
    assert list(capped) == holders  # the exact ranking's order among them
    assert all(capped[i] == pytest.approx(exact[i]) for i in capped)
    wide = bm25_search(conn, query, Filters((repo,)), 20, LexicalSettings(common_postings=10))
    assert list(wide) == list(exact)[:20]
    assert all(wide[i] == pytest.approx(exact[i]) for i in wide)
