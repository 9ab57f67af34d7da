"""The reranking rules (search.rank), each on hand-made candidates: pure functions, no database."""

from __future__ import annotations

import pytest

from mnemo.config import ConfigError
from mnemo.search.query import analyse
from mnemo.search.rank import Candidate, classify, rerank, settings_from
from mnemo.search.rank import boosts, diversity, files, penalties, places
from mnemo.search.rank.settings import RankSettings


def cand(chunk_id: int, score: float, path: str = "src/app.py", start: int = 1, end: int = 10, *, kind: str = "function",
         name: str = "f", qname: str | None = None, part: int = 1, parts: int = 1, code_lines: int = 5) -> Candidate:
    return Candidate(chunk_id, score, chunk_id, 1, path, start, end, kind, name, qname or name, "python",
                     part, parts, code_lines)


def ids(cands: list[Candidate]) -> list[int]:
    return [c.chunk_id for c in cands]


def test_intent_kinds() -> None:
    assert classify(analyse("parseConfig")).kind == "symbol"
    assert classify(analyse("how does the router match routes")).kind == "architecture"
    assert classify(analyse("retry a request with exponential backoff")).kind == "semantic"
    assert classify(analyse("tests for the retry logic")).wants_tests
    assert not classify(analyse("retry logic")).wants_tests


def test_other_penalised_places() -> None:
    assert penalties.is_example_path("examples/basic/main.rs") and penalties.is_example_path("docs_src/app.py")
    assert penalties.is_vendor_path("third_party/zlib/inflate.c") and penalties.is_vendor_path("single_include/json.hpp")
    assert not penalties.is_vendor_path("src/distance.py")
    init = cand(1, 1.0, "pkg/__init__.py")
    penalties.apply([init], classify(analyse("x")), RankSettings(reexport_penalty=0.5))
    assert init.score == 0.5


@pytest.mark.parametrize("path", ["tests/test_app.py", "src/app_test.go", "lib/app.spec.ts", "spec/app_spec.rb",
                                  "src/__tests__/x.js", "Src/Foo.Tests/FooTests.cs", "src/RouterSpec.scala",
                                  "conftest.py"])
def test_test_paths_are_recognised(path: str) -> None:
    assert penalties.is_test_path(path)


@pytest.mark.parametrize("path", ["src/app.py", "lib/testing_utils_are_not_here/app.py", "src/contest.py",
                                  "src/attestation.go", "src/latest/x.ts"])
def test_implementation_paths_are_not_tests(path: str) -> None:
    assert not penalties.is_test_path(path)


def test_a_test_file_ranks_below_the_implementation() -> None:
    test = cand(1, 1.0, "tests/test_retry.py", name="test_retry")
    impl = cand(2, 0.8, "src/retry.py", name="retry")
    out = rerank([test, impl], classify(analyse("retry with backoff")), RankSettings())
    assert ids(out) == [2, 1]
    assert out[1].contributions["test_penalty"] == pytest.approx(RankSettings().test_penalty)


def test_a_query_about_tests_keeps_tests_first() -> None:
    test = cand(1, 1.0, "tests/test_retry.py")
    impl = cand(2, 0.8, "src/retry.py")
    assert ids(rerank([test, impl], classify(analyse("tests of retry")), RankSettings())) == [1, 2]


def test_class_and_its_method_show_once() -> None:
    cls = cand(1, 1.0, start=1, end=40, kind="class", name="Router")
    method = cand(2, 0.9, start=10, end=20, kind="method", name="route", qname="Router.route")
    other = cand(3, 0.5, "src/other.py")
    out = rerank([cls, method, other], classify(analyse("router route")), RankSettings())
    assert ids(out) == [1, 3]
    assert method.contributions["contained"] == 0.0
    # a method ranked above its class keeps its place; the class (not inside it) stays too
    out = rerank([cand(2, 1.0, start=10, end=20), cand(1, 0.9, start=1, end=40)], classify(analyse("x")), RankSettings())
    assert ids(out) == [2, 1]
    kept = rerank([cls, method], classify(analyse("router")), RankSettings(drop_contained=False))
    assert ids(kept) == [1, 2]


def test_same_span_shows_once() -> None:
    out = places.apply([cand(1, 1.0), cand(2, 0.9)], classify(analyse("x")), RankSettings(drop_contained=False))
    assert ids(out) == [1]


def test_split_definition_is_represented_by_its_head_first() -> None:
    tail = cand(2, 1.0, start=201, end=400, kind="class", name="Big", part=2, parts=3)
    other_tail = cand(3, 0.9, start=401, end=500, kind="class", name="Big", part=3, parts=3)
    head = cand(1, 0.0, start=1, end=200, kind="class", name="Big", part=1, parts=3)
    rival = cand(4, 0.8, "src/other.py")
    heads = {places.split_key(head): head}
    out = rerank([tail, other_tail, rival], classify(analyse("big class")), RankSettings(), heads)
    assert ids(out) == [1, 4]  # the head, at the tail's rank; the other part once only
    assert out[0].contributions.get("split_head") == 1.0
    no_head = rerank([cand(2, 1.0, start=201, end=400, kind="class", name="Big", part=2, parts=3)],
                     classify(analyse("big")), RankSettings(split_head=False), heads)
    assert ids(no_head) == [2]


def test_path_boost_lifts_files_named_after_the_query() -> None:
    settings = RankSettings(path_boost=1.0)
    plain = cand(1, 1.0, "src/util.py", name="helper")
    pathy = cand(2, 0.5, "src/retry/request.py", start=40, end=50, name="run")
    plural = cand(3, 0.5, "src/dependencies.py", name="run")
    boosts.apply([plain, pathy, plural], classify(analyse("retry a request")), settings)
    assert plain.score == 1.0 and "path_boost" not in plain.contributions
    assert pathy.score == pytest.approx(0.5 + 1.0 * 1.0 * 1.0)  # both keywords: retry (dir), request (stem)
    boosts.apply([plural], classify(analyse("dependency injection")), settings)
    assert plural.score == pytest.approx(0.5 + 0.5 * 0.5 / 0.5 * 0.5)  # "dependency" ~ "dependencies": 1 of 2
    symbol = cand(4, 0.5, "src/retry.py")
    boosts.apply([symbol], classify(analyse("retry")), settings)
    assert symbol.score == 0.5  # symbol queries: the name decides, not the path


def test_definition_boost_for_identifiers_inside_a_sentence() -> None:
    settings = RankSettings(definition_boost=1.0)
    defn = cand(1, 0.4, name="StateManager", kind="class")
    user = cand(2, 1.0, start=20, end=30, name="load")
    boosts.apply([defn, user], classify(analyse("how does StateManager persist state")), settings)
    assert defn.score == pytest.approx(1.4) and user.score == 1.0


def test_capitalised_words_of_a_sentence_count_as_names() -> None:
    query = classify(analyse("Deferred and await for async result computation"))
    assert "Deferred" in query.capitalised and "And" not in query.capitalised
    defn = cand(1, 0.6, "src/Deferred.kt", name="Deferred", kind="interface")
    other = cand(2, 1.0, "src/Await.kt", start=20, end=30, name="awaitAll")
    assert ids(rerank([other, defn], query, RankSettings())) == [1, 2]
    defn, other = cand(1, 0.4, name="Deferred"), cand(2, 1.0, start=20, end=30, name="awaitAll")
    boosts.apply([defn, other], query, RankSettings(definition_capitalised=False))
    assert defn.score == 0.4  # only identifier-shaped words without the setting


def test_file_evidence_lifts_the_best_chunk_of_a_file_with_several_matches() -> None:
    lone = cand(1, 1.0, "src/lone.py")
    a, b, c = (cand(i, score, "src/many.py", start=10 * i, end=10 * i + 5) for i, score in ((2, 0.9), (3, 0.85), (4, 0.8)))
    weak = cand(5, 0.1, "src/weak.py")
    files.apply([lone, a, b, c, weak], classify(analyse("x")), RankSettings(file_evidence=0.5))
    # evidence, scores rescaled between 0.1 and 1.0: lone 1.0; many 0.889 + 0.833 + 0.778 = 2.5 (the most)
    assert a.score == pytest.approx(0.9 + 0.5 * 1.0) and a.score > lone.score
    assert lone.score == pytest.approx(1.0 + 0.5 * 1.0 / 2.5)
    assert (b.score, c.score, weak.score) == (0.85, 0.8, 0.1)  # only a file's best chunk represents it
    assert "file_evidence" in a.contributions


def test_file_evidence_counts_only_the_best_candidates() -> None:
    best = cand(1, 1.0, "src/best.py")
    crowd = [cand(i, 0.2, "src/big.py", start=10 * i, end=10 * i + 5) for i in range(2, 40)]
    floor = cand(99, 0.1, "src/floor.py")
    files.apply([best, *crowd, floor], classify(analyse("x")), RankSettings(file_evidence=0.5, file_evidence_top=5))
    assert best.score > crowd[0].score  # 38 weak chunks of one file do not outweigh one strong match


def test_diversity_decays_extra_results_of_one_file() -> None:
    same = [cand(i, 1.0 - i / 100, "src/a.py", start=i * 10, end=i * 10 + 5) for i in range(1, 5)]
    other = cand(9, 0.6, "src/b.py")
    out = diversity.apply(same + [other], classify(analyse("x")), RankSettings(max_per_file=2, file_decay=0.5))
    assert ids(out) == [1, 2, 9, 3, 4]
    assert out[3].contributions["diversity"] == pytest.approx(0.5)
    strong = cand(9, 0.4, "src/b.py")
    out = diversity.apply([*(cand(i, 1.0 - i / 100, "src/a.py", start=i * 10, end=i * 10 + 5) for i in range(1, 5)),
                           strong], classify(analyse("x")), RankSettings(max_per_file=2, file_decay=0.5))
    assert ids(out) == [1, 2, 3, 9, 4]  # 0.97 · 0.5 beats 0.4; 0.96 · 0.25 does not
    assert ids(diversity.apply(same + [other], classify(analyse("x")), RankSettings(max_per_file=0))) == [1, 2, 3, 4, 9]


def test_diversity_looks_past_a_crowded_file() -> None:
    # 20 chunks of one file above another file's only match: after the first, each of them is
    # halved at least once, so the other file comes second however many chunks stand before it.
    crowd = [cand(i, 1.0 - i / 1000, "src/a.py", start=i * 10, end=i * 10 + 5) for i in range(1, 21)]
    other = cand(99, 0.6, "src/b.py")
    out = diversity.apply(crowd + [other], classify(analyse("x")), RankSettings(max_per_file=1, file_decay=0.5))
    assert ids(out)[:3] == [1, 99, 2]
    assert len(out) == 21 and out[1].contributions.get("diversity") is None


def test_pinned_exact_name_stays_first() -> None:
    test = cand(1, 1.0, "tests/test_x.py")
    defn = cand(2, 0.1, "src/x.py")
    defn.pinned = True
    assert ids(rerank([test, defn], classify(analyse("parseConfig")), RankSettings())) == [2, 1]


def test_settings_from_overrides() -> None:
    s = settings_from({"test_penalty": 0.5, "lexical.k1": 1.5, "semantic_weights": [1, 1]})
    assert s.test_penalty == 0.5 and s.lexical.k1 == 1.5 and s.semantic_weights == (1, 1)
    assert settings_from(None) == RankSettings()
    with pytest.raises(ConfigError):
        settings_from({"no_such_rule": 1})
    with pytest.raises(ConfigError):
        settings_from({"lexical.nope": 1})


def _symbol(query: str, cands: list[Candidate]) -> list[int]:
    return ids(rerank(cands, classify(analyse(query)), RankSettings()))


def test_symbol_query_puts_the_same_case_definition_before_a_lower_case_namesake() -> None:
    fn = cand(1, 9.0, "src/flow/Builders.kt", name="flow", kind="function")
    iface = cand(2, 1.0, "src/flow/Flow.kt", name="Flow", kind="interface")
    assert _symbol("Flow", [fn, iface]) == [2, 1]
    assert iface.contributions["definition_tier"] > fn.contributions["definition_tier"]


def test_symbol_query_prefers_the_file_named_after_it_and_the_least_nested() -> None:
    other = cand(1, 5.0, "tokio/src/sync/mpsc/chan.rs", name="Semaphore", kind="interface")
    named = cand(2, 1.0, "tokio/src/sync/semaphore.rs", name="Semaphore", kind="class")
    assert _symbol("Semaphore", [other, named]) == [2, 1]
    deep = cand(3, 5.0, "src/Http/Client/Request.php", name="Request", kind="class")
    shallow = cand(4, 4.0, "src/Http/Request.php", name="Request", kind="class")
    assert _symbol("Request", [deep, shallow]) == [4, 3]


def test_symbol_query_matches_dotted_module_names_and_members() -> None:
    # Elixir: `defmodule Plug.Conn` is named `Plug.Conn`; its functions are `Plug.Conn.halt`.
    helper = cand(1, 9.0, "lib/plug/test.ex", name="conn", qname="Plug.Test.conn", kind="method")
    member = cand(2, 3.0, "lib/plug/conn.ex", 500, 510, name="halt", qname="Plug.Conn.halt", kind="method")
    module = cand(3, 1.0, "lib/plug/conn.ex", 1, 200, name="Plug.Conn", kind="class")
    assert _symbol("Conn", [helper, member, module])[:2] == [3, 2]


def test_qualified_symbol_query_needs_the_qualifier() -> None:
    method = cand(1, 9.0, "lib/sinatra/base.rb", 2165, 2167, name="helpers", qname="Sinatra.helpers", kind="method")
    module = cand(2, 1.0, "lib/sinatra/base.rb", 286, 485, name="Helpers", qname="Sinatra.Helpers", kind="class")
    elsewhere = cand(3, 5.0, "lib/other.rb", name="Helpers", qname="Other.Helpers", kind="class")
    assert _symbol("Sinatra::Helpers", [method, module, elsewhere])[0] == 2


def test_symbol_tiers_put_a_test_namesake_below_and_leave_word_queries_alone() -> None:
    test = cand(1, 9.0, "tests/test_config.py", name="parse_config")
    impl = cand(2, 1.0, "src/config.py", name="parse_config")
    assert _symbol("parseConfig", [test, impl]) == [2, 1]  # case/underscore variant still matches
    words = rerank([cand(3, 9.0, "src/a.py", name="parse_config"), cand(4, 1.0, "src/b.py", name="x")],
                   classify(analyse("parse the config file")), RankSettings())
    assert all(c.tier == 0 for c in words)


def test_cpp_specialisations_match_their_template_name() -> None:
    from mnemo.search.rank.definitions import name_level

    spec = cand(1, 1.0, "include/fmt/ranges.h", name="formatter<std::tuple<T...>>", kind="class")
    assert name_level(spec, ["formatter"]) == 3


def test_order_keeps_pinned_definitions_beyond_the_candidate_cut() -> None:
    from mnemo.search import order
    from mnemo.search.lexical import EXACT_NAME_BONUS

    plan = analyse("Helpers")
    # The exact name sits at lexical rank 3 with a weak text score; the vector list fills the cut.
    lexical = [(1, 9.0), (2, 8.0), (50, EXACT_NAME_BONUS + 0.1)]
    vector = [(i, 0.9 - i / 1000) for i in range(3, 13)]
    rows = {i: (cand(i, 0.0, f"src/f{i}.rb", name=f"n{i}"), "") for i in range(1, 13)}
    rows[50] = (cand(50, 0.0, "lib/helpers.rb", name="Helpers", kind="module"), "")
    ranked, _, _ = order(lexical, vector, plan, classify(plan), RankSettings(), "hybrid", 5,
                         lambda got: {i: rows[i] for i in got if i in rows}, lambda tails: [])
    assert ranked[0].chunk_id == 50 and ranked[0].pinned


def test_an_older_versioned_copy_ranks_below_the_newest() -> None:
    old = cand(1, 1.0, "packages/zod/src/v3/types.ts", name="ZodObject", kind="class")
    new = cand(2, 0.8, "packages/zod/src/v4/classic/schemas.ts", name="ZodObject", kind="interface")
    assert ids(rerank([old, new], classify(analyse("object schema with known keys")), RankSettings())) == [2, 1]
    assert old.contributions["old_version_penalty"] == pytest.approx(RankSettings().old_version_penalty)
    old, new = cand(1, 1.0, "zod/src/v3/types.ts", name="ZodObject"), cand(2, 0.8, "zod/src/v4/schemas.ts", name="ZodObject")
    assert _symbol("ZodObject", [old, new]) == [2, 1]
    # The query names the version: no penalty; a lone versioned path: nothing to compare with.
    old = cand(1, 1.0, "zod/src/v3/types.ts")
    rerank([old, cand(2, 0.8, "zod/src/v4/a.ts")], classify(analyse("v3 object schema")), RankSettings())
    assert "old_version_penalty" not in old.contributions
    lone = cand(3, 1.0, "api/v1/routes.py")
    rerank([lone, cand(4, 0.5, "api/app.py")], classify(analyse("routes")), RankSettings())
    assert "old_version_penalty" not in lone.contributions


def test_a_member_named_in_the_query_is_not_hidden_by_its_named_class() -> None:
    # "Session load": the method matches better, but the class named Session would take the name
    # boost alone, overtake it and hide it (the method lies inside the class: rank.places).
    def two() -> list[Candidate]:
        return [cand(1, 0.9, "lib/session.rb", 6, 34, name="Session", qname="Rack.Session", kind="class"),
                cand(2, 1.0, "lib/session.rb", 17, 21, name="load", qname="Rack.Session.load", kind="method")]

    query = classify(analyse("Session load"))
    assert ids(rerank(two(), query, RankSettings(file_evidence=0.0))) == [2, 1]
    assert ids(rerank(two(), query, RankSettings(file_evidence=0.0, member_boost=0.0))) == [1]


def test_a_re_export_is_where_a_name_defined_elsewhere_enters_the_code_base() -> None:
    # axum: `IntoResponse` is defined in axum-core; axum's response/mod.rs re-exports it
    # (`pub use axum_core::response::{IntoResponse, ...}`) and many impls have `into_response`.
    impl = cand(1, 9.0, "axum/src/form.rs", 111, 130, name="into_response", qname="Form.into_response", kind="method")
    user = cand(2, 5.0, "axum/src/json.rs", 1, 9, name="json.rs", kind="module")  # uses it, lists nothing
    reexport = cand(3, 1.0, "axum/src/response/mod.rs", 1, 30, name="mod.rs", kind="module")
    reexport.names = ("Json", "IntoResponse", "Response")
    assert _symbol("IntoResponse", [impl, user, reexport])[0] == 3
    # ...but a definition of the name in the code base comes before any re-export of it
    struct = cand(4, 0.5, "axum/src/response/into.rs", 1, 40, name="IntoResponse", kind="interface")
    assert _symbol("IntoResponse", [impl, user, reexport, struct])[:2] == [4, 3]
    # a lower-case namesake listed in a file-level chunk is no re-export of the type
    lower = cand(5, 9.0, "axum/src/util.rs", 1, 9, name="util.rs", kind="module")
    lower.names = ("into_response",)
    assert lower.chunk_id not in _symbol("IntoResponse", [lower, reexport])[:1]


def test_a_dollar_sigil_name_is_the_same_name_just_below_the_exact_spelling() -> None:
    core = cand(1, 1.0, "zod/src/v4/core/schemas.ts", 174, 181, name="$ZodType", kind="interface")
    classic = cand(2, 2.0, "zod/src/v4/classic/schemas.ts", 20, 151, name="ZodType", kind="interface")
    old = cand(3, 9.0, "zod/src/v3/types.ts", 158, 357, name="ZodType", kind="class")
    fn = cand(4, 9.0, "zod/src/v4/core/util.ts", 1, 5, name="zodType", kind="function")
    assert _symbol("$ZodType", [classic, old, fn, core])[0] == 1  # the `$` spelling finds its interface first
    assert _symbol("ZodType", [old, fn, core, classic])[:2] == [2, 1]  # the public one, then its core


def test_a_constructor_ranks_below_its_class_and_a_specialisation_below_the_primary_template() -> None:
    ctor = cand(1, 9.0, "Dapper/SqlMapper.cs", 202, 259, name="SqlMapper", qname="SqlMapper.SqlMapper", kind="method")
    cls = cand(2, 1.0, "Dapper/SqlMapper.cs", 30, 229, name="SqlMapper", kind="class", part=1, parts=21)
    assert _symbol("SqlMapper", [ctor, cls]) == [2, 1]
    primary = cand(3, 1.0, "include/fmt/base.h", 619, 623, name="formatter", kind="class")
    spec = cand(4, 5.0, "include/fmt/std.h", 703, 712, name="formatter<std::atomic<T>, Char>", kind="class")
    # a specialisation's constructor: `formatter<R, Char, enable_if_t<X>>.formatter`
    spec_ctor = cand(5, 9.0, "include/fmt/ranges.h", 541, 541, name="formatter",
                     qname="formatter<R, Char, enable_if_t<is_map<R>::value>>.formatter", kind="method")
    assert _symbol("formatter", [spec_ctor, spec, primary]) == [3, 4, 5]


def test_a_c_header_ranks_below_its_implementation_file() -> None:
    header = cand(1, 1.0, "src/idna.h", 1, 31, name="idna.h", kind="module")
    impl = cand(2, 0.9, "src/idna.c", 318, 367, name="uv__idna_toascii")
    out = rerank([header, impl], classify(analyse("IDNA domain name encoding")), RankSettings())
    assert ids(out) == [2, 1] and header.contributions["header_penalty"] == pytest.approx(0.8)
    # without the .c file among the candidates, or for a C++ header beside its .cc, nothing changes
    alone = cand(1, 1.0, "src/idna.h", 1, 31, name="idna.h", kind="module")
    assert "header_penalty" not in rerank([alone], classify(analyse("IDNA")), RankSettings())[0].contributions
    cpp = cand(3, 1.0, "absl/hash/hash.h", 1, 40, name="hash.h", kind="module")
    rerank([cpp, cand(4, 0.9, "absl/hash/hash.cc")], classify(analyse("hashing framework")), RankSettings())
    assert "header_penalty" not in cpp.contributions


def test_a_windows_port_ranks_below_the_posix_code_unless_the_query_names_windows() -> None:
    win = cand(1, 1.0, "src/win/tcp.c", name="uv_tcp_connect")
    unix = cand(2, 0.9, "src/unix/tcp.c", name="uv__tcp_connect")
    assert ids(rerank([win, unix], classify(analyse("TCP connect and accept")), RankSettings())) == [2, 1]
    win, unix = cand(1, 1.0, "src/win/tcp.c"), cand(2, 0.9, "src/unix/tcp.c")
    assert ids(rerank([win, unix], classify(analyse("TCP connect on Windows")), RankSettings())) == [1, 2]


def test_a_constructor_in_the_file_named_after_its_class_beats_the_class_in_another_file() -> None:
    # Newtonsoft: `partial class JToken` has no chunk in JToken.cs (an `#if` in its base list), so
    # its constructor there locates the main file better than the partial class in JToken.Async.cs.
    partial = cand(1, 9.0, "Src/Linq/JToken.Async.cs", 37, 205, name="JToken", kind="class")
    ctor = cand(2, 1.0, "Src/Linq/JToken.cs", 255, 257, name="JToken", qname="JToken.JToken", kind="method")
    assert _symbol("JToken", [partial, ctor]) == [2, 1]


@pytest.mark.parametrize("path", ["src/win/tcp.c", "src/unix/aix.c", "src/unix/os390-syscalls.c", "src/unix/sunos.c",
                                  "lib/win32.c"])
def test_platform_ports_are_recognised(path: str) -> None:
    assert penalties.PORT_PATH.search(path)


@pytest.mark.parametrize("path", ["src/unix/linux.c", "src/unix/bsd-ifaddrs.c", "lib/window.c", "src/winapi.h",
                                  "src/unix/darwin.c"])
def test_mainstream_platform_code_is_no_port(path: str) -> None:
    assert not penalties.PORT_PATH.search(path)


def test_a_name_reopened_in_many_files_shares_its_definition_boost() -> None:
    # rack: every file opens `module Rack`; "Rack spec conformance validator" is about lint.rb
    plain = RankSettings(path_boost=0.0, file_evidence=0.0, max_per_file=0)
    modules = [cand(i, 1.0, f"lib/rack/{name}.rb", 1, 60, name="Rack", kind="class")
               for i, name in enumerate(["constants", "version", "builder", "headers"], start=1)]
    lint = cand(9, 1.4, "lib/rack/lint.rb", 15, 17, name="call", qname="Rack.Lint.call", kind="method")
    out = rerank([*modules, lint], classify(analyse("Rack spec conformance validator")), plain)
    assert out[0].chunk_id == 9
    # + definition_boost · best · 2 / 4 files
    assert modules[0].contributions["definition_boost"] == pytest.approx(1.0 + 0.5 * 1.4 * 2 / 4)  # unshared: 1.7 > 1.4
    # defined in two files (an interface and its implementation): the whole boost each
    pair = [cand(1, 1.0, "src/a.rb", name="Rack", kind="class"), cand(2, 1.0, "src/b.rb", name="Rack", kind="class")]
    rerank(pair, classify(analyse("Rack spec")), plain)
    assert pair[0].contributions["definition_boost"] == pytest.approx(1.5)


def _order_with_wrappers(mode: str, query: str = "ZodError") -> tuple[list[int], list[list[int]]]:
    from mnemo.search import order

    plan = analyse(query)
    rows = {1: (cand(1, 0.0, "classic/errors.ts", name="ZodError", kind="class"), ""),
            2: (cand(2, 0.0, "core/errors.ts", name="$ZodError", kind="class"), "")}
    asked: list[list[int]] = []

    def fetch_wrappers(got: list[int]) -> set[int]:
        asked.append(sorted(got))
        return {1}

    ranked, _, _ = order([(1, 9.0), (2, 8.0)], [(1, 0.9), (2, 0.8)], plan, classify(plan), RankSettings(), mode, 10,
                         lambda got: {i: rows[i] for i in got if i in rows}, lambda tails: [], fetch_wrappers)
    return ids(ranked), asked


def test_a_wrapper_of_a_same_named_definition_ranks_below_it() -> None:
    # symbol query: classic's exact `ZodError` (tier 3) wraps core's `$ZodError` (tier 2.75)
    assert _order_with_wrappers("hybrid") == ([2, 1], [[1, 2]])
    # a query in words: the score factor alone
    got, _ = _order_with_wrappers("hybrid", "error with the issues of a parse")
    assert got == [2, 1]
    # lexical mode never asks the graph, and the exact name keeps its place
    assert _order_with_wrappers("lexical") == ([1, 2], [])
    c = cand(1, 1.0, name="ZodError")
    c.wraps = True
    from mnemo.search.rank import wrappers

    wrappers.apply([c], classify(analyse("x y")), RankSettings(wrapper_penalty=1.0))
    assert c.score == 1.0 and "wrapper_penalty" not in c.contributions
    assert wrappers.loose_name("$Zod_Error") == "zoderror"


def test_a_two_letter_word_matches_a_file_of_that_name_only() -> None:
    assert boosts.keywords("vi mock and spy utilities v4") == {"vi", "mock", "spy", "utilities"}
    vi, video = cand(1, 0.8, "src/integrations/vi.ts"), cand(2, 1.0, "src/video/player.ts")
    out = rerank([video, vi], classify(analyse("vi mock utilities")), RankSettings())
    assert ids(out) == [1, 2] and "path_boost" in vi.contributions and "path_boost" not in video.contributions
