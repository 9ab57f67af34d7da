"""Swift definitions from a fixture file: classes, structs, enums, protocols, extensions."""

from __future__ import annotations

from tests.unit.language_fixtures import calls, chunk, parse_fixture, summary


def test_swift_types_initialisers_and_extension_members() -> None:
    parsed = parse_fixture("Session.swift", "swift")

    assert summary(parsed) == [
        ("class", "Session", 5, 24, True),
        ("method", "Session.init", 8, 11, True),
        ("method", "Session.request", 14, 19, True),
        ("method", "Session.perform", 21, 23, False),
        ("interface", "RequestInterceptor", 26, 28, False),
        ("class", "HTTPHeader", 30, 32, False),  # struct
        ("enum", "HTTPMethod", 34, 36, False),
        ("method", "Session.cancelAll", 39, 39, False),  # in `extension Session`
        ("type", "Parameters", 42, 42, False),
        ("function", "encode", 44, 46, False),
    ]
    session = chunk(parsed, "Session")
    assert session.docstring == "Sends requests and decodes responses."
    assert session.bases == ["NSObject", "RequestInterceptor"]
    request = chunk(parsed, "Session.request")
    assert request.signature == "public func request(_ url: URL) -> DataRequest"
    assert request.complexity == 2  # guard
    assert calls(parsed, "Session.request") == [("DataRequest", None), ("perform", "self")]
    assert calls(parsed, "Session.init") == [("init", "super")]
    assert chunk(parsed, "Session.cancelAll").parent == "Session"
    assert [i.source for i in parsed.imports] == ["Foundation", "Alamofire"]
