"""The streaming indexer: scan → read → parse/chunk/extract → embed in batches → one
transaction per file → graph in bulk at the end.

Memory is bounded by design. The only whole-repository structures are the list of paths to
visit (emptied as the files are visited) and the stored files' hashes (a few dozen bytes per
file, never chunks or vectors). Parsed files wait in a window of at most `window_files` files /
`batch_chunks` chunks / `WINDOW_CHARS` characters of text, closed before a file that would
overflow it, so embedding batches span several files and the model stays busy, while each file
still commits alone: a failure rolls back that file only, is recorded with its position, and
the run goes on. What a run holds at once is a few windows (the one filling, one queued for the
writer, the one being written) and one file's parse: it follows the biggest file, not the
repository's size.

Re-runs are incremental: a file whose content hash is unchanged is skipped without a write, a
changed file is replaced atomically, a file gone from disk loses its rows. `full=True` clears
the repository first. Runs on one repository are exclusive (an advisory lock); a run killed at
any point leaves only whole files behind, and the next run picks up from there.

The per-file work is `prepare_file` (pure: bytes → chunks) inside `FileIndexer` (read, skip,
prepare, embed a window, commit each file, record failures), which reports `FileOutcome`s. The
local driver commits behind the parsing: a writer thread with its own connection (`WriteBehind`)
writes window N while window N+1 is parsed, so Python and PostgreSQL each keep a core busy. The
local driver `_Run` feeds one FileIndexer and sums the outcomes; a distributed driver runs the
same FileIndexer on each worker, never a copy of it.

No input stops a run: every per-file step — read (a regular file only, size-capped, see
`scan.read_source`), decode (any encoding, `mnemo.decode`), the complexity budget
(`mnemo.budget`), parse, extract, embed, write, and recording the failure itself — runs inside
one guard that turns any exception into that file's failure. Only two things end a run early:
losing the database (`DatabaseLost`: the summary says so, exit code 2) and an interrupt
(Ctrl-C or SIGTERM: the run is marked interrupted).
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import psycopg

from mnemo.budget import check_complexity
from mnemo.chunk import parse_source
from mnemo.config import ConfigError
from mnemo.decode import decode_source
from mnemo.display import escape
from mnemo.embed import (
    MAX_TEXT_CHARS, Embedder, canonical_model_name, chunk_text, load_embedder, model_hash_of, release_embedder,
    text_hash,
)
from mnemo.embed.memory import release_free_memory, tune_allocator
from mnemo.languages.registry import has_grammar
from mnemo.models import ParsedFile, SourceFile
from mnemo.names import repository_name_problem
from mnemo.parse import parse_tree
from mnemo.scan import (
    DEFAULT_MAX_FILE_BYTES, PatternError, ScanOptions, ScanReport, Unreadable, compile_globs, content_skip_reason,
    read_source, scan,
)
from mnemo.store import embedding_cache, vector_index, writes
from mnemo.store.db import Database
from mnemo.store.embedding_cache import CacheKey

MAX_REPORTED_ERRORS = 50
log = logging.getLogger("mnemo.pipeline")


class DatabaseLost(Exception):
    """The database connection broke mid-run: nothing more can be written, the run ends."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the run is marked interrupted and the process exits."""


class IndexingError(ConfigError):
    """The run cannot start (bad path, model mismatch, repository busy). Exit code 2."""


@dataclass(frozen=True)
class IndexOptions:
    name: str | None = None  # repository name; default: the directory's name
    full: bool = False  # clean slate: delete the repository's data first
    model: str | None = None  # None: the repository's model, or the default for a new one
    strict: bool = False  # fail a file on any syntax error (default: keep what parsed, mark it partial)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    skip_tests: bool = False
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    batch_chunks: int = 256  # chunks per embedding call; the model sorts them by length inside
    window_files: int = 64  # parsed files waiting for their vectors, at most
    wait: bool = False  # wait for a concurrent run on the same repository instead of failing
    build_graph: bool = True
    write_behind: bool = True  # commit on a writer thread while the next files parse (FileIndexer)


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
    chunks_embedded: int = 0  # vectors computed by the model in this run
    chunks_reused: int = 0  # vectors taken from the cache (same model, same text)
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
    skipped: list[dict[str, str]] = field(default_factory=list)  # the first MAX_REPORTED_ERRORS (path, reason)
    graph: dict[str, Any] | None = None
    graph_error: str | None = None  # the graph phase failed (the files stay committed)
    fatal_error: str | None = None  # the run could not go on (the database was lost)

    @property
    def exit_code(self) -> int:
        """0 when every file indexed and the graph was built, 1 when some of that failed, 2 when
        the run could not finish (the database was lost: the files committed before stay)."""
        if self.fatal_error:
            return 2
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
class PreparedFile:
    """A file read, parsed and chunked: everything but its vectors. Pure data, no I/O."""

    source: SourceFile
    content_hash: str
    parsed: ParsedFile
    texts: list[str]  # what is embedded, one per chunk
    status: str  # "indexed" or "partial"
    warning: FileError | None
    encoding: str = "utf-8"


@dataclass
class FileOutcome:
    """What happened to one file; the driver turns these into the summary.

    kind: "indexed" (committed, `chunks` rows), "unchanged" (nothing written; `error` set when it
    is still the failed version), "skipped" (`reason`; its stored rows, if any, are removed at the
    end of the run) or "failed" (`error`; already recorded in the database).
    """

    path: str
    kind: str
    chunks: int = 0
    embedded: int = 0  # of `chunks`, how many vectors the model computed (the others were reused)
    reason: str | None = None
    error: FileError | None = None
    warning: FileError | None = None


@dataclass
class Timings:
    """Seconds spent per stage by one worker; added up by the driver."""

    read_s: float = 0.0
    parse_s: float = 0.0
    embed_s: float = 0.0
    write_s: float = 0.0
    model_load_s: float = 0.0

    def add(self, other: Timings) -> None:
        for name in ("read_s", "parse_s", "embed_s", "write_s", "model_load_s"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def prepare_file(source: SourceFile, data: bytes, digest: str, *, strict: bool = False,
                 encoding: str = "utf-8", note: str | None = None) -> PreparedFile | FileError:
    """Parse, chunk and extract one file's (UTF-8) bytes: the per-file step every driver shares.

    Returns the prepared file, or the FileError that fails it (too complex for the budget, a
    syntax error with its position, or an internal error on strange input, which must never end
    the run). A file with syntax errors is `partial` (its clean definitions and file-level chunks
    for the rest, a warning with the first error's position) unless nothing in it parsed or
    `strict` is set: then it fails. `note` (how the bytes were decoded, when that lost something)
    becomes a warning.
    """
    try:
        # one parse serves the budget check and the chunking
        tree = parse_tree(data, source.language) if has_grammar(source.language) else None
        over = check_complexity(data, source.language, tree=tree)
        if over is not None:
            return FileError(source.rel_path, over.message, over.line, over.column)
        parsed = parse_source(data, source.language, strict=strict, path=source.rel_path, tree=tree)
        del tree
        texts = [chunk_text(c, source.rel_path) for c in parsed.chunks]
    except Exception as exc:  # a bug of ours on strange input must not end the run
        return FileError(source.rel_path, f"internal error while parsing: {type(exc).__name__}: {exc}")
    status, warning = "indexed", None
    if parsed.errors:
        first = parsed.errors[0]
        if parsed.failed:
            return FileError(source.rel_path, first.message, first.line, first.column)
        status = "partial"
        warning = FileError(source.rel_path, f"{first.message} (kept {len(parsed.chunks)} chunks)",
                            first.line, first.column, "warning")
    if note:
        if warning is None:
            warning = FileError(source.rel_path, note, severity="warning")
        else:
            warning.message += f"; {note}"
    return PreparedFile(source, digest, parsed, texts, status, warning, encoding)


class FileIndexer:
    """Turns source files into committed rows, one transaction per file: the worker of a run.

    Parsed files wait in a window of at most `window_files` files / `batch_chunks` chunks /
    `WINDOW_CHARS` characters (a file bigger than that is a window alone) so one embedding call
    serves several files; each file still commits alone, and a failure rolls back
    that file only and is recorded (with its run) before the next file. The local driver runs one
    FileIndexer; a distributed driver runs one per worker, over the same code.

    With `write_connection` (a function opening a connection), the writes go behind: a thread
    owns that connection and commits each window's files while this thread reads, parses and
    embeds the next window (`WriteBehind`). Without it, every write happens inline on `conn`.
    Either way outcomes come back from `visit` and `flush`, and `flush` returns only once every
    file handed over is committed or recorded failed.
    """

    def __init__(self, conn: Any, repo: writes.Repository, run_id: int | None, options: IndexOptions,
                 embedder: Embedder | None = None, *,
                 write_connection: Callable[[], Any] | None = None) -> None:
        self.conn = conn
        self.repo = repo
        self.run_id = run_id
        self.options = options
        self.embedder = embedder
        self.timings = Timings()
        self.model_checked = False  # the repository's recorded weights hash was compared (or just written)
        self.window: list[PreparedFile] = []
        self.window_chunks = 0
        self.window_chars = 0  # of the window's texts, each counted up to MAX_TEXT_CHARS
        self._write_connection = write_connection
        self._writer: WriteBehind | None = None

    def load_embedder(self) -> Embedder:
        """The repository's model, loaded on first need (a no-change run never loads it), checked
        against the weights hash the repository recorded: vectors of two models never mix."""
        if self.embedder is None or self.embedder.model_name != self.repo.model:
            t = time.perf_counter()
            self.embedder = load_embedder(self.repo.model)
            self.timings.model_load_s += time.perf_counter() - t
        if not self.model_checked:
            found = model_hash_of(self.embedder)
            if self.repo.model_hash and found and found != self.repo.model_hash:
                raise IndexingError(
                    f"repository {self.repo.name!r} was indexed with {self.repo.model!r} of hash "
                    f"{self.repo.model_hash[:16]}, but that model now has hash {found[:16]}; "
                    "re-run with --full to re-embed everything"
                )
            if found and not self.repo.model_hash:
                self.repo = writes.set_model_hash(self.conn, self.repo, found)
            self.model_checked = True
        return self.embedder

    def visit(self, source: SourceFile, state: writes.FileState | None) -> list[FileOutcome]:
        """Read one file and either settle it now or queue it for the next embedding window.

        The guard: whatever this file does to any step, it ends as this file's outcome (a
        failure recorded with its reason), never as an exception — except a lost database or
        an interrupt, which end the run.
        """
        digest = ""
        try:
            return self._visit(source, state)
        except (KeyboardInterrupt, DatabaseLost, ConfigError):  # end the run (model mismatch, model cannot load)
            raise
        except Exception as exc:
            self._check_connection(exc, self.conn)
            error = FileError(source.rel_path, f"internal error: {type(exc).__name__}: {exc}")
            return self._fail_later(source, digest, error)

    def _visit(self, source: SourceFile, state: writes.FileState | None) -> list[FileOutcome]:
        tm = self.timings
        t = time.perf_counter()
        try:
            raw = read_source(source.path, self.options.max_file_bytes)
        except Unreadable as exc:
            tm.read_s += time.perf_counter() - t
            if exc.reason:  # it is no longer a file we index: a skip, like the scan's
                return [FileOutcome(source.rel_path, "skipped", reason=exc.reason)]
            # keep what is stored; report the failure
            return self._fail_later(source, "", FileError(source.rel_path, str(exc)))
        digest = content_hash(raw)
        tm.read_s += time.perf_counter() - t
        if state is not None and _unchanged(state, digest):
            error = None
            if state.status == "failed":  # still broken: say so, but write nothing
                error = FileError(source.rel_path, f"unchanged since it failed: {state.last_error}")
            return [FileOutcome(source.rel_path, "unchanged", error=error)]
        decoded = decode_source(raw)
        del raw
        reason = content_skip_reason(decoded.data)
        if reason:
            return [FileOutcome(source.rel_path, "skipped", reason=reason)]
        t = time.perf_counter()
        prepared = prepare_file(source, decoded.data, digest, strict=self.options.strict,
                                encoding=decoded.encoding, note=decoded.note)
        tm.parse_s += time.perf_counter() - t
        if isinstance(prepared, FileError):
            return self._fail_later(source, digest, prepared)
        outcomes: list[FileOutcome] = []
        chars = sum(min(len(text), MAX_TEXT_CHARS) for text in prepared.texts)
        if self.window and (self.window_chunks + len(prepared.texts) > self.options.batch_chunks
                            or self.window_chars + chars > WINDOW_CHARS):
            # this file would overflow the window: the window goes first, the file starts the next
            # one (a window holds more than its bounds only when one file alone does)
            outcomes = self._flush_window()
        self.window.append(prepared)
        self.window_chunks += len(prepared.texts)
        self.window_chars += chars
        if (self.window_chunks >= self.options.batch_chunks or self.window_chars >= WINDOW_CHARS
                or len(self.window) >= self.options.window_files):
            outcomes.extend(self._flush_window())
        return outcomes

    def _embed(self, embedder: Embedder, texts: list[str]) -> Any:
        """Embed in calls of at most `batch_chunks` texts and `EMBED_CALL_CHARS` characters: a
        file of 20,000 functions is never one call, and neither is a window of long chunks (a
        call's memory — the tokenizer's encodings — grows with its characters, not with the
        file's vectors)."""
        calls = list(_embed_calls(texts, max(1, self.options.batch_chunks), EMBED_CALL_CHARS))
        if len(calls) == 1:
            return np.asarray(embedder.embed_documents(texts), dtype=np.float32)
        # each call's vectors go straight into one array (a list of parts and their
        # concatenation held the window's vectors twice)
        out: np.ndarray | None = None
        for start, end in calls:
            part = embedder.embed_documents(texts[start:end])
            if out is None:
                out = np.empty((len(texts), part.shape[1]), dtype=np.float32)
            out[start:end] = part
            del part
        return out

    def flush(self) -> list[FileOutcome]:
        """Embed and commit what waits in the window; return once every file handed to this
        indexer is committed or recorded failed (the writer, if any, is drained)."""
        outcomes = self._flush_window()
        if self._writer is not None:
            outcomes.extend(self._writer.drain())
        return outcomes

    def close(self) -> None:
        """Stop the writer (after the file it is committing: only whole files are left) and
        close its connection. Safe to call twice, and after an error or an interrupt."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def _flush_window(self) -> list[FileOutcome]:
        """Embed the window's new texts in bounded calls (vectors of texts already embedded with
        this model come from the cache), then commit each file on its own."""
        if not self.window:
            return []
        tm = self.timings
        # a file over the window's bounds alone: its parse and tokeniser buffers were the biggest
        # of the run so far; their free pages go back once it is embedded (below)
        oversized = len(self.window) == 1 and (self.window_chunks > self.options.batch_chunks
                                               or self.window_chars > WINDOW_CHARS)
        window, self.window, self.window_chunks, self.window_chars = self.window, [], 0, 0
        # a model that cannot load, or does not match the repository's, is a configuration error
        # (exit 2): it raises through the per-file guard and ends the run
        if not self.repo.model_hash:  # the cache key needs the weights hash: only the model knows it
            self.load_embedder()
        key = self.cache_key()
        t = time.perf_counter()
        hashes = [[text_hash(text) for text in p.texts] for p in window]
        known = embedding_cache.lookup(self.conn, key, list({h for file_hashes in hashes for h in file_hashes}))
        new: dict[bytes, str] = {}  # text hash -> text, each new text once
        for p, file_hashes in zip(window, hashes):
            for h, text in zip(file_hashes, p.texts):
                if h not in known:
                    new.setdefault(h, text)
        tm.embed_s += time.perf_counter() - t
        # the model is loaded only when a text is new (a window of reused vectors needs none)
        embedder = self.load_embedder() if new else self.embedder
        t = time.perf_counter()
        block: np.ndarray | None = None  # the new texts' vectors, in the order of `new`
        rows: dict[bytes, int] = {}  # text hash -> its row in `block`
        try:
            if new:
                block = self._embed(embedder, list(new.values()))
                rows = {h: i for i, h in enumerate(new)}
                known.update(zip(new, block))
            failed = False
        except Exception:
            failed = True  # find the culprit: embed file by file below
        tm.embed_s += time.perf_counter() - t
        ready: list[_Ready | _Failed] = []
        for pending, file_hashes in zip(window, hashes):
            try:
                if failed and any(h not in known for h in file_hashes):
                    t = time.perf_counter()
                    todo = {h: text for h, text in zip(file_hashes, pending.texts) if h not in known}
                    known.update(zip(todo, self._embed(embedder, list(todo.values()))))
                    tm.embed_s += time.perf_counter() - t
                vectors = _file_vectors(file_hashes, known, block, rows, self.repo.dimension)
            except (KeyboardInterrupt, DatabaseLost):
                raise
            except Exception as exc:  # this file's texts cannot be embedded
                error = FileError(pending.source.rel_path, f"{type(exc).__name__}: {exc}")
                ready.append(_Failed(pending.source, pending.content_hash, error))
                continue
            embedded = sum(1 for h in set(file_hashes) if new.pop(h, None) is not None)
            # the texts are embedded: what waits for the writer is the chunks, not a second copy
            # of their sources (a window of long chunks: ~1 MB)
            pending.texts = []
            ready.append(_Ready(pending, file_hashes, vectors, embedded))
        del window, known, block, rows
        outcomes = self._submit(lambda conn: self._commit(conn, ready, key))
        if oversized:
            release_free_memory()  # a few ms, for the few big files (after every window it cost time)
        return outcomes

    def _commit(self, conn: Any, ready: list[_Ready | _Failed], key: CacheKey) -> list[FileOutcome]:
        """Write each file of a window in its own transaction (on the writer's thread when there
        is one); a file that fails is rolled back and recorded, and the next one goes on."""
        tm = self.timings
        outcomes: list[FileOutcome] = []
        ready.reverse()
        while ready:  # each file's chunks and vectors go as soon as it is committed
            item = ready.pop()
            if isinstance(item, _Failed):
                outcomes.append(self._fail(conn, item.source, item.digest, item.error))
                continue
            pending = item.prepared
            try:
                t = time.perf_counter()
                writes.write_file(
                    conn, self.repo, pending.source, pending.content_hash, pending.parsed, item.vectors,
                    status=pending.status, warning=str(pending.warning) if pending.warning else None,
                    encoding=pending.encoding, text_hashes=item.hashes, cache=key, batch_rows=WRITE_BATCH_ROWS,
                )
                tm.write_s += time.perf_counter() - t
                if len(item.hashes) > WRITE_BATCH_ROWS:  # a big file's statements are freed: trim
                    release_free_memory()
                if pending.warning:
                    self.record(pending.warning, conn)
            except (KeyboardInterrupt, DatabaseLost):
                raise
            except Exception as exc:  # any failure of this file: its transaction rolled back
                self._check_connection(exc, conn)
                error = FileError(pending.source.rel_path, f"{type(exc).__name__}: {exc}")
                outcomes.append(self._fail(conn, pending.source, pending.content_hash, error))
            else:
                outcomes.append(FileOutcome(pending.source.rel_path, "indexed", chunks=len(item.hashes),
                                            embedded=item.embedded, warning=pending.warning))
        return outcomes

    def _submit(self, job: Callable[[Any], list[FileOutcome]]) -> list[FileOutcome]:
        """Run a write job now on `conn`, or hand it to the writer thread; return the outcomes
        that are ready (with a writer: those of earlier jobs it has finished)."""
        if self._write_connection is None:
            return job(self.conn)
        if self._writer is None:
            self._writer = WriteBehind(self._write_connection, self._check_connection)
        return self._writer.submit(job)

    def cache_key(self) -> CacheKey:
        """The cache's key for this repository's vectors: its model name and weights hash."""
        return CacheKey(self.repo.model, self.repo.model_hash or "")

    @staticmethod
    def _check_connection(exc: BaseException, conn: Any) -> None:
        """Raise DatabaseLost when `exc` broke the connection: no later file could be written."""
        if conn.closed or conn.broken:
            raise DatabaseLost(f"the database connection was lost: {exc}") from exc

    def _fail_later(self, source: SourceFile, digest: str, error: FileError) -> list[FileOutcome]:
        """Record a failure through the same path as the writes (in order with them)."""
        return self._submit(lambda conn: [self._fail(conn, source, digest, error)])

    def _fail(self, conn: Any, source: SourceFile, digest: str, error: FileError) -> FileOutcome:
        """Record a failed file (its hash, so an unchanged re-run does not retry it) and the error.

        Recording is guarded too: a failure that cannot be stored is still reported (logged and
        returned), and the run goes on."""
        where = f" at line {error.line}, column {error.column}" if error.line else ""
        try:
            if digest:
                writes.record_failed_file(conn, self.repo, source, digest, f"{error.message}{where}")
            self.record(error, conn)
        except (KeyboardInterrupt, DatabaseLost):
            raise
        except Exception as exc:
            self._check_connection(exc, conn)
            log.warning("could not record the failure of %s: %s", escape(source.rel_path), escape(exc))
        return FileOutcome(source.rel_path, "failed", error=error)

    def record(self, error: FileError, conn: Any | None = None) -> None:
        writes.add_error(conn or self.conn, self.run_id, self.repo.id, error.path, error.message,
                         line=error.line, column=error.column, severity=error.severity)


@dataclass
class _Ready:
    """A prepared file with its vectors: all that its transaction needs."""

    prepared: PreparedFile
    hashes: list[bytes]
    vectors: np.ndarray
    embedded: int  # of its chunks, how many vectors the model computed in this run


@dataclass
class _Failed:
    """A file that failed before its transaction (e.g. its texts could not be embedded)."""

    source: SourceFile
    digest: str
    error: FileError


class WriteBehind:
    """One thread that owns a database connection and runs write jobs in order.

    Why: parsing is Python (one core) and committing is mostly PostgreSQL (the other core) with
    psycopg waiting, GIL released. Run one after the other they add up; with the writes behind,
    window N commits while window N+1 is parsed and embedded. Bounded: at most `depth` jobs
    (windows) wait, so the reader blocks rather than run ahead. One is enough: the writer is the
    slower side (busy ~90% of @babylonjs/core's files phase, the reader ~50%), so the next window
    is always ready when it takes one, and each window more waiting held ~1-2 MB more at the
    peak. Each job's files still commit
    one transaction each, on this one connection, in order. A job that raises (a lost database,
    an interrupt) stops the writer: the rest is dropped and the error re-raised in the caller's
    thread at its next call and every call after.
    """

    def __init__(self, connect: Callable[[], Any], check: Callable[[BaseException, Any], None],
                 depth: int = 1) -> None:
        self._connect = connect
        self._check = check
        self._jobs: queue.Queue[Callable[[Any], list[FileOutcome]] | None] = queue.Queue(maxsize=depth)
        self._done: list[FileOutcome] = []
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._stop = False
        self._conn: Any = None
        self._thread = threading.Thread(target=self._loop, name="mnemo-writer", daemon=True)
        self._thread.start()

    def submit(self, job: Callable[[Any], list[FileOutcome]]) -> list[FileOutcome]:
        """Queue a job (waits while `depth` jobs are queued); return the outcomes done so far."""
        self._raise()
        while True:
            try:
                self._jobs.put(job, timeout=0.5)
                break
            except queue.Full:
                self._raise()  # the writer stopped on an error: do not wait for it forever
        return self.take()

    def take(self) -> list[FileOutcome]:
        """The outcomes of finished jobs not taken yet."""
        with self._lock:
            done, self._done = self._done, []
        self._raise()
        return done

    def drain(self) -> list[FileOutcome]:
        """Wait until every queued job has run; their outcomes."""
        while self._thread.is_alive() and self._jobs.unfinished_tasks:
            self._thread.join(0.05)
        return self.take()

    def close(self) -> None:
        """Drop the jobs not started, let the current one finish, stop, close the connection."""
        self._stop = True
        try:
            while True:
                self._jobs.get_nowait()
                self._jobs.task_done()
        except queue.Empty:
            pass
        try:
            self._jobs.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join()

    def _raise(self) -> None:
        """Re-raise the writer's error in the caller, on every call after it (sticky: a caller
        that catches it cannot go on handing jobs to a stopped writer)."""
        if self._error is not None:
            self._stop = True
            raise self._error

    def _loop(self) -> None:
        try:
            while True:
                try:
                    job = self._jobs.get(timeout=0.5)
                except queue.Empty:
                    if self._stop:
                        return
                    continue
                try:
                    if job is None or self._stop:
                        if job is None:
                            return
                        continue
                    if self._conn is None:
                        try:
                            self._conn = self._connect()
                        except Exception as exc:  # nothing can be written: the run ends (exit 2)
                            raise DatabaseLost(f"the database connection was lost: {exc}") from exc
                    outcomes = job(self._conn)
                    with self._lock:
                        self._done.extend(outcomes)
                except BaseException as exc:  # handed to the caller's thread; later jobs dropped
                    self._error = exc
                    self._stop = True
                finally:
                    self._jobs.task_done()
        finally:
            if self._conn is not None:
                try:
                    self._conn.close()
                except Exception:  # a broken connection closes with an error: nothing to keep
                    pass


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
    """The local driver: lock, scan, feed one FileIndexer, remove what is gone, build the graph."""

    def __init__(self, database, root, options, progress, embedder, on_file_error) -> None:
        root = Path(root).expanduser()
        if not root.is_dir():
            raise IndexingError(f"{root}: not a directory")
        self.db = database
        self.root = root.resolve()
        self.options = options
        self.progress = progress
        self.embedder = embedder
        self._owns_embedder = embedder is None  # a model this run loads is dropped before the graph
        self.on_file_error = on_file_error
        self.name = options.name or self.root.name
        problem = repository_name_problem(self.name)
        if problem:
            raise IndexingError(f"repository name {escape(self.name)!r}: {problem}")
        try:  # a bad glob is a usage error, before anything is written
            compile_globs(options.include, "--include")
            compile_globs(options.exclude, "--exclude")
        except PatternError as exc:
            raise IndexingError(str(exc)) from None

    # -- set-up ------------------------------------------------------------------------------
    def execute(self) -> IndexSummary:
        started = time.perf_counter()
        restore = _terminate_as_interrupt()
        try:
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
                except DatabaseLost as exc:
                    s.status = "failed"
                    s.fatal_error = str(exc)
                except psycopg.Error as exc:
                    if not (conn.closed or conn.broken):
                        s.status = "interrupted"
                        raise
                    s.status = "failed"
                    s.fatal_error = f"the database connection was lost: {exc}"
                except BaseException:
                    s.status = "interrupted"
                    raise
                finally:
                    s.wall_s = time.perf_counter() - started
                    s.peak_rss_mb = peak_rss_mb()
                    if not s.fatal_error:
                        self._finish(s)
                    if self.progress:
                        self.progress.close()
                if not s.fatal_error:
                    self._release_memory()
                    self._build_graph()
                s.wall_s = time.perf_counter() - started
                s.peak_rss_mb = peak_rss_mb()
        except psycopg.OperationalError as exc:  # lost while closing or in the graph's connection
            summary = getattr(self, "summary", None)
            if summary is None:
                raise IndexingError(f"the database connection was lost: {exc}") from exc
            summary.status = "failed"
            summary.fatal_error = summary.fatal_error or f"the database connection was lost: {exc}"
        finally:
            restore()
        return self.summary

    def _finish(self, s: IndexSummary) -> None:
        """Record the run's outcome; on an interrupt this may fail too (the next run then marks
        it interrupted), which must not hide the interrupt."""
        try:
            writes.finish_run(self.conn, s.run_id, s.status, s.counts(), s.files_skipped)
        except psycopg.Error as exc:
            if s.status != "interrupted":
                if self.conn.closed or self.conn.broken:
                    s.status = "failed"
                    s.fatal_error = f"the database connection was lost: {exc}"
                    return
                raise
            log.warning("could not mark run %s interrupted: %s", s.run_id, escape(exc))

    def _options_json(self) -> dict[str, Any]:
        o = self.options
        return {
            "root": str(self.root), "strict": o.strict, "include": list(o.include),
            "exclude": list(o.exclude), "skip_tests": o.skip_tests, "model": self.repo.model,
        }

    def _load_embedder(self, model: str) -> Embedder:
        if self.embedder is None or self.embedder.model_name != model:
            t = time.perf_counter()
            self.embedder = load_embedder(model)
            self._model_load_s += time.perf_counter() - t
        return self.embedder

    def _prepare_repository(self) -> writes.Repository:
        """Find or create the repository; refuse to mix two models' vectors."""
        self._model_load_s = 0.0
        self._model_recorded = True  # a new or reset repository records the loaded model
        conn = self.conn
        repo = writes.repository_by_name(conn, self.name)
        self._previous_key = CacheKey(repo.model, repo.model_hash or "") if repo is not None else None
        wanted = canonical_model_name(self.options.model) if self.options.model else None
        if repo is None:
            # a new repository: the model asked for, else the embedder passed in, else the default
            given = self.embedder.model_name if self.embedder is not None else None
            emb = self._load_embedder(wanted or given or canonical_model_name(None))
            return writes.create_repository(conn, self.name, str(self.root), emb.model_name, emb.dimension,
                                            model_hash_of(emb))
        if self.options.full:
            emb = self._load_embedder(wanted or repo.model)
            return writes.reset_repository(
                conn, repo, root=str(self.root), model=emb.model_name, dimension=emb.dimension,
                model_hash=model_hash_of(emb),
            )
        if wanted and wanted != repo.model:
            raise IndexingError(
                f"repository {self.name!r} was indexed with {repo.model!r} ({repo.dimension}-d); "
                f"re-run with --full to re-embed everything with {wanted!r}"
            )
        self._model_recorded = False  # checked when the model is first needed
        return writes.update_root(conn, repo, str(self.root))

    # -- the stream --------------------------------------------------------------------------
    def _index_files(self) -> None:
        # Before the writer and the tokenizer start threads: two malloc arenas, not one per
        # thread (what the writer frees the reader reuses), and buffers over 256 KB (a big
        # file's statement, a batch's encodings) mapped and unmapped rather than left in the
        # heap. On @babylonjs/core the files phase peaked ~4 MB lower (116-117 vs 120-121 MB).
        tune_allocator()
        s = self.summary
        report = ScanReport()
        o = self.options
        scan_options = ScanOptions(
            include=o.include, exclude=o.exclude, skip_tests=o.skip_tests, max_file_bytes=o.max_file_bytes
        )
        files = list(scan(self.root, scan_options, report))  # paths only: O(files), small
        for warning in report.warnings:  # invalid ignore lines: skipped, said once per run
            error = FileError(warning.path, warning.message, warning.line, None, "warning")
            writes.add_error(self.conn, s.run_id, self.repo.id, error.path, error.message,
                             line=error.line, severity="warning")
            self._report(error)
        # The scan's skips are stored now, not held to the end: on @babylonjs/core that is 3,382
        # (path, reason) pairs; the summary keeps the first few.
        writes.record_skips(self.conn, s.run_id, self.repo.id, report.paths)
        scan_skips = report.paths[:MAX_REPORTED_ERRORS]
        report.paths = []
        states = {} if o.full else writes.file_states(self.conn, self.repo.id)
        # a run killed during a bulk load left no vector index: build it now (vector_index.py)
        if not vector_index.has_vector_index(self.conn, self.repo.dimension):
            vector_index.ensure_vector_index(self.conn, self.repo.dimension)
        bulk = vector_index.VectorIndexBulkLoad(self.conn, self.repo.dimension)
        if vector_index.bulk_load_pays(self.conn, self.repo.dimension, len(files) - len(states)):
            bulk.start()
        gone: list[str] = []  # stored paths now skipped by content: removed at the end
        s.files_seen = len(files)
        if self.progress:
            self.progress.start(len(files))
        # the writes go behind, on a connection of their own (FileIndexer, WriteBehind)
        worker = FileIndexer(self.conn, self.repo, s.run_id, o, self.embedder,
                             write_connection=self._writer_connection if o.write_behind else None)
        self.skipped_paths: list[tuple[str, str]] = []
        worker.model_checked = self._model_recorded
        stored = set(states)  # the paths stored before the run: a skip of one removes its rows
        # Visited files leave the list: the 3,393 paths of @babylonjs/core are ~2.5 MB of Python
        # objects, and the files phase peaks near its end, when almost all of them are gone.
        files.reverse()
        try:
            while files:
                source = files.pop()
                state = states.pop(source.rel_path, None)
                for outcome in worker.visit(source, state):
                    self._account(outcome, gone if outcome.path in stored else None)
            for outcome in worker.flush():
                self._account(outcome, gone if outcome.path in stored else None)
        finally:
            worker.close()
            try:
                bulk.finish()
            except psycopg.Error as exc:  # the next run builds it (see above)
                log.warning("could not build the vector index: %s", escape(exc))
        self.embedder = worker.embedder
        writes.record_skips(self.conn, s.run_id, self.repo.id, self.skipped_paths)
        skips = scan_skips + self.skipped_paths[:MAX_REPORTED_ERRORS]
        s.skipped = [{"path": p, "reason": r} for p, r in skips[:MAX_REPORTED_ERRORS]]
        # What is still in `states` was not seen on disk (or is now skipped): remove it.
        t = time.perf_counter()
        s.files_removed = writes.remove_files(self.conn, self.repo.id, sorted([*states, *gone]), worker.cache_key())
        self.repo = worker.repo  # with the model hash, when the worker recorded it
        if o.full:  # the cleared chunks' vectors that this run did not reuse
            embedding_cache.sweep(self.conn, worker.cache_key())
            if self._previous_key is not None and self._previous_key != worker.cache_key():
                embedding_cache.sweep(self.conn, self._previous_key)
        if s.files_indexed or s.files_removed:
            writes.refresh_statistics(self.conn, s.files_indexed + s.files_removed)
        worker.timings.write_s += time.perf_counter() - t
        for reason, n in report.skipped.items():
            s.files_skipped[reason] = s.files_skipped.get(reason, 0) + n
        worker.timings.model_load_s += self._model_load_s
        tm = worker.timings
        s.read_s, s.parse_s, s.embed_s, s.write_s = tm.read_s, tm.parse_s, tm.embed_s, tm.write_s
        s.model_load_s = tm.model_load_s

    def _writer_connection(self) -> psycopg.Connection:
        """The writer thread's connection. Its commits do not wait for the WAL flush
        (synchronous_commit off): a crash of the server may lose the last few files committed,
        never a part of one, and the next run indexes them again (their hashes are not stored)."""
        conn = self.db.connect(autocommit=True)
        conn.execute("SET synchronous_commit = off")
        # psycopg remembers each statement text it has run (to prepare the ones run five times),
        # up to `prepared_max` of them, with their parameter types: a multi-row INSERT of 128 rows
        # is ~25 KB of key. Files of every chunk count give a shape per count: on @babylonjs/core
        # the writer held 179 keys, 1.1 MB (rxjs: 40, 0.07 MB). The statements every file runs
        # stay prepared in 16; the rarer shapes run unprepared, as they did before.
        conn.prepared_max = WRITER_PREPARED_MAX
        return conn

    def _account(self, outcome: FileOutcome, gone: list[str] | None) -> None:
        """Add one file's outcome to the summary and the progress bar."""
        s = self.summary
        if outcome.kind == "indexed":
            s.files_indexed += 1
            s.chunks_written += outcome.chunks
            s.chunks_embedded += outcome.embedded
            s.chunks_reused += outcome.chunks - outcome.embedded
            if outcome.warning:
                self._report(outcome.warning)
        elif outcome.kind == "unchanged":
            s.files_unchanged += 1
            if outcome.error:
                s.files_failed += 1
                self._report(outcome.error)
        elif outcome.kind == "skipped":
            reason = outcome.reason or "skipped"
            s.files_skipped[reason] = s.files_skipped.get(reason, 0) + 1
            self.skipped_paths.append((outcome.path, reason))
            if gone is not None:
                gone.append(outcome.path)
        else:
            s.files_failed += 1
            if outcome.error:
                self._report(outcome.error)
        if self.progress:
            self.progress.advance(1, outcome.chunks)

    # -- outcomes ----------------------------------------------------------------------------
    def _report(self, error: FileError) -> None:
        """Keep the first errors for the summary and tell the caller (already recorded)."""
        s = self.summary
        bucket = s.warnings if error.severity == "warning" else s.errors
        if len(bucket) < MAX_REPORTED_ERRORS:
            bucket.append(error)
        if self.on_file_error:
            self.on_file_error(error)

    def _release_memory(self) -> None:
        """Free what the file phase held before the graph phase allocates its own: the model
        when this run loaded it, then the allocator's free pages. Without this the two phases'
        peaks stack (measured on @babylonjs/core: files 91 MB and graph 118 MB alone, 174 MB in
        one process)."""
        if self._owns_embedder and self.embedder is not None:
            release_embedder(self.embedder.model_name)
            self.embedder = None
        gc.collect()
        release_free_memory()

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
            if self.options.full or os.environ.get("MNEMO_GRAPH_INCREMENTAL") == "0":
                stats = graph_build.build_graph(self.db, self.repo.id)
            else:  # re-resolve only what the changed files reach; equal to a full build
                from mnemo.graph.incremental import update_graph

                stats = update_graph(self.db, self.repo.id)
        except Exception as exc:  # the files are committed; a graph failure must not hide that
            s.graph_error = f"{type(exc).__name__}: {exc}"
            return
        finally:
            s.graph_s = time.perf_counter() - t
        s.graph = stats.to_json()


def _terminate_as_interrupt() -> Callable[[], None]:
    """Make SIGTERM raise Terminated (a KeyboardInterrupt) while a run is going, so `kill` ends
    a run the way Ctrl-C does: marked interrupted, only whole files left. Only the main thread
    can take signals; elsewhere (an API job) this does nothing. Returns what restores the old
    handler."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def on_term(signum: int, frame: Any) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except (ValueError, OSError):
        return lambda: None
    return lambda: signal.signal(signal.SIGTERM, previous)


# Statement texts the writer's connection keeps for preparing (see `_Run._writer_connection`).
WRITER_PREPARED_MAX = 16

# Chunk rows per INSERT statement of one file's transaction. The statement's parameters are built
# whole on the writer thread while the reader parses the next files: on @babylonjs/core's biggest
# file (636 chunks, 300 KB) one 636-row statement held ~7 MB of them at once; most files have
# fewer rows than this and still write in one statement.
WRITE_BATCH_ROWS = 128

# Characters of text per embedding call, at most (each text counted up to the MAX_TEXT_CHARS the
# models read): 32 texts of full length. A call's memory is the tokenizer's encodings and buffers,
# which follow its characters: over the biggest files of @babylonjs/core a 128 KB call raised the
# peak by 5.6 MB, a 64 KB one by 3.4 MB (256-text calls before that: ~6 MB more), at the same speed.
EMBED_CALL_CHARS = 64 * 1024


# Characters of text (each text counted up to MAX_TEXT_CHARS) a window of parsed files holds
# before it is embedded and handed to the writer, besides its `batch_chunks` chunks and
# `window_files` files. A window's memory (its chunks, texts, vectors and the writer's statements)
# follows its text, and the windows alive at once are a few (the one filling, the writer's queue):
# on @babylonjs/core, whose chunks are long, windows of 256 chunks held up to 390 KB of text
# (rxjs's at most 195 KB). Two embedding calls. Not a bound on a single file: a file is embedded
# and written whole.
WINDOW_CHARS = 128 * 1024


def _file_vectors(file_hashes: list[bytes], known: dict[bytes, np.ndarray], block: np.ndarray | None,
                  rows: dict[bytes, int], dimension: int) -> np.ndarray:
    """One file's vectors, in chunk order. When the file's texts were all embedded in this window,
    one after the other (a new file of distinct chunks), a view of the window's block, not a copy."""
    n = len(file_hashes)
    if not n:
        return np.zeros((0, dimension), dtype=np.float32)
    first = rows.get(file_hashes[0])
    if block is not None and first is not None and all(rows.get(h) == first + i for i, h in enumerate(file_hashes)):
        return block[first : first + n]
    return np.array([known[h] for h in file_hashes], dtype=np.float32)


def _embed_calls(texts: list[str], max_texts: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """(start, end) of consecutive slices of `texts` with at most `max_texts` texts and
    `max_chars` characters each (a single longer text is a slice alone)."""
    start, chars = 0, 0
    for i, text in enumerate(texts):
        size = min(len(text), MAX_TEXT_CHARS)
        if i > start and (i - start >= max_texts or chars + size > max_chars):
            yield start, i
            start, chars = i, 0
        chars += size
    if start < len(texts):
        yield start, len(texts)


def _unchanged(state: writes.FileState, digest: str) -> bool:
    if state.status == "failed":
        return state.failed_hash == digest
    return state.content_hash == digest


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
