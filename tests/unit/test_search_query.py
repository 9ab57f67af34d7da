"""Query analysis: identifier splitting, identifier detection, terms and their tsquery text."""

from __future__ import annotations

import pytest

from mnemo.search.query import MAX_QUERY_CHARS, MAX_TERMS, analyse, clean, code_words, looks_like_identifier, split_identifier


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("parseConfig", ["parse", "Config"]),
        ("ParseConfig", ["Parse", "Config"]),
        ("user_id", ["user", "id"]),
        ("__init__", ["init"]),
        ("HTTPServer2", ["HTTP", "Server", "2"]),
        ("XMLHttpRequest", ["XML", "Http", "Request"]),
        ("getHTTPResponseCode", ["get", "HTTP", "Response", "Code"]),
        ("utf8", ["utf", "8"]),
        ("base64Encode", ["base", "64", "Encode"]),
        ("MAX_RETRIES", ["MAX", "RETRIES"]),
        ("retry", ["retry"]),
        ("ÉtéBon", ["Été", "Bon"]),
        ("", []),
    ],
)
def test_split_identifier(word: str, parts: list[str]) -> None:
    assert split_identifier(word) == parts


def test_code_words_keeps_whole_words_and_appends_parts_of_split_ones() -> None:
    assert code_words("self.parse_config(x) parseConfig") == "self parse config x parseConfig parse Config"
    assert code_words("plain words only") == "plain words only"


@pytest.mark.parametrize(
    "text", ["parseConfig", "user_id", "QuerySet.filter", "Foo::bar", "save()", "retry", "$emit", "a/b"]
)
def test_identifier_queries(text: str) -> None:
    assert looks_like_identifier(text)


@pytest.mark.parametrize("text", ["retry a request", "parse config", "", "   ", "what?", "x" * 500])
def test_word_queries(text: str) -> None:
    assert not looks_like_identifier(text)


def test_words_query_drops_english_filler_but_keeps_code_words() -> None:
    plan = analyse("Return the number of items in the queryset that is not none")
    assert not plan.is_identifier
    assert [t.text for t in plan.terms] == ["Return", "number", "items", "queryset", "not", "none"]


def test_identifier_query_keeps_every_token_and_the_name_to_match() -> None:
    plan = analyse("QuerySet.filter()")
    assert plan.identifier == "QuerySet.filter"
    assert [t.tsquery() for t in plan.terms] == ["('queryset' | ('query' <-> 'set'))", "'filter'"]
    assert analyse("the").terms[0].whole == "the"  # a lone word is a name, not filler


def test_snake_case_term_is_a_phrase_of_its_parts() -> None:
    (term,) = analyse("user_id").terms
    assert term.whole is None
    assert term.tsquery() == "('user' <-> 'id')"
    assert term.lexemes == ("user", "id")


def test_duplicate_terms_are_dropped_and_terms_are_capped() -> None:
    assert len(analyse("retry retry Retry backoff").terms) == 2
    many = " ".join(f"word{i}x" for i in range(500))
    assert len(analyse(many).terms) == MAX_TERMS


@pytest.mark.parametrize(
    "text",
    [
        "it's \"quoted\" 'single' \\ backslash",
        "'; DROP TABLE chunks; --",
        "a & b | !c <-> (d) :* 'e':A",
        "regex .* [a-z]+ ^$ (?:x) \\d{3}",
        "naïve café 東京 Ünïcödé λ",
        "\x00nul\x01ctl",
    ],
)
def test_hostile_text_becomes_quoted_alphanumeric_lexemes(text: str) -> None:
    plan = analyse(text)
    assert "\x00" not in plan.text
    for term in plan.terms:
        for lexeme in term.lexemes:
            assert lexeme.isalnum(), lexeme
        # Every operand is a quoted lexeme; only our own operators appear outside quotes.
        outside = "".join(term.tsquery().split("'")[::2])
        assert set(outside) <= set("()|<-> ")


def test_clean_limits_length_and_strips_control_characters() -> None:
    assert clean("a\x00b\tc\n d") == "a b c d"
    assert len(clean("x " * 20_000)) <= MAX_QUERY_CHARS


def test_highlight_words_include_parts() -> None:
    assert {"parseconfig", "parse", "config"} <= analyse("parseConfig").highlight_words()
