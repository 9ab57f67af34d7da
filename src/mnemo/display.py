"""Text shown to people: control characters escaped, so no input can drive the terminal.

File names, repository names, docstrings and error messages come from the indexed tree, which
may be hostile: an escape sequence in a file name can set the window title, clear the screen or
hide text when printed raw. Every human output (CLI lines, log records) passes its untrusted
parts through `escape`, which turns C0/C1 control characters, DEL, bidirectional overrides
(the "trojan source" trick) and lone surrogates (undecodable bytes of a file name) into visible
`\\xNN` / `\\uNNNN` forms. JSON output needs none of this: its encoder escapes on its own.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, bidi embeddings/overrides/isolates, line/paragraph separators,
# and surrogates (which only appear for bytes that were not valid UTF-8: surrogateescape).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_UNSAFE_KEEP_LINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _replace(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the original byte
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, f"\\x{code:02x}")
    return f"\\u{code:04x}"


def escape(text: object, *, keep_lines: bool = False) -> str:
    """`text` (anything; str() of it) with every control character made visible.

    keep_lines: leave newlines and tabs alone (for multi-line code and docstrings); other
    controls are still escaped.
    """
    value = text if isinstance(text, str) else str(text)
    pattern = _UNSAFE_KEEP_LINES if keep_lines else _UNSAFE
    return pattern.sub(_replace, value)


def storable(text: str) -> str:
    """A str PostgreSQL's text type accepts, losslessly for valid text: NUL bytes and surrogates
    (undecodable bytes of a file name) become `\\x00` / `\\xNN`."""
    if "\x00" not in text and not _has_surrogates(text):
        return text
    return _STORABLE.sub(_replace, text)


_STORABLE = re.compile("[\x00\ud800-\udfff]")


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
