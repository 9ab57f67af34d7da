"""Search against rows inserted directly (no indexer, no model): the SQL, filters, errors and
safety of the lexical, vector and hybrid modes on a real PostgreSQL with pgvector and pg_trgm.

Vectors come from a tiny deterministic bag-of-words embedder (FakeEmbedder), so the vector side
is meaningful (shared words → nearby vectors) without loading a model.
"""

from __future__ import annotations

import json
import re
import zlib

import numpy as np
import pytest

from mnemo.cli import main
from mnemo.search import EmptyIndex, InvalidFilter, InvalidQuery, ModelMismatch, UnknownRepository, search
from mnemo.search.filters import Filters
from mnemo.search.query import code_words, split_identifier
from mnemo.search.vector import explain_vector_plan, search_vector
from mnemo.store.db import Database
from mnemo.store.vector_index import ensure_vector_index, index_name

DIM = 32


class FakeEmbedder:
    """Bag of identifier parts hashed into DIM buckets, L2-normalised."""

    def __init__(self, model_name: str = "fake-bow", dimension: int = DIM) -> None:
        self.model_name = model_name
        self.dimension = dimension

    def embed_query(self, text: str) -> np.ndarray:
        v = np.full(self.dimension, 1e-3, dtype=np.float32)
        for word in re.findall(r"\w+", text):
            for part in split_identifier(word) or [word]:
                v[zlib.crc32(part.lower().encode()) % self.dimension] += 1.0
        return v / np.linalg.norm(v)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.embed_query(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)


CORPUS = {
    "src/config/loader.py": ("python", [
        ("function", "parseConfig", "parseConfig", "def parseConfig(path: str) -> dict",
         "Read a TOML configuration file into a dictionary.",
         'def parseConfig(path: str) -> dict:\n    """Read a TOML configuration file into a dictionary."""\n'
         "    with open(path) as fh:\n        return toml.load(fh)\n"),
        ("function", "parse_config_value", "parse_config_value", "def parse_config_value(raw)", None,
         "def parse_config_value(raw):\n    return raw.strip()\n"),
    ]),
    "src/net/http_client.py": ("python", [
        ("class", "HttpClient", "HttpClient", "class HttpClient", "A small HTTP client.",
         'class HttpClient:\n    """A small HTTP client."""\n    timeout = 10\n'),
        ("method", "retry_request", "HttpClient.retry_request", "def retry_request(self, request, attempts=5)",
         "Retry a failed request with exponential backoff.",
         "def retry_request(self, request, attempts=5):\n    delay = 0.1\n    for attempt in range(attempts):\n"
         "        try:\n            return self.send(request)\n        except TimeoutError:\n"
         "            time.sleep(delay)\n            delay *= 2\n"),
    ]),
    "src/users/service.ts": ("typescript", [
        ("class", "UserService", "UserService", "export class UserService", "Stores users.",
         "export class UserService {\n  constructor(private db: Db) {}\n}\n"),
        ("method", "findByEmail", "UserService.findByEmail", "async findByEmail(email: string): Promise<User>",
         "Look a user up by e-mail address.",
         "async findByEmail(email: string): Promise<User> {\n  return this.db.users.findOne({ email });\n}\n"),
        ("interface", "User", "User", "export interface User", None,
         "export interface User {\n  user_id: number;\n  email: string;\n}\n"),
        ("enum", "Role", "Role", "export enum Role", None, "export enum Role { Admin, Member }\n"),
        ("type", "UserId", "UserId", "export type UserId = number", None, "export type UserId = number;\n"),
    ]),
    "tests/test_loader.py": ("python", [
        ("function", "test_parse_config", "test_parse_config", "def test_parse_config()", None,
         "def test_parse_config():\n    assert parseConfig('x.toml') == {}\n"),
    ]),
}


def insert_repository(
    database: Database, name: str, corpus: dict = CORPUS, *, model: str = "fake-bow", dimension: int = DIM
) -> int:
    embedder = FakeEmbedder(model, dimension)
    with database.connect() as conn:
        repo_id = conn.execute(
            "INSERT INTO repositories (name, root, model, dimension) VALUES (%s, %s, %s, %s) RETURNING id",
            (name, f"/src/{name}", model, dimension),
        ).fetchone()[0]
        ensure_vector_index(conn, dimension)
        for path, (language, chunks) in corpus.items():
            file_id = conn.execute(
                "INSERT INTO files (repository_id, path, language, size_bytes, status) "
                "VALUES (%s, %s, %s, 1, 'indexed') RETURNING id",
                (repo_id, path, language),
            ).fetchone()[0]
            line = 1
            for kind, cname, qname, signature, doc, source, *meta in chunks:
                end = line + source.count("\n")
                vector = embedder.embed_query(f"{kind} {qname} {doc or ''} {source}")
                conn.execute(
                    "INSERT INTO chunks (repository_id, file_id, path, language, kind, name, qualified_name, "
                    "signature, docstring, source, start_line, end_line, metadata, embedding) "
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (repo_id, file_id, path, language, kind, cname, qname, signature, doc, source, line, end,
                     json.dumps(meta[0] if meta else {}), vector),
                )
                line = end + 2
        conn.commit()
    return repo_id


@pytest.fixture
def indexed(database: Database) -> Database:
    insert_repository(database, "app")
    return database


def run_search(database: Database, query: str, **kwargs):
    kwargs.setdefault("embedder", FakeEmbedder())
    return search(database, query, **kwargs)


# --- the document -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["parseConfig", "self.parse_config(x)", "HTTPServer2 utf8 XMLHttpRequest getHTTPResponseCode",
     "src/app/config.py", "ÉtéBon naïve", "a1b2 2d Config CONFIG"],
)
def test_sql_splitter_matches_python_mirror(database: Database, text: str) -> None:
    with database.connect() as conn:
        sql_words = conn.execute("SELECT mnemo_code_words(%s)", (text,)).fetchone()[0]
    assert sql_words.split() == code_words(text).split()


def test_generated_document_weights_names_over_source(indexed: Database) -> None:
    with indexed.connect() as conn:
        tsv = conn.execute("SELECT search_tsv::text FROM chunks WHERE name = 'parseConfig'").fetchone()[0]
    assert "'parseconfig':1A" in tsv and "'parse':" in tsv and "'toml':" in tsv


# --- ranking --------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["hybrid", "lexical"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("parseConfig", "parseConfig"),
        ("parse_config_value", "parse_config_value"),
        ("findByEmail", "UserService.findByEmail"),
        ("UserService.findByEmail", "UserService.findByEmail"),
        ("findbyemail", "UserService.findByEmail"),
        ("findByEmial", "UserService.findByEmail"),  # a typo: trigram similarity
        ("retry_request()", "HttpClient.retry_request"),
    ],
)
def test_identifier_finds_its_definition_first(indexed: Database, mode: str, query: str, expected: str) -> None:
    results = run_search(indexed, query, mode=mode)
    assert results[0].qualified_name == expected


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "vector"])
def test_words_find_the_function_that_does_it(indexed: Database, mode: str) -> None:
    results = run_search(indexed, "retry request with exponential backoff", mode=mode)
    assert results[0].qualified_name == "HttpClient.retry_request"


def test_explain_reports_ranks_and_fused_score(indexed: Database) -> None:
    (top, *_) = run_search(indexed, "parseConfig", explain=True)
    assert top.lexical_rank == 1 and top.vector_rank is not None
    assert top.lexical_score and top.vector_similarity is not None and top.score > 0
    plain = run_search(indexed, "parseConfig")[0]
    assert plain.lexical_rank is None and "lexical_rank" not in plain.to_json()
    assert "lexical_rank" in top.to_json(explain=True)


def test_result_fields_and_snippet(indexed: Database) -> None:
    top = run_search(indexed, "exponential backoff retry", mode="lexical")[0]
    assert (top.repository, top.file_path, top.kind, top.language) == ("app", "src/net/http_client.py", "method", "python")
    assert top.start_line >= 1 and top.end_line > top.start_line
    assert top.snippet_start_line >= top.start_line
    marked = {top.snippet[s:e].lower() for s, e in top.highlights}
    assert marked & {"retry", "delay", "attempt", "request"}


def test_one_result_per_location(database: Database) -> None:
    body = "def huge():\n" + "    compute_checksum(data)\n" * 3
    corpus = {
        "big.py": ("python", [
            ("function", "huge", "huge", "def huge()", None, body, {"part": 1, "parts": 2}),
            ("function", "huge", "huge", "def huge()", None, body, {"part": 2, "parts": 2}),
            ("function", "other", "other", "def other()", None, "def other():\n    compute_checksum(x)\n"),
        ])
    }
    insert_repository(database, "parts", corpus)
    for mode in ("hybrid", "lexical", "vector"):
        results = run_search(database, "compute checksum", mode=mode)
        assert sorted(r.name for r in results) == ["huge", "other"], mode


def test_limit(indexed: Database) -> None:
    assert len(run_search(indexed, "user", limit=2)) == 2
    assert len(run_search(indexed, "user", limit=1000)) <= 12


# --- filters --------------------------------------------------------------------------------------

def test_language_filter(indexed: Database) -> None:
    results = run_search(indexed, "user email find", language="typescript", limit=50)
    assert results and {r.language for r in results} == {"typescript"}
    assert {r.language for r in run_search(indexed, "user email find", language="python", limit=50)} == {"python"}


def test_kind_filter(indexed: Database) -> None:
    results = run_search(indexed, "user", kind=["class", "interface"], limit=50)
    assert {r.qualified_name for r in results} == {"UserService", "User", "HttpClient"}
    assert [r.kind for r in run_search(indexed, "Role", kind="enum")] == ["enum"]
    with pytest.raises(InvalidFilter, match="unknown kind"):
        run_search(indexed, "user", kind="klass")


@pytest.mark.parametrize(
    ("glob", "paths"),
    [
        ("*.ts", {"src/users/service.ts"}),
        ("src/**/*.py", {"src/config/loader.py", "src/net/http_client.py"}),
        ("tests", {"tests/test_loader.py"}),
        ("test_*.py", {"tests/test_loader.py"}),
        ("src/users/", {"src/users/service.ts"}),
        ("src/(users)/*", set()),  # regex metacharacters are literal
    ],
)
@pytest.mark.parametrize("mode", ["hybrid", "lexical", "vector"])
def test_path_filter(indexed: Database, glob: str, paths: set[str], mode: str) -> None:
    results = run_search(indexed, "config user parse request", path_glob=glob, mode=mode, limit=50)
    assert {r.file_path for r in results} == paths


def test_repository_filter_one_several_all(database: Database) -> None:
    insert_repository(database, "one")
    insert_repository(database, "two", {"lib/util.py": CORPUS["src/config/loader.py"]})
    assert {r.repository for r in run_search(database, "parseConfig", repositories=["two"])} == {"two"}
    both = run_search(database, "parseConfig", repositories=["one", "two"], limit=50)
    assert {r.repository for r in both} == {"one", "two"}
    assert {r.repository for r in run_search(database, "parseConfig", limit=50)} == {"one", "two"}
    assert {r.repository for r in run_search(database, "parseConfig", repositories="one,two", limit=50)} == {"one", "two"}


# --- errors ---------------------------------------------------------------------------------------

def test_unknown_repository_lists_known_ones(indexed: Database) -> None:
    with pytest.raises(UnknownRepository, match=r"unknown repository 'nope' \(known repositories: app\)"):
        run_search(indexed, "x", repositories=["nope"])


def test_empty_index(database: Database) -> None:
    with pytest.raises(EmptyIndex, match="nothing is indexed yet"):
        run_search(database, "anything")
    with database.connect() as conn:
        conn.execute("INSERT INTO repositories (name, root, model, dimension) VALUES ('bare', '/b', 'fake-bow', 32)")
        conn.commit()
    with pytest.raises(EmptyIndex, match="'bare' has no indexed chunks"):
        run_search(database, "anything", repositories=["bare"])


def test_models_are_never_mixed_in_one_vector_query(database: Database) -> None:
    insert_repository(database, "small", model="fake-bow", dimension=DIM)
    insert_repository(database, "wide", model="other-model", dimension=48)
    with pytest.raises(ModelMismatch, match="different embedding models.*small: fake-bow.*wide: other-model"):
        run_search(database, "parseConfig")
    with pytest.raises(ModelMismatch):
        run_search(database, "parseConfig", repositories=["small", "wide"], mode="vector")
    # Lexical search has no vectors to mix; each model's repositories alone are fine.
    assert {r.repository for r in run_search(database, "parseConfig", mode="lexical", limit=50)} == {"small", "wide"}
    assert run_search(database, "parseConfig", repositories=["wide"], embedder=FakeEmbedder("other-model", 48))
    with pytest.raises(ModelMismatch, match="indexed with 'other-model'"):
        run_search(database, "parseConfig", repositories=["wide"])  # the default embedder is fake-bow


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"mode": "fuzzy"}, "unknown mode"), ({"limit": 0}, "limit"), ({"limit": 5000}, "limit")],
)
def test_bad_arguments(indexed: Database, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidQuery, match=message):
        run_search(indexed, "x", **kwargs)


@pytest.mark.parametrize("query", ["", "   ", "\x00"])
def test_empty_query(indexed: Database, query: str) -> None:
    with pytest.raises(InvalidQuery, match="empty query"):
        run_search(indexed, query)


HOSTILE = [
    "it's \"quoted\" and 'single' quoted",
    "back\\slash \\\\ \\' \\x00",
    "'; DROP TABLE chunks; --",
    "%s %(name)s {} %% _ %",
    "a & b | !c <-> (d) :* 'e':A",
    ".* [a-z]+ ^$ (?:x) \\d{3} (((",
    "naïve café 東京 Ünïcödé λ → 🙂",
    "\x00nul\x01ctl\u200b",
    "parseConfig " * 900,  # ~10 kB
    "x" * 10_000,
    "(" * 5000,
]


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "vector"])
@pytest.mark.parametrize("query", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_queries_are_safe(indexed: Database, query: str, mode: str) -> None:
    results = run_search(indexed, query, mode=mode)
    assert isinstance(results, list)
    with indexed.connect() as conn:  # nothing was executed from the query text
        assert conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 10


def test_long_identifier_query_still_finds_the_definition(indexed: Database) -> None:
    assert run_search(indexed, "parseConfig " * 900, mode="lexical")[0].name == "parseConfig"


# --- the vector index -----------------------------------------------------------------------------

def test_vector_query_uses_the_hnsw_index(indexed: Database) -> None:
    with indexed.connect() as conn:
        conn.execute("SET enable_seqscan = off")  # a tiny table: make the planner show it CAN use the index
        plan = explain_vector_plan(conn, DIM, Filters(repository_ids=(1,)), 50)
    assert index_name(DIM) in plan


def test_filtered_vector_query_returns_full_lists(database: Database) -> None:
    """1 % of 3,000 chunks pass the filter: the iterative HNSW scan still fills the list."""
    rng = np.random.default_rng(7)
    with database.connect() as conn:
        repo_id = conn.execute(
            "INSERT INTO repositories (name, root, model, dimension) VALUES ('many', '/m', 'fake-bow', %s) RETURNING id",
            (DIM,),
        ).fetchone()[0]
        ensure_vector_index(conn, DIM)
        file_id = conn.execute(
            "INSERT INTO files (repository_id, path, language, size_bytes, status) VALUES (%s, 'a.py', 'python', 1, 'indexed') RETURNING id",
            (repo_id,),
        ).fetchone()[0]
        vectors = rng.normal(size=(3000, DIM)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO chunks (repository_id, file_id, path, language, kind, name, qualified_name, source, "
                "start_line, end_line, embedding) VALUES (%s, %s, 'a.py', %s, 'function', %s, %s, 'pass', %s, %s, %s)",
                [(repo_id, file_id, "go" if i % 100 == 0 else "python", f"f{i}", f"f{i}", i + 1, i + 1, v)
                 for i, v in enumerate(vectors)],
            )
        conn.commit()
        conn.execute("ANALYZE chunks")
        conn.execute("SET enable_seqscan = off")
        conn.execute("SET enable_bitmapscan = off")
        conn.execute("SET enable_indexscan = on")
        conn.commit()
        filters = Filters(repository_ids=(repo_id,), languages=("go",))
        assert index_name(DIM) in explain_vector_plan(conn, DIM, filters, 20)
        found = search_vector(conn, vectors[5], DIM, filters, 20)
    assert len(found) == 20
    sims = [s for _, s in found]
    assert sims == sorted(sims, reverse=True)


# --- the CLI --------------------------------------------------------------------------------------

@pytest.fixture
def cli(indexed: Database, database_url: str, monkeypatch: pytest.MonkeyPatch):
    import mnemo.embed

    monkeypatch.setattr(mnemo.embed, "load_embedder", lambda model=None, **_: FakeEmbedder())

    def run(*argv: str) -> int:
        return main(["search", *argv, "--database-url", database_url])

    return run


def test_cli_json(cli, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("parseConfig", "--json", "--limit", "3") == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == 3
    first = data[0]
    assert {"repository", "file_path", "start_line", "end_line", "name", "qualified_name", "kind", "language",
            "score"} <= set(first)
    assert (first["repository"], first["file_path"], first["name"]) == ("app", "src/config/loader.py", "parseConfig")
    assert "lexical_rank" not in first


def test_cli_human_output_and_explain(cli, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("retry request backoff", "--explain", "--kind", "method", "--language", "python") == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert re.match(r"src/net/http_client\.py:\d+-\d+  method  HttpClient\.retry_request  \d\.\d{4}$", first)
    assert re.search(r"lexical #1 \(score [\d.]+\)  vector #\d+ \(similarity [\d.]+\)  fused [\d.]+", out)
    assert "│" in out and "\x1b[" not in out  # not a terminal: no ANSI codes


def test_cli_filters_and_modes(cli, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("user", "--json", "--mode", "lexical", "--path", "*.ts", "--limit", "50") == 0
    assert {d["file_path"] for d in json.loads(capsys.readouterr().out)} == {"src/users/service.ts"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["x", "--repository", "nope"], "unknown repository 'nope'"),
        (["x", "--kind", "klass"], "unknown kind"),
        (["   "], "empty query"),
    ],
)
def test_cli_errors_exit_2_with_a_message(cli, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
    assert cli(*argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_error_as_json(cli, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("x", "--repository", "nope", "--json") == 2
    assert json.loads(capsys.readouterr().out)["exit_code"] == 2


def test_cli_empty_index(database_url: str, database: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "anything", "--database-url", database_url]) == 2
    assert "nothing is indexed yet" in capsys.readouterr().err


def test_cli_bad_limit_is_a_usage_error(cli, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli("x", "--limit", "0")
    assert exc.value.code == 2


@pytest.mark.parametrize("autocommit", [True, False])
def test_an_open_connection_can_be_passed_instead_of_a_database(indexed: Database, autocommit: bool) -> None:
    with indexed.connect(autocommit=autocommit) as conn:
        for mode in ("hybrid", "lexical", "vector"):
            assert "parseConfig" in [r.name for r in run_search(conn, "parseConfig", mode=mode)]
        assert not conn.closed
        assert conn.execute("SELECT current_setting('hnsw.ef_search', true)").fetchone()[0] in (None, "", "40")


# --- lexical ranking details ----------------------------------------------------------------------

@pytest.fixture
def skewed(database: Database) -> Database:
    """40 chunks say `widget` (a common word here), one says `frobnicate` (a rare one)."""
    chunks = [
        ("function", f"handler{i}", f"handler{i}", f"def handler{i}()", None,
         f"def handler{i}():\n    widget = make_widget()\n    return widget.widget_id\n")
        for i in range(40)
    ]
    chunks.append(("function", "rare_one", "rare_one", "def rare_one()", None,
                   "def rare_one():\n    return frobnicate(widget)\n"))
    insert_repository(database, "skew", {"w.py": ("python", chunks)})
    with database.connect(autocommit=True) as conn:
        conn.execute("ANALYZE chunks")
    return database


def test_rare_terms_outweigh_common_ones(skewed: Database) -> None:
    results = run_search(skewed, "widget widget frobnicate", mode="lexical", limit=3)
    assert results[0].name == "rare_one"


def test_candidate_selection_widens_when_the_rare_terms_find_too_few(skewed: Database) -> None:
    from mnemo.search.lexical import LexicalSettings, candidate_query, search_lexical, weigh_terms
    from mnemo.search.query import analyse

    plan = analyse("frobnicate widget")
    narrow = LexicalSettings(match_budget=1, common_fraction=1.0)
    with skewed.connect() as conn:
        terms, rows = weigh_terms(conn, plan, narrow)
        assert [w.term.text for w in terms] == ["frobnicate", "widget"] and rows and rows >= 41
        # Over budget: candidates must hold both words (neither is rare enough alone).
        assert candidate_query(terms, rows, narrow, False) == "('frobnicate' & 'widget')"
        assert candidate_query(terms, rows, LexicalSettings(common_fraction=1.0), False) is None  # within budget
        # Only one chunk holds both: the search widens to any term to fill the list.
        assert len(search_lexical(conn, plan, Filters(), 20, narrow)) == 20
        assert len(search_lexical(conn, plan, Filters(), 1, narrow)) == 1


def test_qualified_identifier_pins_the_method_over_same_named_ones(database: Database) -> None:
    corpus = {
        "a.py": ("python", [
            ("method", "save", "Cache.save", "def save(self)", None, "def save(self):\n    self.flush()\n"),
            ("method", "save", "UserStore.save", "def save(self, user)", None,
             "def save(self, user):\n    self.rows.append(user)\n"),
            ("function", "save_all", "save_all", "def save_all()", None, "def save_all():\n    save()\n"),
        ])
    }
    insert_repository(database, "q", corpus)
    for query in ("UserStore.save", "userstore.save", "UserStore::save"):
        assert run_search(database, query)[0].qualified_name == "UserStore.save", query
        assert run_search(database, query, mode="lexical")[0].qualified_name == "UserStore.save", query
    names = [r.qualified_name for r in run_search(database, "save", mode="lexical")]
    assert set(names[:2]) == {"Cache.save", "UserStore.save"}
    assert run_search(database, "User%.save", mode="lexical")  # LIKE metacharacters are literal


def test_symbol_query_finds_the_same_case_type_among_many_lower_case_namesakes(database: Database) -> None:
    # 120 `fn serialize` impls exceed the name lookup's depth; the trait must not be cut.
    impls = [("method", "serialize", f"T{i}.serialize", "fn serialize(&self)", None,
              f"fn serialize(&self) {{ s.emit({i}) }}\n") for i in range(120)]
    corpus = {
        "src/ser/impls.rs": ("rust", impls),
        "src/ser/mod.rs": ("rust", [("interface", "Serialize", "Serialize", "pub trait Serialize", "A serializable type.",
                                     "pub trait Serialize {\n    fn serialize(&self);\n}\n")]),
    }
    insert_repository(database, "serde", corpus)
    for mode in ("lexical", "hybrid"):
        assert run_search(database, "Serialize", mode=mode)[0].qualified_name == "Serialize", mode
    assert run_search(database, "serialize", mode="lexical")[0].name == "serialize"


def test_symbol_query_finds_a_module_named_with_its_namespace(database: Database) -> None:
    # Elixir's `defmodule Plug.Conn` is named `Plug.Conn`; `conn` helpers elsewhere must not win.
    corpus = {
        "lib/plug/test.ex": ("elixir", [("method", "conn", "Plug.Test.conn", "def conn(method, path)", None,
                                         "def conn(method, path) do\n  Plug.Adapters.Test.Conn.conn(method, path)\nend\n")]),
        "lib/plug/conn.ex": ("elixir", [("class", "Plug.Conn", "Plug.Conn", "defmodule Plug.Conn", "The connection.",
                                         "defmodule Plug.Conn do\n  defstruct adapter: nil\nend\n")]),
    }
    insert_repository(database, "plug", corpus)
    for mode in ("lexical", "hybrid"):
        assert run_search(database, "Conn", mode=mode)[0].qualified_name == "Plug.Conn", mode
