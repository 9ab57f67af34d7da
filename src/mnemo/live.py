"""Keep an index live: notice changed files cheaply, and apply them with an incremental run.

Two ways to stay fresh, on the same pieces:

* `Freshness.ensure(name)` — before a server (MCP) answers a question about a repository, it
  compares a *stat signature* of the tree (every file the scan would index: path, size, mtime)
  with the one seen after the last refresh. Equal: nothing to do (one directory walk, no file
  read). Different: an incremental index run (changed files only are re-parsed and re-embedded;
  the graph follows). A run that cannot take the repository's lock (another process is
  indexing) is not waited for: the answer comes from the last committed state, and says so.
* `watch(...)` — `mnemo watch DIR`: watchfiles reports bursts of changes (an editor's save,
  a `git checkout` of hundreds of files) debounced into one batch; each batch is one
  incremental run.

Both re-use the options the repository was last indexed with (include/exclude globs,
--skip-tests, --strict), so a refresh never changes which files are indexed.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnemo.pipeline import IndexingError, IndexOptions, IndexSummary, index_repository
from mnemo.scan import ScanOptions, scan
from mnemo.store.db import Database
from mnemo.store.reads import Repository, get_repository


@dataclass(frozen=True)
class RepositoryOptions:
    """How a repository was indexed last (from its latest run), to index it the same way again."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    skip_tests: bool = False
    strict: bool = False

    def scan_options(self) -> ScanOptions:
        return ScanOptions(include=self.include, exclude=self.exclude, skip_tests=self.skip_tests)

    def index_options(self, name: str, *, full: bool = False, wait: bool = False) -> IndexOptions:
        return IndexOptions(name=name, full=full, include=self.include, exclude=self.exclude,
                            skip_tests=self.skip_tests, strict=self.strict, wait=wait)


def last_options(database: Database, repository_id: int) -> RepositoryOptions:
    with database.connect() as conn:
        row = conn.execute(
            "SELECT options FROM index_runs WHERE repository_id = %s ORDER BY started_at DESC, id DESC LIMIT 1",
            (repository_id,),
        ).fetchone()
    options = (row[0] if row else None) or {}
    return RepositoryOptions(
        include=tuple(options.get("include") or ()), exclude=tuple(options.get("exclude") or ()),
        skip_tests=bool(options.get("skip_tests")), strict=bool(options.get("strict")),
    )


def tree_signature(root: Path, options: ScanOptions) -> str:
    """A digest of (path, size, mtime) of every file the scan would index under `root`.

    Adding, deleting, renaming or saving a file changes it; nothing is read but directory
    entries and .gitignore files. O(files) time, O(1) memory (a running hash)."""
    digest = hashlib.blake2b(digest_size=16)
    for source in scan(root, options):
        try:
            st = source.path.stat()
        except OSError:
            continue
        digest.update(f"{source.rel_path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass
class Refresh:
    """What `Freshness.ensure` did before an answer: shown to the agent with the answer."""

    repository: str
    state: str  # 'current' | 'refreshed' | 'busy' (answered from the last committed state) | 'off' | 'failed'
    checked_s: float = 0.0
    indexed_s: float = 0.0
    files_indexed: int = 0
    files_removed: int = 0
    files_failed: int = 0
    message: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {"state": self.state, "checked_ms": round(self.checked_s * 1000, 1)}
        if self.state == "refreshed":
            data.update(indexed_ms=round(self.indexed_s * 1000, 1), files_indexed=self.files_indexed,
                        files_removed=self.files_removed, files_failed=self.files_failed)
        if self.message:
            data["message"] = self.message
        return data


@dataclass
class _Seen:
    signature: str
    at: float


class Freshness:
    """Per-process memory of each repository's last refreshed signature (thread-safe)."""

    def __init__(self, database: Database, *, enabled: bool = True,
                 embedder: Callable[[str], Any] | None = None) -> None:
        self.database = database
        self.enabled = enabled
        self._embedder = embedder  # model name -> Embedder, the server's loaded model
        self._seen: dict[str, _Seen] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, name: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(name, threading.Lock())

    def ensure(self, name: str) -> Refresh:
        """Apply pending changes of repository `name`'s files before answering about it."""
        if not self.enabled:
            return Refresh(name, "off")
        started = time.perf_counter()
        with self.database.connect() as conn:
            repo = get_repository(conn, name)
        root = Path(repo.root)
        if not root.is_dir():
            return Refresh(name, "off", message=f"the repository's root {root} is not on this machine; "
                                                "answering from the index as stored")
        with self._lock(name):
            options = last_options(self.database, repo.id)
            signature = tree_signature(root, options.scan_options())
            seen = self._seen.get(name)
            checked = time.perf_counter() - started
            if seen is not None and seen.signature == signature:
                return Refresh(name, "current", checked_s=checked)
            return self._refresh(repo, root, options, signature, checked)

    def _refresh(self, repo: Repository, root: Path, options: RepositoryOptions, signature: str,
                 checked: float) -> Refresh:
        started = time.perf_counter()
        embedder = self._embedder(repo.model) if self._embedder else None
        try:
            summary = index_repository(self.database, root, options.index_options(repo.name), embedder=embedder)
        except IndexingError as exc:
            if "being indexed" in str(exc):
                return Refresh(repo.name, "busy", checked_s=checked,
                               message="another process is indexing this repository; answered from the last "
                                       "committed state (whole files only)")
            return Refresh(repo.name, "failed", checked_s=checked, message=str(exc))
        self._seen[repo.name] = _Seen(signature, time.time())
        return Refresh(
            repo.name, "refreshed", checked_s=checked, indexed_s=time.perf_counter() - started,
            files_indexed=summary.files_indexed, files_removed=summary.files_removed,
            files_failed=summary.files_failed,
            message=summary.graph_error and f"graph not updated: {summary.graph_error}",
        )

    def pending(self, name: str) -> bool | None:
        """Whether the tree differs from what was last refreshed (None: never refreshed here)."""
        seen = self._seen.get(name)
        if seen is None:
            return None
        with self.database.connect() as conn:
            repo = get_repository(conn, name)
        root = Path(repo.root)
        if not root.is_dir():
            return None
        return tree_signature(root, last_options(self.database, repo.id).scan_options()) != seen.signature


# -- watch ----------------------------------------------------------------------------------


@dataclass
class WatchBatch:
    """One debounced burst of changes and the incremental run that applied it."""

    changes: int
    summary: IndexSummary | None
    error: str | None = None
    paths: list[str] = field(default_factory=list)  # a few of the changed paths, for the log


def watch(
    database: Database,
    root: Path,
    options: IndexOptions,
    *,
    embedder: Any = None,
    debounce_ms: int = 300,
    stop: threading.Event | None = None,
    on_ready: Callable[[IndexSummary], None] | None = None,
) -> Iterator[WatchBatch]:
    """Index `root` once, then once per debounced burst of file changes, until `stop` is set.

    A burst is everything watchfiles reports within `debounce_ms` of quiet (a save, a
    formatter touching many files, a branch switch); changes made while a run is going are
    reported in the next batch, so none is lost. Changes to paths the scan would skip
    (.git, node_modules, files of unknown languages) do not start a run.
    """
    import watchfiles

    root = root.resolve()
    opts = ScanOptions(include=options.include, exclude=options.exclude, skip_tests=options.skip_tests)
    signature = tree_signature(root, opts)  # before the first run: what changes during it is caught
    first = index_repository(database, root, options, embedder=embedder)
    if on_ready:
        on_ready(first)
    # The watcher starts on the first iteration below, a moment after the first run: the first
    # quiet timeout compares the signature once, so a change made in that gap is not missed.
    settled = False
    for changes in watchfiles.watch(root, debounce=debounce_ms, step=50, stop_event=stop,
                                    watch_filter=_SourceFilter(root), raise_interrupt=False,
                                    yield_on_timeout=True, rust_timeout=1000):
        if not changes:
            if settled:
                continue
            settled = True
        current = tree_signature(root, opts)
        if current == signature:
            continue  # touched but not changed (or only skipped files)
        paths = sorted(os.path.relpath(p, root) for _, p in changes) or ["(changed before the watch began)"]
        try:
            summary = index_repository(database, root, options, embedder=embedder)
        except IndexingError as exc:
            yield WatchBatch(len(changes), None, str(exc), paths[:5])
            continue
        signature = current
        yield WatchBatch(len(changes), summary, None, paths[:5])


class _SourceFilter:
    """Ignore what can never be indexed: VCS internals and the default excluded directories."""

    def __init__(self, root: Path) -> None:
        from mnemo.scan import DEFAULT_EXCLUDED_DIRS

        self._root = str(root)
        self._skip = DEFAULT_EXCLUDED_DIRS

    def __call__(self, change: Any, path: str) -> bool:
        parts = Path(os.path.relpath(path, self._root)).parts
        return not any(p in self._skip for p in parts)
