"""Scala definitions from a fixture file: traits, objects, classes, enums, type members, defs."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_scala_traits_companions_and_scala3_enums() -> None:
    parsed = parse_fixture("Codec.scala", "scala")

    assert summary(parsed) == [
        ("interface", "Decoder", 7, 13, False),  # trait
        ("method", "Decoder.map", 10, 12, False),  # its anonymous `new Decoder[B] {...}` stays inside
        ("class", "Decoder", 15, 23, False),  # companion object
        ("type", "Decoder.Result", 16, 16, False),
        ("method", "Decoder.instance", 18, 20, False),
        ("class", "DecodingFailure", 25, 25, False),
        ("class", "Json", 27, 34, False),
        ("method", "Json.noSpaces", 28, 28, False),
        ("method", "Json.isNull", 30, 33, False),
        ("enum", "Color", 36, 38, False),  # an indentation-based body ends at the next line's start
        ("function", "parse", 39, 40, False),
    ]
    assert chunk(parsed, "Decoder").docstring == "Decodes JSON into values."
    assert chunk(parsed, "Decoder").bases == ["Serializable"]
    assert chunk(parsed, "DecodingFailure").bases == ["Exception"]
    assert chunk(parsed, "Json.isNull").complexity == 3  # two case clauses
    assert calls(parsed, "Json.noSpaces") == [("print", "Printer.noSpaces")]
    assert calls(parsed, "parse") == [("parse", "parser")]
