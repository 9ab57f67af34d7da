"""The streaming indexer: scan → read → parse/chunk/extract → embed in batches → one
transaction per file → graph in bulk at the end.

Memory is bounded by design. The only whole-repository structures are the list of paths to
visit and the stored files' hashes (a few dozen bytes per file, never chunks or vectors). Parsed
files wait in a window of at most `window_files` files / `batch_chunks` chunks, so embedding
batches span several files and the model stays busy, while each file still commits alone:
a failure rolls back that file only, is recorded with its position, and the run goes on.

Re-runs are incremental: a file whose content hash is unchanged is skipped without a write, a
changed file is replaced atomically, a file gone from disk loses its rows. `full=True` clears
the repository first. Runs on one repository are exclusive (an advisory lock); a run killed at
any point leaves only whole files behind, and the next run picks up from there.
"""

from __future__ import annotations

import hashlib
import resource
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from mnemo.chunk import parse_source
from mnemo.config import ConfigError
from mnemo.embed import Embedder, canonical_model_name, chunk_text, load_embedder
from mnemo.models import ParsedFile, SourceFile
from mnemo.scan import DEFAULT_MAX_FILE_BYTES, ScanOptions, ScanReport, content_skip_reason, scan
from mnemo.store import writes
from mnemo.store.db import Database

MAX_REPORTED_ERRORS = 50


class IndexingError(ConfigError):
    """The run cannot start (bad path, model mismatch, repository busy). Exit code 2."""


@dataclass(frozen=True)
class IndexOptions:
    name: str | None = None  # repository name; default: the directory's name
    full: bool = False  # clean slate: delete the repository's data first
    model: str | None = None  # None: the repository's model, or the default for a new one
    allow_partial: bool = False  # keep cleanly parsed chunks of files with syntax errors
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    skip_tests: bool = False
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    batch_chunks: int = 256  # chunks per embedding call; the model sorts them by length inside
    window_files: int = 64  # parsed files waiting for their vectors, at most
    wait: bool = False  # wait for a concurrent run on the same repository instead of failing
    build_graph: bool = True


@dataclass
class FileError:
    path: str
    message: str
    line: int | None = None
    column: int | None = None
    severity: str = "error"

    def __str__(self) -> str:
        where = f":{self.line}:{self.column}" if self.line else ""
        return f"{self.path}{where}: {self.message}"


@dataclass
class IndexSummary:
    repository: str
    root: str
    model: str
    mode: str
    run_id: int | None = None
    status: str = "running"
    files_seen: int = 0
    files_indexed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    files_failed: int = 0
    files_skipped: dict[str, int] = field(default_factory=dict)
    chunks_written: int = 0
    wall_s: float = 0.0
    read_s: float = 0.0
    parse_s: float = 0.0
    embed_s: float = 0.0
    model_load_s: float = 0.0
    write_s: float = 0.0
    graph_s: float = 0.0
    peak_rss_mb: float = 0.0
    errors: list[FileError] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS
    warnings: list[FileError] = field(default_factory=list)
    graph: dict[str, Any] | None = None
    graph_error: str | None = None  # the graph phase failed (the files stay committed)

    @property
    def exit_code(self) -> int:
        """0 when every file indexed and the graph was built, 1 when some of that failed."""
        return 1 if self.files_failed or self.graph_error else 0

    def counts(self) -> dict[str, int]:
        return {
            "files_seen": self.files_seen,
            "files_indexed": self.files_indexed,
            "files_unchanged": self.files_unchanged,
            "files_removed": self.files_removed,
            "files_failed": self.files_failed,
            "chunks_written": self.chunks_written,
        }

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["exit_code"] = self.exit_code
        return data


class Progress(Protocol):
    """How the pipeline reports progress; the CLI draws a bar, the API updates a job."""

    def start(self, total_files: int) -> None: ...
    def advance(self, files: int, chunks: int) -> None: ...
    def close(self) -> None: ...


@dataclass
class _Pending:
    """A parsed file waiting for its vectors."""

    source: SourceFile
    content_hash: str
    parsed: ParsedFile
    texts: list[str]
    status: str
    warning: FileError | None


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def index_repository(
    database: Database,
    root: Path,
    options: IndexOptions = IndexOptions(),
    *,
    progress: Progress | None = None,
    embedder: Embedder | None = None,
    on_file_error: Callable[[FileError], None] | None = None,
) -> IndexSummary:
    """Index `root` into the repository `options.name`; return what happened.

    Raises IndexingError (a ConfigError) when the run cannot start. File-level failures never
    raise: they are recorded, counted and reported in the summary.
    """
    return _Run(database, root, options, progress, embedder, on_file_error).execute()


class _Run:
    def __init__(self, database, root, options, progress, embedder, on_file_error) -> None:
        root = Path(root).expanduser()
        if not root.is_dir():
            raise IndexingError(f"{root}: not a directory")
        self.db = database
        self.root = root.resolve()
        self.options = options
        self.progress = progress
        self.embedder = embedder
        self.on_file_error = on_file_error
        self.name = options.name or self.root.name
        self.window: list[_Pending] = []
        self.window_chunks = 0

    # -- set-up ------------------------------------------------------------------------------
    def execute(self) -> IndexSummary:
        started = time.perf_counter()
        with self.db.connect(autocommit=True) as lock_conn, self.db.connect(autocommit=True) as conn:
            self.conn = conn
            if self.options.wait:
                writes.lock_repository(lock_conn, self.name)
            elif not writes.try_lock_repository(lock_conn, self.name):
                raise IndexingError(
                    f"repository {self.name!r} is being indexed by another process; "
                    "wait for it to finish or pass --wait"
                )
            self.repo = self._prepare_repository()
            s = self.summary = IndexSummary(
                repository=self.name,
                root=str(self.root),
                model=self.repo.model,
                mode="full" if self.options.full else "incremental",
            )
            s.run_id = writes.start_run(conn, self.repo.id, s.mode, self._options_json())
            try:
                self._index_files()
                s.status = "partial" if s.files_failed else "succeeded"
            except BaseException:
                s.status = "interrupted"
                raise
            finally:
                s.wall_s = time.perf_counter() - started
                s.peak_rss_mb = peak_rss_mb()
                writes.finish_run(conn, s.run_id, s.status, s.counts())
                if self.progress:
                    self.progress.close()
            self._build_graph()
            s.wall_s = time.perf_counter() - started
            s.peak_rss_mb = peak_rss_mb()
        return s

    def _options_json(self) -> dict[str, Any]:
        o = self.options
        return {
            "root": str(self.root), "allow_partial": o.allow_partial, "include": list(o.include),
            "exclude": list(o.exclude), "skip_tests": o.skip_tests, "model": self.repo.model,
        }

    def _load_embedder(self, model: str) -> Embedder:
        if self.embedder is None or self.embedder.model_name != model:
            t = time.perf_counter()
            self.embedder = load_embedder(model)
            self._model_load_s = time.perf_counter() - t
        return self.embedder

    def _prepare_repository(self) -> writes.Repository:
        """Find or create the repository; refuse to mix two models' vectors."""
        self._model_load_s = 0.0
        conn = self.conn
        repo = writes.repository_by_name(conn, self.name)
        wanted = canonical_model_name(self.options.model) if self.options.model else None
        if repo is None:
            emb = self._load_embedder(wanted or canonical_model_name(None))
            return writes.create_repository(conn, self.name, str(self.root), emb.model_name, emb.dimension)
        if self.options.full:
            emb = self._load_embedder(wanted or repo.model)
            return writes.reset_repository(
                conn, repo, root=str(self.root), model=emb.model_name, dimension=emb.dimension
            )
        if wanted and wanted != repo.model:
            raise IndexingError(
                f"repository {self.name!r} was indexed with {repo.model!r} ({repo.dimension}-d); "
                f"re-run with --full to re-embed everything with {wanted!r}"
            )
        return writes.update_root(conn, repo, str(self.root))

    # -- the stream --------------------------------------------------------------------------
    def _index_files(self) -> None:
        s = self.summary
        report = ScanReport()
        o = self.options
        scan_options = ScanOptions(
            include=o.include, exclude=o.exclude, skip_tests=o.skip_tests, max_file_bytes=o.max_file_bytes
        )
        files = list(scan(self.root, scan_options, report))  # paths only: O(files), small
        states = {} if o.full else writes.file_states(self.conn, self.repo.id)
        s.files_seen = len(files)
        if self.progress:
            self.progress.start(len(files))
        for source in files:
            self._visit(source, states)
        self._flush()
        # What is still in `states` was not seen on disk (or is now skipped): remove it.
        t = time.perf_counter()
        s.files_removed = writes.remove_files(self.conn, self.repo.id, sorted(states))
        if s.files_indexed or s.files_removed:
            writes.refresh_statistics(self.conn)
        s.write_s += time.perf_counter() - t
        for reason, n in report.skipped.items():
            s.files_skipped[reason] = s.files_skipped.get(reason, 0) + n
        s.model_load_s = self._model_load_s

    def _visit(self, source: SourceFile, states: dict[str, writes.FileState]) -> None:
        s = self.summary
        t = time.perf_counter()
        try:
            data = source.path.read_bytes()
        except OSError as exc:
            s.read_s += time.perf_counter() - t
            states.pop(source.rel_path, None)  # keep what is stored; report the failure
            self._fail(source, "", f"cannot read file: {exc.strerror or exc}")
            return
        digest = content_hash(data)
        s.read_s += time.perf_counter() - t
        state = states.get(source.rel_path)
        if state is not None and _unchanged(state, digest):
            del states[source.rel_path]
            s.files_unchanged += 1
            if state.status == "failed":
                s.files_failed += 1  # still broken: say so, but write nothing
                self._report(FileError(source.rel_path, f"unchanged since it failed: {state.last_error}"), record=False)
            self._advance(1, 0)
            return
        reason = content_skip_reason(data)
        if reason:
            s.files_skipped[reason] = s.files_skipped.get(reason, 0) + 1
            self._advance(1, 0)
            return  # left in `states` if it was indexed before: it is removed at the end
        states.pop(source.rel_path, None)
        t = time.perf_counter()
        try:
            parsed = parse_source(data, source.language, allow_partial=self.options.allow_partial)
            texts = [chunk_text(c, source.rel_path) for c in parsed.chunks]
        except Exception as exc:  # a bug of ours on strange input must not end the run
            s.parse_s += time.perf_counter() - t
            self._fail(source, digest, f"internal error while parsing: {type(exc).__name__}: {exc}")
            return
        s.parse_s += time.perf_counter() - t
        status, warning = "indexed", None
        if parsed.errors:
            first = parsed.errors[0]
            if not self.options.allow_partial:
                self._fail(source, digest, first.message, first.line, first.column)
                return
            status = "partial"
            warning = FileError(source.rel_path, f"{first.message} (kept {len(parsed.chunks)} clean chunks)",
                                first.line, first.column, "warning")
        self.window.append(_Pending(source, digest, parsed, texts, status, warning))
        self.window_chunks += len(texts)
        if self.window_chunks >= self.options.batch_chunks or len(self.window) >= self.options.window_files:
            self._flush()

    def _flush(self) -> None:
        """Embed the window's chunks in one call, then commit each file on its own."""
        if not self.window:
            return
        s = self.summary
        window, self.window, self.window_chunks = self.window, [], 0
        texts = [text for p in window for text in p.texts]
        embedder = self._load_embedder(self.repo.model)
        t = time.perf_counter()
        try:
            vectors = embedder.embed_documents(texts)
        except Exception:
            vectors = None  # find the culprit: embed file by file below
        s.embed_s += time.perf_counter() - t
        offset = 0
        for pending in window:
            n = len(pending.texts)
            try:
                if vectors is not None:
                    file_vectors = vectors[offset : offset + n]
                else:
                    t = time.perf_counter()
                    file_vectors = embedder.embed_documents(pending.texts)
                    s.embed_s += time.perf_counter() - t
                t = time.perf_counter()
                writes.write_file(
                    self.conn, self.repo, pending.source, pending.content_hash, pending.parsed, file_vectors,
                    status=pending.status, warning=str(pending.warning) if pending.warning else None,
                )
                s.write_s += time.perf_counter() - t
            except Exception as exc:  # any failure of this file: its transaction rolled back
                self._fail(pending.source, pending.content_hash, f"{type(exc).__name__}: {exc}")
            else:
                s.files_indexed += 1
                s.chunks_written += n
                if pending.warning:
                    self._report(pending.warning)
                self._advance(1, n)
            offset += n

    # -- outcomes ----------------------------------------------------------------------------
    def _fail(self, source: SourceFile, digest: str, message: str, line: int | None = None,
              column: int | None = None) -> None:
        s = self.summary
        s.files_failed += 1
        error = FileError(source.rel_path, message, line, column)
        where = f" at line {line}, column {column}" if line else ""
        if digest:
            writes.record_failed_file(self.conn, self.repo, source, digest, f"{message}{where}")
        self._report(error)
        self._advance(1, 0)

    def _report(self, error: FileError, *, record: bool = True) -> None:
        s = self.summary
        bucket = s.warnings if error.severity == "warning" else s.errors
        if len(bucket) < MAX_REPORTED_ERRORS:
            bucket.append(error)
        if record:
            writes.add_error(self.conn, s.run_id, self.repo.id, error.path, error.message,
                             line=error.line, column=error.column, severity=error.severity)
        if self.on_file_error:
            self.on_file_error(error)

    def _advance(self, files: int, chunks: int) -> None:
        if self.progress:
            self.progress.advance(files, chunks)

    def _build_graph(self) -> None:
        """The bulk phase: rebuild the graph when anything changed (or when it is missing)."""
        s = self.summary
        if not self.options.build_graph:
            return
        from mnemo.graph import build as graph_build

        changed = s.files_indexed or s.files_removed or self.options.full
        if not changed and graph_build.graph_is_current(self.db, self.repo.id):
            return
        t = time.perf_counter()
        try:
            stats = graph_build.build_graph(self.db, self.repo.id)
        except Exception as exc:  # the files are committed; a graph failure must not hide that
            s.graph_error = f"{type(exc).__name__}: {exc}"
            return
        finally:
            s.graph_s = time.perf_counter() - t
        s.graph = stats.to_json()


def _unchanged(state: writes.FileState, digest: str) -> bool:
    if state.status == "failed":
        return state.failed_hash == digest
    return state.content_hash == digest


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
