"""Source files without a grammar: line windows that cover every line, bounded, not overlapping."""

from __future__ import annotations

import pytest

from mnemo.chunk import parse_source
from mnemo.line_windows import WINDOW_LINES, window_chunks


def _spans(source: str, window_lines: int = WINDOW_LINES) -> list[tuple[int, int]]:
    return [(c.start_line, c.end_line) for c in window_chunks(source.encode(), "perl", window_lines=window_lines).chunks]


def test_a_short_file_is_one_window_of_kind_module() -> None:
    source = "use strict;\n\nsub greet {\n    print \"hi\\n\";\n}\n"

    parsed = parse_source(source.encode(), "perl", path="lib/Greeter.pm")  # routed here

    assert parsed.errors == [] and parsed.imports == [] and parsed.module_calls == []
    [chunk] = parsed.chunks
    assert (chunk.kind, chunk.name, chunk.qualified_name) == ("module", "Greeter.pm", "Greeter.pm")
    assert (chunk.start_line, chunk.end_line, chunk.part, chunk.parts) == (1, 5, 1, 1)
    assert chunk.source == source.rstrip("\n")
    assert chunk.signature == "use strict;"
    assert chunk.loc == 4


def test_windows_are_bounded_consecutive_and_cover_every_line() -> None:
    lines = [f"my $x{i} = {i};" for i in range(1, 131)]  # no blank line: cut at the bound

    assert _spans("\n".join(lines) + "\n") == [(1, 60), (61, 120), (121, 130)]
    chunks = window_chunks(("\n".join(lines) + "\n").encode(), "perl").chunks
    assert "\n".join(c.source for c in chunks) == "\n".join(lines)
    assert {(c.name, c.part, c.parts) for c in chunks} == {("module", 1, 1)}  # windows, not parts of one


def test_a_window_ends_at_a_blank_line_in_its_second_half() -> None:
    block = [f"line {i}" for i in range(1, 8)]
    source = "\n".join(block + [""] + block + [""] + block) + "\n"  # blank lines 8 and 16

    assert _spans(source, window_lines=10) == [(1, 8), (9, 16), (17, 23)]
    # a blank line in the first half does not cut the window short
    assert _spans("a\n\nb\nc\nd\ne\nf\ng\n", window_lines=4) == [(1, 4), (5, 8)]


def test_blank_only_windows_and_files_give_no_chunks() -> None:
    assert window_chunks(b"", "perl").chunks == []
    assert window_chunks(b"\n \n\t\n", "perl").chunks == []
    assert _spans("x\n" + "\n" * 10 + "y\n", window_lines=4) == [(1, 4), (9, 12)]  # lines 5-8 are blank


def test_undecodable_bytes_are_replaced_not_fatal() -> None:
    [chunk] = window_chunks(b"print 'caf\xe9';\n", "perl").chunks

    assert chunk.source == "print 'caf\ufffd';"


def test_window_size_must_be_usable() -> None:
    with pytest.raises(ValueError, match="window_lines"):
        window_chunks(b"x\n", "perl", window_lines=1)
