"""Walk a source tree and decide which files to index.

Rules, in order: default excluded directories (matched as whole path components, so `dist`
drops `dist/app.js` but never `src/distance.ts`), `.gitignore` files (the root's and nested
ones, with git's semantics via pathspec), the user's --exclude/--include globs, test files when
asked, then per-file checks: a supported language, not a declaration file (`.d.ts`), not too
big. Content checks that need the bytes (binary, minified/generated) are in `content_skip_reason`,
which the pipeline applies when it reads a file, so each file is read once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from mnemo.languages.registry import language_for_path
from mnemo.models import SourceFile

DEFAULT_EXCLUDED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", "node_modules", "bower_components", "jspm_packages",
        "dist", "build", "out", "vendor", "third_party", "__pycache__", ".venv", "venv",
        ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache", "coverage",
        ".nyc_output", ".next", ".nuxt", ".svelte-kit", ".turbo", ".cache", ".parcel-cache",
        "target", ".gradle", ".idea", ".vscode", "site-packages", ".eggs", "htmlcov",
    }
)
"""Directory names never descended into. Names are compared to whole path components."""

GENERATED_SUFFIXES = (".d.ts", ".d.mts", ".d.cts", ".min.js", ".min.mjs", ".bundle.js", ".pb.go", "_pb2.py")
TEST_PATTERNS = (
    "*.test.*", "*.spec.*", "test_*.py", "*_test.py", "*_test.go", "*Test.java", "*Tests.java",
    "__tests__/", "__mocks__/", "tests/", "test/", "spec/", "testing/", "e2e/",
)

DEFAULT_MAX_FILE_BYTES = 1_000_000
MAX_LINE_LENGTH = 2_500  # a longer line means minified or generated code: the old system ran out of memory on these
MAX_AVERAGE_LINE_LENGTH = 200


@dataclass(frozen=True)
class ScanOptions:
    include: Sequence[str] = ()  # gitignore-style globs; when given, only matching files are kept
    exclude: Sequence[str] = ()
    skip_tests: bool = False
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    use_gitignore: bool = True


@dataclass
class ScanReport:
    """What the walk left out, by reason, so the summary can say so."""

    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def _spec(lines: Sequence[str]) -> pathspec.PathSpec | None:
    lines = [line for line in lines if line.strip()]
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def _read_gitignore(directory: Path) -> pathspec.PathSpec | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return _spec(text.splitlines())


def scan(root: Path, options: ScanOptions = ScanOptions(), report: ScanReport | None = None) -> Iterator[SourceFile]:
    """Yield the files under `root` to index, in a stable order (each directory's files by name, then its subdirectories by name).

    A generator: the tree is walked lazily, so memory does not grow with the repository.
    """
    root = root.resolve()
    report = report if report is not None else ScanReport()
    include = _spec(options.include)
    exclude = _spec(options.exclude)
    tests = _spec(TEST_PATTERNS) if options.skip_tests else None
    # Each stack entry: a directory and the gitignore specs in force there, with their base dirs.
    stack: list[tuple[Path, tuple[tuple[str, pathspec.PathSpec], ...]]] = [(root, ())]
    while stack:
        directory, ignores = stack.pop()
        rel_dir = directory.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        if options.use_gitignore:
            own = _read_gitignore(directory)
            if own is not None:
                ignores = ignores + ((rel_dir, own),)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            report.skip("unreadable directory")
            continue
        subdirs: list[Path] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in DEFAULT_EXCLUDED_DIRS or entry.name.endswith(".egg-info"):
                    continue
                if _ignored(rel + "/", ignores) or (exclude and exclude.match_file(rel + "/")):
                    continue
                if tests and tests.match_file(rel + "/"):
                    report.skip("test file")
                    continue
                subdirs.append(Path(entry.path))
                continue
            if not entry.is_file(follow_symlinks=False):
                continue
            source = _consider(entry, rel, ignores, include, exclude, tests, options, report)
            if source is not None:
                yield source
        # Reverse so that popping visits subdirectories in sorted order.
        stack.extend((d, ignores) for d in reversed(subdirs))


def _ignored(rel: str, ignores: tuple[tuple[str, pathspec.PathSpec], ...]) -> bool:
    for base, spec in ignores:
        if base:
            if not rel.startswith(base + "/"):
                continue
            rel_to_base = rel[len(base) + 1 :]
        else:
            rel_to_base = rel
        if spec.match_file(rel_to_base):
            return True
    return False


def _consider(
    entry: os.DirEntry,
    rel: str,
    ignores: tuple[tuple[str, pathspec.PathSpec], ...],
    include: pathspec.PathSpec | None,
    exclude: pathspec.PathSpec | None,
    tests: pathspec.PathSpec | None,
    options: ScanOptions,
    report: ScanReport,
) -> SourceFile | None:
    language = language_for_path(entry.name)
    if language is None:
        return None  # not source code we know: not worth a line in the summary
    if entry.name.endswith(GENERATED_SUFFIXES):
        report.skip("declaration or generated file")
        return None
    if _ignored(rel, ignores):
        report.skip("gitignored")
        return None
    if exclude and exclude.match_file(rel):
        report.skip("excluded")
        return None
    if include and not include.match_file(rel):
        report.skip("not included")
        return None
    if tests and tests.match_file(rel):
        report.skip("test file")
        return None
    size = entry.stat(follow_symlinks=False).st_size
    if size > options.max_file_bytes:
        report.skip("too large")
        return None
    return SourceFile(path=Path(entry.path), rel_path=rel, language=language, size=size)


def content_skip_reason(data: bytes) -> str | None:
    """Why a file's bytes should not be indexed (binary, minified or generated), or None.

    Minified code shows as very long lines: one over MAX_LINE_LENGTH, or a high average
    (hand-written code averages 30-60 characters a line).
    """
    if b"\x00" in data[:8192]:
        return "binary"
    if not data:
        return None
    lines = data.split(b"\n")
    if max(map(len, lines)) > MAX_LINE_LENGTH or len(data) / len(lines) > MAX_AVERAGE_LINE_LENGTH:
        return "minified or generated (very long lines)"
    return None
