"""Decoding any source bytes, escaping text for people, storable text, repository names, and
reading a file that changed since the scan."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mnemo.decode import decode_source
from mnemo.display import escape, storable
from mnemo.names import repository_name_problem
from mnemo.scan import Unreadable, read_source

TEXT = 'x = "Grüße — café ©"\n'


@pytest.mark.parametrize(("raw", "encoding", "replaced"), [
    (TEXT.encode(), "utf-8", 0),
    (b"\xef\xbb\xbf" + TEXT.encode(), "utf-8-sig", 0),
    (TEXT.encode("utf-16"), "utf-16-le", 0),
    (TEXT.encode("utf-16-be"), "utf-8", None),  # no BOM: not guessed as UTF-16 (it would be binary)
    (TEXT.encode("utf-32"), "utf-32-le", 0),
    (TEXT.encode("cp1252"), "cp1252", 0),
])
def test_decode_source(raw: bytes, encoding: str, replaced: int | None) -> None:
    decoded = decode_source(raw)
    if replaced is None:
        assert decoded.encoding != "utf-16-be"
        return
    assert decoded.encoding == encoding and decoded.replaced == replaced
    assert decoded.data.decode("utf-8") == TEXT


def test_latin1_and_damaged_utf8() -> None:
    latin = decode_source('s = "café"\n'.encode("latin-1"))
    assert latin.encoding == "cp1252" and latin.data.decode() == 's = "café"\n'
    damaged = decode_source(TEXT.encode()[:6] + b"\xff\xfe" + TEXT.encode()[6:])
    assert damaged.encoding == "utf-8" and damaged.replaced == 2  # each bad byte, among 5 good characters
    assert "\ufffd" in damaged.data.decode() and damaged.note and "replaced" in damaged.note
    undefined = decode_source(b"x = '\x81\x8d\xe9'\n")  # cp1252's undefined bytes fall back to Latin-1
    assert undefined.data.decode() == "x = '\x81\x8d\xe9'\n"


def test_escape_makes_controls_visible() -> None:
    assert escape("a\x1b]0;title\x07b") == "a\\x1b]0;title\\x07b"
    assert escape("\u202eevil\u2066") == "\\u202eevil\\u2066"
    assert escape("line1\nline2\ttab") == "line1\\nline2\\ttab"
    assert escape("line1\nline2\ttab\x1b[2J", keep_lines=True) == "line1\nline2\ttab\\x1b[2J"
    assert escape(os.fsdecode(b"caf\xe9.ts")) == "caf\\xe9.ts"
    assert escape("plain ünïcode 名前") == "plain ünïcode 名前"


def test_storable_only_touches_what_postgres_refuses() -> None:
    assert storable("ok \x1b ü") == "ok \x1b ü"  # valid text is kept as is (escaped on display)
    assert storable("a\x00b") == "a\\x00b"
    assert storable(os.fsdecode(b"d\xff/x.ts")) == "d\\xff/x.ts"
    storable(os.fsdecode(b"\xff\xfe")).encode("utf-8")  # always encodable


@pytest.mark.parametrize("name", ["", " x", "x ", ".", "..", "a/b", "a\\b", "a\x1bb", "a\u202eb", "x" * 201])
def test_bad_repository_names(name: str) -> None:
    assert repository_name_problem(name)


@pytest.mark.parametrize("name", ["mnemo", "my-app_2", "Grüße", "名前", "a b", "x" * 200])
def test_good_repository_names(name: str) -> None:
    assert repository_name_problem(name) is None


def test_read_source_rechecks_the_file(tmp_path: Path) -> None:
    good = tmp_path / "a.ts"
    good.write_bytes(b"x" * 100)
    assert read_source(good, 1000) == b"x" * 100
    with pytest.raises(Unreadable) as too_big:
        read_source(good, 99)
    assert too_big.value.reason == "too large"
    fifo = tmp_path / "f.ts"
    os.mkfifo(fifo)
    with pytest.raises(Unreadable) as special:
        read_source(fifo, 1000)  # must not block
    assert special.value.reason == "not a regular file"
    link = tmp_path / "l.ts"
    link.symlink_to(good)
    with pytest.raises(Unreadable) as followed:
        read_source(link, 1000)
    assert followed.value.reason == "symlink"
    with pytest.raises(Unreadable) as gone:
        read_source(tmp_path / "missing.ts", 1000)
    assert gone.value.reason == "vanished during the run"
    (tmp_path / "d.ts").mkdir()
    with pytest.raises(Unreadable) as directory:
        read_source(tmp_path / "d.ts", 1000)
    assert directory.value.reason == "not a regular file"
