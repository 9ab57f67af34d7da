"""Source → chunks for languages without a grammar: the file cut into windows of lines.

A file in a source language Mnemo has no tree-sitter grammar for (Perl, Objective-C, Dart, ...;
`LINE_WINDOW_LANGUAGES` in the registry) still deserves to be found by lexical and vector
search. Without a parse tree there are no definitions, calls or imports, so the file becomes
consecutive windows of at most `WINDOW_LINES` lines: file-level chunks, kind `module`, named
after the file like the module chunks of parsed languages (mnemo.module_chunks). Each window is
a chunk of its own, not a part of one definition (`part` stays 1), so search shows each window
that matches rather than folding them into one result.

Windows do not overlap: every line is in exactly one chunk, so a search hit is never reported
twice and the index does not grow beyond the file. A window prefers to end at a blank line in
its second half, so paragraphs of code (a function, a block of constants) tend to stay whole.
"""

from __future__ import annotations

import posixpath

from mnemo.extract import count_loc
from mnemo.models import MODULE_KIND, Chunk, ParsedFile

WINDOW_LINES = 60
"""Longest window. 60 lines of typical code is about the 256 tokens the default model reads."""


def window_chunks(
    source: bytes, language: str, *, path: str | None = None, window_lines: int = WINDOW_LINES
) -> ParsedFile:
    """The file as consecutive, non-overlapping line windows covering every line. Pure: no I/O.

    Chunks are named after `path`'s file name (`module` without a path).

    A file of only whitespace gives no chunks. Undecodable bytes are replaced, never fatal.
    """
    if window_lines < 2:
        raise ValueError(f"window_lines must be at least 2, got {window_lines}")
    text = source.decode("utf-8", errors="replace")
    if not text.strip():
        return ParsedFile(language=language)
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    name = posixpath.basename(path) if path else MODULE_KIND
    chunks: list[Chunk] = []
    start = 0
    while start < len(lines):
        end = _window_end(lines, start, window_lines)
        piece = "\n".join(lines[start:end])
        if piece.strip():
            chunks.append(_chunk(piece, start + 1, end, name))
        start = end
    return ParsedFile(language=language, chunks=chunks)


def _window_end(lines: list[str], start: int, window_lines: int) -> int:
    """Exclusive end index of the window that starts at `start`: after its last blank line in
    the second half of the window, else after `window_lines` lines."""
    limit = start + window_lines
    if limit >= len(lines):
        return len(lines)
    for end in range(limit, start + max(1, window_lines // 2), -1):
        if not lines[end - 1].strip():
            return end  # the blank line closes this window
    return limit


def _chunk(piece: str, start_line: int, end_line: int, name: str) -> Chunk:
    return Chunk(
        kind=MODULE_KIND,
        name=name,
        qualified_name=name,
        start_line=start_line,
        end_line=end_line,
        source=piece,
        signature=_first_code_line(piece),
        loc=count_loc(piece),
    )


def _first_code_line(piece: str) -> str:
    """The window's first non-blank line, as a one-line summary for result lists."""
    for line in piece.splitlines():
        if line.strip():
            return " ".join(line.split())[:300]
    return ""
