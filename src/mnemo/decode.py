"""Source bytes → text, whatever the encoding: the indexer never fails a file for its encoding.

Most code is UTF-8, but real trees hold UTF-8 with a BOM, UTF-16 (Windows tools, with a BOM),
legacy Windows-1252 / Latin-1 files (old comments with "é" or "©"), and UTF-8 files with a few
bad bytes pasted in. The order, cheapest and surest first:

1. a byte-order mark names the encoding (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE);
2. strict UTF-8;
3. mostly UTF-8 (it holds valid multi-byte sequences, so it is UTF-8 with damage): UTF-8 with
   the bad bytes replaced by U+FFFD, counted;
4. otherwise a single-byte legacy encoding: cp1252, which is Latin-1 with printable characters
   in 0x80-0x9F (its five undefined bytes fall back to Latin-1, so it never fails).

The result is re-encoded as UTF-8 for the parser; the encoding is recorded with the file.
"""

from __future__ import annotations

import codecs
import threading
from dataclasses import dataclass

_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Decoded:
    """A file's text as UTF-8 bytes, and how it was read.

    encoding: "utf-8", "utf-8-sig", "utf-16-le", "cp1252" …
    replaced: how many undecodable bytes (or sequences) became U+FFFD.
    """

    data: bytes
    encoding: str
    replaced: int = 0

    @property
    def note(self) -> str | None:
        """What a person should know about the decoding, or None for plain UTF-8."""
        if self.replaced:
            return f"{self.replaced} undecodable byte sequence(s) in {self.encoding} replaced by U+FFFD"
        return None


def decode_source(raw: bytes) -> Decoded:
    """Decode `raw` per the module's rules; never raises."""
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            body = raw[len(bom):]
            name = "utf-8-sig" if encoding == "utf-8" else encoding
            text, replaced = _decode_counting(body, encoding)
            return Decoded(text.encode("utf-8"), name, replaced)
    try:
        raw.decode("utf-8")
        return Decoded(raw, "utf-8")
    except UnicodeDecodeError:
        pass
    text, replaced = _decode_counting(raw, "utf-8")
    if _looks_like_damaged_utf8(text, replaced):
        return Decoded(text.encode("utf-8"), "utf-8", replaced)
    return Decoded(_cp1252(raw).encode("utf-8"), "cp1252")


_counts = threading.local()


def _count_and_replace(error: UnicodeError) -> tuple[str, int]:
    assert isinstance(error, UnicodeDecodeError)
    _counts.n = getattr(_counts, "n", 0) + 1
    return "\ufffd", error.end


codecs.register_error("mnemo-count-replace", _count_and_replace)


def _decode_counting(data: bytes, encoding: str) -> tuple[str, int]:
    """Decode with U+FFFD for each bad sequence, and how many there were (per thread)."""
    _counts.n = 0
    text = data.decode(encoding, errors="mnemo-count-replace")
    return text, _counts.n


def _looks_like_damaged_utf8(text: str, replaced: int) -> bool:
    """UTF-8 with a few bad bytes: it has real multi-byte characters and few failures."""
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return multibyte > 0 and replaced <= max(1, multibyte // 2)


_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _cp1252(raw: bytes) -> str:
    if not _CP1252_UNDEFINED.intersection(raw):
        return raw.decode("cp1252")
    return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252") for b in raw)
