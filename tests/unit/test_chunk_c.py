"""C and C++ definitions from fixture files: names, kinds, line ranges, calls and includes."""

from __future__ import annotations

from mnemo.chunk import parse_source
from mnemo.languages import language_for_path
from tests.unit.language_fixtures import parse_fixture, summary


def test_c_functions_macros_structs_enums_and_typedefs() -> None:
    parsed = parse_fixture("buffer.c", "c")

    assert summary(parsed) == [
        ("function", "MIN", 5, 5, False),
        ("class", "buffer", 8, 11, False),
        ("type", "buffer_t", 13, 13, False),
        ("enum", "color", 15, 15, False),
        ("enum", "mode_t", 17, 17, False),
        ("class", "value", 19, 19, False),
        ("function", "buffer_append", 24, 31, True),
        ("function", "buffer_grow", 33, 38, False),  # static: not exported; the prototype is no chunk
        ("function", "buffer_take", 40, 44, True),  # `char *buffer_take(...)`: a pointer declarator
    ]
    chunks = {c.qualified_name: c for c in parsed.chunks}
    append = chunks["buffer_append"]
    assert append.docstring == "Appends bytes, growing the buffer as needed."
    assert append.signature == "int buffer_append(buffer_t *buf, const char *bytes, size_t n)"
    assert [(c.name, c.qualifier) for c in append.calls] == [("buffer_grow", None), ("memcpy", None), ("MIN", None)]
    assert append.complexity == 3  # if, &&
    assert [(c.name, c.qualifier) for c in chunks["buffer_take"].calls] == [("reset", None)]
    assert chunks["buffer"].docstring == "A growable byte buffer."
    assert [(i.source, i.line) for i in parsed.imports] == [("<stdlib.h>", 1), ("buffer.h", 2)]


def test_cpp_classes_members_out_of_class_methods_and_templates() -> None:
    parsed = parse_fixture("cache.hpp", "cpp")

    assert summary(parsed) == [
        ("class", "Sink", 8, 12, False),
        ("class", "LruCache", 14, 31, False),  # the span starts at its `template <...>` line
        ("method", "LruCache.LruCache", 17, 17, False),
        ("method", "LruCache.Get", 20, 25, False),
        ("class", "Stats", 33, 33, False),
        ("enum", "Policy", 35, 35, False),
        ("type", "Key", 37, 37, False),
        ("method", "Sink.Evict", 39, 41, False),  # `void Sink::Evict(...)` outside the class
        ("function", "Hash", 43, 43, False),  # namespaces do not qualify names
    ]
    chunks = {c.qualified_name: c for c in parsed.chunks}
    cache = chunks["LruCache"]
    assert cache.bases == ["Base", "Sink"]
    assert cache.signature == "template <typename K, typename V> class LruCache : public Base, private Sink"
    assert chunks["Sink"].docstring == "Where evicted entries go."
    assert chunks["LruCache.Get"].docstring == "Returns the cached value or nullptr."
    assert [(c.name, c.qualifier) for c in chunks["LruCache.Get"].calls] == [
        ("find", "index_"),
        ("end", "index_"),
        ("Touch", None),
    ]
    assert chunks["Sink.Evict"].parent == "Sink"
    assert [(c.name, c.qualifier) for c in chunks["Hash"].calls] == [("HashOf", "absl")]
    assert [i.source for i in parsed.imports] == ["<string>", "absl/hash/hash.h"]


def test_h_headers_are_read_as_cpp() -> None:
    source = b"#pragma once\nstruct point { int x; };\nint area(struct point *p);\nstatic inline int twice(int x) { return 2 * x; }\n"

    parsed = parse_source(source, language_for_path("geometry.h"))

    assert parsed.language == "cpp" and parsed.errors == []
    assert summary(parsed) == [("class", "point", 2, 2, False), ("function", "twice", 4, 4, False)]


def test_a_header_whose_include_guard_holds_an_error_keeps_what_parsed() -> None:
    """The include guard wraps the whole file, so it is the only top-level statement: a macro the
    grammar cannot read inside its only class must not fail the file (it is partial instead)."""
    source = (
        b"#ifndef STORE_H_\n#define STORE_H_\n\n#include <string>\n\nnamespace store {\n\n"
        b"class Cache {\n public:\n  STORE_WEIRD int n_;\n};\n\n}  // namespace store\n\n#endif  // STORE_H_\n"
    )

    parsed = parse_source(source, "cpp", path="store.h")

    assert parsed.errors and parsed.errors[0].line == 10
    assert not parsed.failed and summary(parsed) == []  # the class holds the error: module chunks only
    lines = {n for c in parsed.chunks for n in range(c.start_line, c.end_line + 1)}
    assert {n for n, text in enumerate(source.decode().split("\n"), 1) if text.strip()} <= lines
    # only the guard's own name parsing is not enough: garbage inside a guard still fails
    assert parse_source(b"#ifndef G_H\n}}} {{{ ))) (((\n#endif\n", "cpp").failed
