"""Walk a source tree and decide which files to index.

Rules, in order: default excluded directories (matched as whole path components, so `dist`
drops `dist/app.js` but never `src/distance.ts`), `.gitignore` files (the root's and nested
ones, with git's semantics via pathspec), the user's --exclude/--include globs, test files when
asked, then per-file checks: a supported language, not a declaration file (`.d.ts`), not too
big. Content checks that need the bytes (binary, minified/generated) are in `content_skip_reason`,
which the pipeline applies when it reads a file, so each file is read once.

Nothing in a tree stops the walk. A `.gitignore` line git would ignore as invalid (`build\\`, a
lone `!`, `[z-a]`) is skipped with a warning naming its file and line; the user's own
--include/--exclude globs must all be valid (`PatternError`, a usage error). Every path left out
is recorded with its reason (`ScanReport.paths`), including symlinks, special files (FIFOs,
sockets, devices) and the default-excluded directories, and every reason is counted. File names
that are not valid UTF-8 are kept: `rel_path` is their storable escaped form (`\\xNN` per
undecodable byte, see `mnemo.display.storable`), `path` the real name on disk.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from mnemo.display import storable
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
    """What the walk left out, by reason and by path, and the ignore lines it could not use.

    `paths` holds one (path, reason) per file or directory left out (a directory ends in "/");
    O(entries at the top of what was cut), like the list of files to index.
    """

    skipped: dict[str, int] = field(default_factory=dict)
    paths: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[PatternWarning] = field(default_factory=list)

    def skip(self, reason: str, path: str | None = None) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if path is not None:
            self.paths.append((storable(path), reason))


@dataclass(frozen=True)
class PatternWarning:
    """An ignore line that cannot be compiled; git ignores such lines, and so do we."""

    path: str  # the .gitignore, relative to the root
    line: int
    message: str


class PatternError(ValueError):
    """A user-given --include/--exclude glob is invalid (a usage error: exit 2)."""


def _compile_line(line: str) -> str | None:
    """None when `line` compiles as a gitignore pattern, else why not."""
    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except Exception as exc:  # pathspec raises its own errors, re.error, ValueError…
        return f"{type(exc).__name__}: {exc}"
    return None


def compile_globs(patterns: Sequence[str], option: str = "--exclude") -> pathspec.PathSpec | None:
    """The user's globs as one spec; PatternError naming the first invalid one."""
    for pattern in patterns:
        if "\x00" in pattern:
            raise PatternError(f"{option} {pattern!r}: contains a NUL byte")
        why = _compile_line(pattern)
        if why:
            raise PatternError(f"{option} {pattern!r}: invalid glob ({why})")
    return _spec(patterns)


def _spec(lines: Sequence[str]) -> pathspec.PathSpec | None:
    lines = [line for line in lines if line.strip()]
    return pathspec.GitIgnoreSpec.from_lines(lines) if lines else None


def _read_gitignore(directory: Path, rel_dir: str, report: ScanReport) -> pathspec.PathSpec | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    where = storable(f"{rel_dir}/.gitignore" if rel_dir else ".gitignore")
    good: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        why = _compile_line(line)
        if why:
            report.warnings.append(PatternWarning(where, number, f"invalid ignore pattern {line!r} skipped ({why})"))
        else:
            good.append(line)
    try:
        return _spec(good)
    except Exception as exc:  # lines valid alone but not together: keep walking without this file
        report.warnings.append(PatternWarning(where, 1, f"ignore file skipped ({type(exc).__name__}: {exc})"))
        return None


def scan(root: Path, options: ScanOptions = ScanOptions(), report: ScanReport | None = None) -> Iterator[SourceFile]:
    """Yield the files under `root` to index, in a stable order (each directory's files by name, then its subdirectories by name).

    A generator: the tree is walked lazily, so memory does not grow with the repository.
    """
    root = root.resolve()
    report = report if report is not None else ScanReport()
    include = compile_globs(options.include, "--include")
    exclude = compile_globs(options.exclude, "--exclude")
    tests = _spec(TEST_PATTERNS) if options.skip_tests else None
    # Each stack entry: a directory and the gitignore specs in force there, with their base dirs.
    stack: list[tuple[Path, tuple[tuple[str, pathspec.PathSpec], ...]]] = [(root, ())]
    while stack:
        directory, ignores = stack.pop()
        rel_dir = directory.relative_to(root).as_posix()
        rel_dir = "" if rel_dir == "." else rel_dir
        if options.use_gitignore:
            own = _read_gitignore(directory, rel_dir, report)
            if own is not None:
                ignores = ignores + ((rel_dir, own),)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            report.skip("unreadable directory", (rel_dir or ".") + "/")
            continue
        subdirs: list[Path] = []
        for entry in entries:
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                report.skip("unreadable", rel)
                continue
            if stat.S_ISLNK(mode):
                report.skip("symlink", rel)  # never followed: no loops, no escaping the root
                continue
            if stat.S_ISDIR(mode):
                if entry.name in DEFAULT_EXCLUDED_DIRS or entry.name.endswith(".egg-info"):
                    report.skip("default-excluded directory", rel + "/")
                    continue
                if _ignored(rel + "/", ignores):
                    report.skip("gitignored", rel + "/")
                    continue
                if exclude and exclude.match_file(rel + "/"):
                    report.skip("excluded", rel + "/")
                    continue
                if tests and tests.match_file(rel + "/"):
                    report.skip("test file", rel + "/")
                    continue
                subdirs.append(Path(entry.path))
                continue
            if not stat.S_ISREG(mode):
                report.skip("not a regular file", rel)  # FIFOs, sockets, devices: reading may block
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
        report.skip("declaration or generated file", rel)
        return None
    if _ignored(rel, ignores):
        report.skip("gitignored", rel)
        return None
    if exclude and exclude.match_file(rel):
        report.skip("excluded", rel)
        return None
    if include and not include.match_file(rel):
        report.skip("not included", rel)
        return None
    if tests and tests.match_file(rel):
        report.skip("test file", rel)
        return None
    size = entry.stat(follow_symlinks=False).st_size
    if size > options.max_file_bytes:
        report.skip("too large", rel)
        return None
    return SourceFile(path=Path(entry.path), rel_path=storable(rel), language=language, size=size)


def content_skip_reason(data: bytes) -> str | None:
    """Why a file's bytes should not be indexed (binary, minified or generated), or None.

    `data` is the decoded text as UTF-8 (UTF-16 files have NULs before decoding). A NUL byte
    anywhere means binary (not only in the first 8 KB, as git guesses: a NUL cannot be stored
    as text). Minified code shows as very long lines: one over MAX_LINE_LENGTH, or a high
    average (hand-written code averages 30-60 characters a line).
    """
    if b"\x00" in data:
        return "binary"
    if not data:
        return None
    lines = data.split(b"\n")
    if max(map(len, lines)) > MAX_LINE_LENGTH or len(data) / len(lines) > MAX_AVERAGE_LINE_LENGTH:
        return "minified or generated (very long lines)"
    return None


class Unreadable(Exception):
    """A file that cannot be read as a regular file within the size cap; `reason` is a skip reason
    ("not a regular file", "too large") or None for an OS error (`str(self)` says which)."""

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason


READ_BLOCK = 1 << 16


def read_source(path: Path, max_bytes: int) -> bytes:
    """The bytes of a file the walk found, re-checked now: the tree may have changed since.

    Opened with O_NOFOLLOW (a file swapped for a symlink is not followed) and O_NONBLOCK (a file
    swapped for a FIFO does not block the open), then fstat'ed: only a regular file within
    `max_bytes` is read, and at most `max_bytes` + 1 bytes are read, so a file growing meanwhile
    is caught too. Raises Unreadable.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW on a symlink: it became one since the scan
            raise Unreadable("became a symlink since the scan", "symlink") from None
        if exc.errno == errno.ENOENT:  # deleted since the scan: like a file never seen
            raise Unreadable("deleted since the scan", "vanished during the run") from None
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not a regular file (a FIFO, socket or device)", "not a regular file")
        if info.st_size > max_bytes:
            raise Unreadable(f"too large ({info.st_size} bytes)", "too large")
        parts: list[bytes] = []
        total = 0
        while total <= max_bytes:
            try:
                block = os.read(fd, min(READ_BLOCK, max_bytes + 1 - total))
            except BlockingIOError:  # regular files never block; be safe anyway
                raise Unreadable("read would block", "not a regular file") from None
            if not block:
                break
            parts.append(block)
            total += len(block)
        if total > max_bytes:
            raise Unreadable(f"too large (grew past {max_bytes} bytes while read)", "too large")
        return b"".join(parts)
    except OSError as exc:
        raise Unreadable(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
