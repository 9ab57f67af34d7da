"""Snippets: the window with the most query words, with highlight offsets."""

from __future__ import annotations

from mnemo.search.snippet import MAX_LINE_CHARS, make_snippet

SOURCE = '''def fetch(url, retries=3):
    """Fetch a URL."""
    session = make_session()

    for attempt in range(retries):
        time.sleep(backoffDelay * 2 ** attempt)
    return session.get(url)
'''


def marked(snippet) -> list[str]:
    return [snippet.text[s:e] for s, e in snippet.highlights]


def test_window_with_most_query_words_and_its_line_number() -> None:
    snip = make_snippet(SOURCE, 10, frozenset({"attempt", "backoff", "retries"}))
    assert snip.start_line == 14
    assert snip.text.splitlines()[0] == "for attempt in range(retries):"
    assert marked(snip) == ["attempt", "retries", "backoff", "attempt"]


def test_no_match_shows_the_signature() -> None:
    snip = make_snippet(SOURCE, 1, frozenset({"zebra"}))
    assert snip.start_line == 1 and snip.text.startswith("def fetch(url, retries=3):")
    assert snip.highlights == []


def test_long_lines_are_cut_and_offsets_stay_inside() -> None:
    snip = make_snippet("x = " + "a" * 1000 + " target", 1, frozenset({"target", "x"}))
    assert len(snip.text) <= MAX_LINE_CHARS
    assert all(0 <= s < e <= len(snip.text) for s, e in snip.highlights)


def test_empty_source() -> None:
    assert make_snippet("", 3, frozenset({"a"})).text == ""


def test_a_method_body_keeps_one_level_under_its_def() -> None:
    method = "def save(self):\n        if self.dirty:\n            self.flush()\n"
    snip = make_snippet(method, 40, frozenset({"save", "dirty"}))
    assert snip.text.splitlines() == ["def save(self):", "    if self.dirty:", "        self.flush()"]
    ts = "async findByEmail(email: string) {\n    const rows = await q(email);\n    return rows[0];\n  }"
    assert make_snippet(ts, 1, frozenset({"email"})).text.splitlines()[:2] == [
        "async findByEmail(email: string) {", "  const rows = await q(email);"]


def test_a_window_inside_the_body_is_dedented_fully() -> None:
    body = "def f():\n" + "    x = 1\n" * 5 + "    target = 2\n        deeper(target)\n"
    snip = make_snippet(body, 1, frozenset({"target"}))
    assert snip.text.splitlines()[0] == "target = 2" and snip.start_line == 7
    assert [snip.text[s:e] for s, e in snip.highlights] == ["target", "target"]


def test_a_one_line_method_body_is_indented_once() -> None:
    snip = make_snippet("def _eval_inverse(self):\n        return Inverse(self)", 195, frozenset({"inverse"}))
    assert snip.text == "def _eval_inverse(self):\n    return Inverse(self)"
    top = make_snippet("def f():\n    return 1", 1, frozenset({"f"}))
    assert top.text == "def f():\n    return 1"
