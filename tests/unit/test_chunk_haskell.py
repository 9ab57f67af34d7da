"""Haskell definitions from a fixture file: functions with signatures, data types, classes."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_haskell_functions_types_and_classes() -> None:
    parsed = parse_fixture("Parser.hs", "haskell")

    assert summary(parsed) == [
        ("class", "Value", 12, 16, False),  # data
        ("class", "Parser", 18, 18, False),  # newtype
        ("type", "Pair", 20, 20, False),
        ("interface", "FromJSON", 23, 24, False),  # type class
        ("function", "parseJSON", 27, 27, False),  # instance equations keep the method's name
        ("function", "parseJSON", 28, 28, False),
        ("function", "decode", 31, 36, False),  # its type signature on line 31 joins the span
        ("function", "toMap", 38, 39, False),
    ]
    decode = chunk(parsed, "decode")
    assert decode.docstring == "Decodes a value, if it parses."
    assert decode.complexity == 3  # two case alternatives
    assert calls(parsed, "decode") == [("runParser", None), ("parseJSON", None), ("findWithDefault", "M"), ("toMap", None)]
    assert chunk(parsed, "FromJSON").docstring == "Types that can be read from JSON."
    assert [i.to_json() for i in parsed.imports] == [
        {"source": "Data.Map", "names": [{"name": "*", "alias": "M"}], "line": 7},
        {"source": "Data.Text", "names": [], "line": 8},
        {"source": "Control.Monad", "names": [], "line": 9},
    ]
