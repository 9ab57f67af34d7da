"""Every language of the benchmark through the real pipeline: a small multi-language tree is
indexed into the real PostgreSQL with the real model, and a lexical search for a definition of
each language finds it at its lines. A source file without a grammar is found through its line
windows."""

from __future__ import annotations

import shutil
from pathlib import Path

from mnemo.pipeline import IndexOptions, index_repository
from mnemo.search import search
from mnemo.store.db import Database

FIXTURES = Path(__file__).parents[1] / "fixtures" / "languages"

# (file in the fixture tree, query, expected qualified name, kind, first line, last line, language)
EXPECTED = [
    ("c/buffer.c", "buffer_append", "buffer_append", "function", 24, 31, "c"),
    ("cpp/cache.hpp", "LruCache Get", "LruCache.Get", "method", 20, 25, "cpp"),
    ("csharp/Inventory.cs", "Warehouse Find", "Warehouse.Find", "method", 20, 25, "csharp"),
    ("ruby/session.rb", "Session load", "Rack.Session.load", "method", 17, 21, "ruby"),
    ("php/Router.php", "addRoute", "Router.addRoute", "method", 35, 41, "php"),
    ("kotlin/Repository.kt", "UserRepository", "UserRepository", "class", 7, 22, "kotlin"),
    ("swift/Session.swift", "cancelAll", "Session.cancelAll", "method", 39, 39, "swift"),
    ("scala/Codec.scala", "DecodingFailure", "DecodingFailure", "class", 25, 25, "scala"),
    ("lua/router.lua", "dispatch", "dispatch", "function", 27, 33, "lua"),
    ("bash/install.sh", "install_file", "install_file", "function", 14, 21, "bash"),
    ("elixir/conn.ex", "send_resp", "Plug.Conn.send_resp", "method", 15, 21, "elixir"),
    ("haskell/Parser.hs", "toMap", "toMap", "function", 38, 39, "haskell"),
    ("zig/list.zig", "ArrayList", "ArrayList", "function", 6, 25, "zig"),
]

GO = "package shop\n\nfunc ApplyDiscount(total int) int {\n\treturn total * 9 / 10\n}\n"
JAVA = "package shop;\n\npublic class Checkout {\n  public int settleInvoice(int amount) { return amount; }\n}\n"
RUST = "pub fn reconcile_ledger(entries: &[i64]) -> i64 {\n    entries.iter().sum()\n}\n"
PERL = "package Ledger;\nuse strict;\n\nsub amortization_schedule {\n    my ($principal) = @_;\n    return $principal / 12;\n}\n\n1;\n"


def _tree(root: Path) -> Path:
    for rel, *_ in EXPECTED:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / Path(rel).name, target)
    for rel, text in {"go/shop.go": GO, "java/Checkout.java": JAVA, "rust/ledger.rs": RUST, "perl/Ledger.pm": PERL}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_a_definition_of_every_language_is_found_and_so_is_a_file_without_a_grammar(tmp_path: Path, database: Database, embedder) -> None:
    root = _tree(tmp_path / "polyglot")

    summary = index_repository(database, root, IndexOptions(name="polyglot"), embedder=embedder)

    assert summary.exit_code == 0 and summary.files_failed == 0
    assert summary.files_indexed == len(EXPECTED) + 4
    with database.connect() as conn:
        languages = dict(conn.execute("SELECT language, count(*) FROM chunks GROUP BY language").fetchall())
    assert set(languages) == {row[6] for row in EXPECTED} | {"go", "java", "rust", "perl"}

    for path, query, qualified_name, kind, start, end, language in EXPECTED + [
        ("go/shop.go", "ApplyDiscount", "ApplyDiscount", "function", 3, 5, "go"),
        ("java/Checkout.java", "settleInvoice", "Checkout.settleInvoice", "method", 4, 4, "java"),
        ("rust/ledger.rs", "reconcile_ledger", "reconcile_ledger", "function", 1, 3, "rust"),
    ]:
        results = search(database, query, repositories=["polyglot"], mode="lexical", limit=5)
        found = [(r.file_path, r.qualified_name, r.kind, r.start_line, r.end_line, r.language) for r in results]
        assert (path, qualified_name, kind, start, end, language) in found[:3], (query, found)

    # the graph resolves their calls and bases by name, knows `this`/`$this`/`self`, and runtime names
    with database.connect() as conn:
        edges = set(
            conn.execute(
                """SELECT s.language, s.qualified_name, e.type, e.resolution, coalesce(d.qualified_name, e.target)
                   FROM graph_edges e JOIN graph_nodes s ON s.id = e.src LEFT JOIN graph_nodes d ON d.id = e.dst
                   WHERE e.type <> 'contains'"""
            ).fetchall()
        )
    assert {
        ("c", "buffer_append", "calls", "same_file", "buffer_grow"),
        ("c", "buffer_append", "calls", "builtin", "memcpy"),
        ("cpp", "LruCache", "inherits", "same_file", "Sink"),
        ("csharp", "Warehouse", "implements", "same_file", "IStore"),
        ("php", "Router.get", "calls", "this", "Router.addRoute"),
        ("php", "Router", "implements", "same_file", "Dispatcher"),
        ("swift", "Session.request", "calls", "this", "Session.perform"),
        ("kotlin", "UserRepository.create", "calls", "same_file", "UserRepository"),
        ("lua", "dispatch", "calls", "same_file", "normalize"),
        ("lua", "dispatch", "calls", "builtin", "ipairs"),
        ("bash", "main", "calls", "same_file", "install_file"),
        ("elixir", "Plug.Conn.send_resp", "calls", "builtin", "raise"),
        ("haskell", "decode", "calls", "same_file", "toMap"),
        ("zig", "append grows", "calls", "same_file", "ArrayList"),
    } <= edges

    # a source file without a grammar (Perl) is reached through its line windows
    results = search(database, "amortization schedule", repositories=["polyglot"], mode="hybrid", limit=5)

    assert results, "the Perl file should be searchable"
    top = results[0]
    assert (top.file_path, top.kind, top.language, top.start_line, top.end_line) == ("perl/Ledger.pm", "module", "perl", 1, 9)
