"""A short excerpt of a result's source that shows why it matched.

The excerpt is the window of up to `max_lines` consecutive lines holding the most distinct query
words (matched on whole identifiers and on their camelCase/snake_case parts, case-insensitively);
without any match, the first lines, which hold the signature. Highlights are character ranges in
the excerpt, so the CLI can make them bold and the REST API can hand them to a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mnemo.search.query import split_identifier

MAX_LINE_CHARS = 160
_TOKEN_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Snippet:
    text: str
    start_line: int  # file line number of the excerpt's first line
    highlights: list[tuple[int, int]] = field(default_factory=list)  # [start, end) offsets in text


def _word_spans(line: str, words: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, lexeme) of each query word in `line`: whole words and identifier parts.

    Every span is a query word occurring in the lower-cased line, so a line (or a token) in
    which no word occurs as a substring is skipped before any identifier splitting: that test
    is a few C-level `in` checks, the splitting is four regular expressions per token, and most
    lines of a result match nothing."""
    low = line.lower()
    if not any(w in low for w in words):
        return []
    spans: list[tuple[int, int, str]] = []
    for m in _TOKEN_RE.finditer(line):
        token = m.group(0)
        token_low = token.lower()
        if token_low in words:
            spans.append((m.start(), m.end(), token_low))
            continue
        if not any(w in token_low for w in words):
            continue
        parts = split_identifier(token)
        if len(parts) > 1:
            pos = m.start()
            for part in parts:
                at = line.find(part, pos)
                if at < 0:
                    break
                if part.lower() in words:
                    spans.append((at, at + len(part), part.lower()))
                pos = at + len(part)
    return spans


def make_snippet(source: str, start_line: int, words: frozenset[str], max_lines: int = 3) -> Snippet:
    """The best `max_lines`-line window of `source` (whose first line is `start_line`)."""
    lines = source.splitlines() or [""]
    lines = [ln if len(ln) <= MAX_LINE_CHARS else ln[: MAX_LINE_CHARS - 1] + "…" for ln in lines]
    spans = [_word_spans(ln, words) if words else [] for ln in lines]
    best, best_score = 0, (0, 0)
    if words:
        for i in range(len(lines)):
            window = spans[i : i + max_lines]
            distinct = {w for s in window for _, _, w in s}
            score = (len(distinct), sum(len(s) for s in window))
            if score > best_score:
                best, best_score = i, score
        # Start the window at its first matching line, not at a blank line before it.
        while best < len(lines) - 1 and not spans[best] and best_score[0]:
            best += 1
    chosen = range(best, min(len(lines), best + max_lines))
    indent = _indent_to_drop(lines, chosen)
    text_lines: list[str] = []
    highlights: list[tuple[int, int]] = []
    offset = 0
    for i in chosen:
        line = lines[i][indent:] if i > 0 and lines[i][:indent].strip() == "" else lines[i]
        cut = len(lines[i]) - len(line)
        for s, e, _ in spans[i]:
            if s >= cut:
                highlights.append((offset + s - cut, offset + e - cut))
        text_lines.append(line)
        offset += len(line) + 1
    return Snippet("\n".join(text_lines), start_line + best, highlights)


def _indent_to_drop(lines: list[str], chosen: range) -> int:
    """How many leading spaces to drop from the chosen lines so the excerpt reads on its own.

    A chunk's first line starts at the definition itself (its file indentation is cut off)
    while the following lines keep theirs, so a method's body sits two levels right of its
    `def`. With the first line in view the body keeps one level of indentation under it.
    """
    def width(line: str) -> int:
        return len(line) - len(line.lstrip())

    rest = [width(lines[i]) for i in chosen if i > 0 and lines[i].strip()]
    if not rest:
        return 0
    if chosen.start > 0:
        return min(rest)
    levels = sorted({width(ln) for ln in lines[1:] if ln.strip()})
    steps = [b - a for a, b in zip(levels, levels[1:])]
    if steps:
        unit = min(steps)
    else:  # one level only: its width says nothing about the step; assume 4 or 2 spaces
        unit = 4 if levels and levels[0] % 4 == 0 else 2
    return max(0, min(rest) - unit)
