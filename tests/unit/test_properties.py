"""Property-based tests (Hypothesis): the scanner's ignore rules and the search query analyser.

The scanner's properties hold for any .gitignore text, valid or not: the walk never raises,
every candidate file is either yielded or recorded with a reason (nothing vanishes silently),
a yielded file never matches a valid ignore line, and default-excluded directories are matched
as whole path components. The analyser's: any text is analysed without error into a bounded,
control-free plan whose lexemes are letters and digits only and are what the document side
(`code_words`, the mirror of SQL `mnemo_code_words`) produces for the same text.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pathspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnemo.scan import DEFAULT_EXCLUDED_DIRS, ScanReport, scan
from mnemo.search.query import MAX_QUERY_CHARS, MAX_TERMS, analyse, clean, code_words

# -- the scanner ------------------------------------------------------------------------------

_NAME = st.text(alphabet="abcdefghij-_.", min_size=1, max_size=6).filter(lambda n: n not in (".", ".."))
_PATTERN_CHARS = "abcdefghij*?[]!\\/-. #"
_LINE = st.text(alphabet=_PATTERN_CHARS, min_size=0, max_size=8)
_FILES = st.lists(
    st.tuples(st.lists(_NAME, min_size=0, max_size=3), _NAME, st.sampled_from([".ts", ".py", ".js"])),
    min_size=1, max_size=12,
)


def _materialise(root: Path, files) -> set[str]:
    made: set[str] = set()
    for dirs, stem, ext in files:
        rel = "/".join([*dirs, stem + ext])
        path = root / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("x = 1\n")
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # a name used both as a file and a directory: keep the first
        made.add(rel)
    return {m for m in made if (root / m).is_file()}


def _covered(rel: str, skipped: dict[str, str]) -> bool:
    if rel in skipped:
        return True
    parts = rel.split("/")
    return any("/".join(parts[:i]) + "/" in skipped for i in range(1, len(parts)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=_FILES, lines=st.lists(_LINE, max_size=8))
def test_any_gitignore_never_breaks_the_walk_and_every_file_is_accounted_for(files, lines) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        made = _materialise(root, files)
        (root / ".gitignore").write_text("\n".join(lines) + "\n")
        report = ScanReport()
        yielded = {f.rel_path for f in scan(root, report=report)}
        skipped = dict(report.paths)
        for rel in made:
            assert (rel in yielded) != _covered(rel, skipped), (rel, yielded, skipped)
        assert sum(report.skipped.values()) == len(report.paths)
        valid = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except Exception:
                continue
            valid.append(line)
        invalid_lines = [w.line for w in report.warnings]
        assert len(invalid_lines) == len([x for x in lines if x.strip() and not x.startswith("#")]) - len(
            [x for x in valid if x.strip() and not x.startswith("#")])
        spec = pathspec.GitIgnoreSpec.from_lines(valid)
        for rel in yielded:
            assert not spec.match_file(rel), rel  # a valid ignore line always applies


@settings(max_examples=60, deadline=None)
@given(directory=st.one_of(st.sampled_from(sorted(DEFAULT_EXCLUDED_DIRS)), _NAME),
       affix=st.sampled_from(["", "x", "_old", "-2"]))
def test_default_excluded_directories_match_whole_components(directory: str, affix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        name = directory + affix
        (root / "src" / name).mkdir(parents=True)
        (root / "src" / name / "m.ts").write_text("export const m = 1;\n")
        (root / "src" / f"{name}.ts").write_text("export const n = 1;\n")
        report = ScanReport()
        yielded = {f.rel_path for f in scan(root, report=report)}
        excluded = name in DEFAULT_EXCLUDED_DIRS or name.endswith(".egg-info")
        assert (f"src/{name}/m.ts" not in yielded) == excluded
        if not name.endswith(".d"):  # `x.d.ts` is a declaration file, skipped for that reason
            assert f"src/{name}.ts" in yielded  # a file named like an excluded directory stays
        if excluded:
            assert (f"src/{name}/", "default-excluded directory") in report.paths


# -- the query analyser -----------------------------------------------------------------------

_LEXEME = re.compile(r"^[^\W_]+$")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_any_text_analyses_into_a_bounded_clean_plan(text: str) -> None:
    plan = analyse(text)
    assert len(plan.text) <= MAX_QUERY_CHARS
    assert not any(ord(ch) < 32 or ch == "\x7f" for ch in plan.text)
    assert len(plan.terms) <= MAX_TERMS
    assert analyse(plan.text) == plan  # cleaning is idempotent: the plan is a function of the clean text
    for term in plan.terms:
        assert term.parts and all(_LEXEME.match(p) for p in term.parts), term
        if term.whole is not None:
            assert _LEXEME.match(term.whole), term
        tsq = term.tsquery()
        assert tsq.count("'") % 2 == 0  # every lexeme quoted, no quote left open


_CODEY = st.text(alphabet=st.sampled_from(list("abcXYZ_019 .:()$") + ["é", "Ü", "ß"]), max_size=60)


@settings(max_examples=400, deadline=None)
@given(_CODEY)
def test_query_lexemes_are_what_the_document_side_produces(text: str) -> None:
    """A query word must become the lexemes a document holding the same text has, or it would
    never match (the analyser mirrors SQL mnemo_code_words)."""
    document = {w.lower() for w in code_words(clean(text)).split()}
    for term in analyse(text).terms:
        for lexeme in term.lexemes:
            assert lexeme in document, (text, term, sorted(document))


def test_query_analysis_of_cleaned_limits() -> None:
    huge = "word " * 10_000 + "\x00\x1b[2J"
    plan = analyse(huge)
    assert len(plan.terms) <= MAX_TERMS and "\x00" not in plan.text and "\x1b" not in plan.text
