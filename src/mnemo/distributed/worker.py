"""The worker of a distributed run: one per Ray worker process, as an actor.

It holds what is expensive to make and cheap to keep — the embedding model and a database
connection — and runs the pipeline's own `FileIndexer` over each batch of files it is handed,
so a file is read, parsed, embedded and committed (one transaction) exactly as in a local run.
It returns the `FileOutcome`s and the stage timings for the driver to sum, never rows.

This module does not import Ray: `driver.py` wraps `IndexWorker` with `ray.remote`, so the class
can be tested and reasoned about as plain Python.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnemo.distributed.checkout import ensure_checkout
from mnemo.models import SourceFile
from mnemo.pipeline import FileIndexer, FileOutcome, IndexOptions, Timings, peak_rss_mb
from mnemo.store import writes
from mnemo.store.db import Database, DatabaseError, check_schema


@dataclass(frozen=True)
class RepositoryTask:
    """What every batch of one repository shares (sent once per batch; a few hundred bytes)."""

    repo: writes.Repository
    run_id: int
    options: IndexOptions
    url: str | None = None  # a git source: clone it at `commit` when `repo.root` is missing here
    commit: str | None = None


@dataclass
class Batch:
    """A slice of one repository's files, with the states the driver read when it scanned."""

    task: RepositoryTask
    files: list[tuple[SourceFile, writes.FileState | None]]
    number: int = 0


@dataclass
class BatchResult:
    repository: str
    number: int
    outcomes: list[FileOutcome]
    timings: Timings
    worker: dict[str, Any] = field(default_factory=dict)


@dataclass
class GraphResult:
    repository: str
    graph: dict[str, Any] | None
    error: str | None
    seconds: float
    worker: dict[str, Any] = field(default_factory=dict)


class IndexWorker:
    """One worker process's indexer: the model once, one connection, FileIndexer per batch."""

    def __init__(self, database_url: str, threads: int | None = None) -> None:
        self.database = Database(database_url)
        self.threads = threads
        self.embedder = None
        self.conn = None
        self.batches = 0
        self.files = 0

    # -- what the driver asks ------------------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """Who this worker is: host, pid and peak memory (for progress and the benchmark)."""
        return {"host": socket.gethostname(), "pid": os.getpid(), "peak_rss_mb": round(peak_rss_mb(), 1),
                "batches": self.batches, "files": self.files}

    def model_info(self, model: str) -> tuple[str, int]:
        """Load `model` here (the driver never loads it) and say its canonical name and dimension."""
        embedder = self._embedder(model)
        return embedder.model_name, embedder.dimension

    def index_batch(self, batch: Batch) -> BatchResult:
        """Run FileIndexer over the batch: every file committed alone, or failed and recorded."""
        task = batch.task
        self._ensure_root(task)
        indexer = FileIndexer(self._connection(), task.repo, task.run_id, task.options,
                              self._embedder(task.repo.model))
        outcomes: list[FileOutcome] = []
        for source, state in batch.files:
            outcomes.extend(indexer.visit(source, state))
        outcomes.extend(indexer.flush())
        self.batches += 1
        self.files += len(batch.files)
        return BatchResult(task.repo.name, batch.number, outcomes, indexer.timings, self.describe())

    def build_graph(self, task: RepositoryTask) -> GraphResult:
        """The repository's graph, after all its files: the same bulk build as a local run."""
        from mnemo.graph import build as graph_build

        self._ensure_root(task)
        started = time.perf_counter()
        try:
            stats = graph_build.build_graph(self.database, task.repo.id)
        except Exception as exc:  # the files are committed; report, do not crash the worker
            return GraphResult(task.repo.name, None, f"{type(exc).__name__}: {exc}",
                               time.perf_counter() - started, self.describe())
        return GraphResult(task.repo.name, stats.to_json(), None, time.perf_counter() - started, self.describe())

    # -- what it keeps -------------------------------------------------------------------------
    def _connection(self):
        if self.conn is None or self.conn.closed:
            try:
                self.conn = self.database.connect(autocommit=True)
                check_schema(self.conn)
            except DatabaseError as exc:
                raise DatabaseError(f"worker on {socket.gethostname()}: {exc}") from exc
        return self.conn

    def _embedder(self, model: str):
        if self.embedder is None or self.embedder.model_name != model:
            from mnemo.embed import load_embedder

            self.embedder = load_embedder(model)
            self._limit_threads()
        return self.embedder

    def _limit_threads(self) -> None:
        """Use the CPUs Ray gave this actor, not the whole machine's (the loader asks for all)."""
        torch = sys.modules.get("torch")
        if self.threads and torch is not None:
            torch.set_num_threads(self.threads)

    def _ensure_root(self, task: RepositoryTask) -> None:
        root = Path(task.repo.root)
        if root.is_dir():
            return
        if task.url and task.commit:
            ensure_checkout(task.url, task.commit, root=root, origin=task.repo.name)
            return
        raise FileNotFoundError(
            f"repository {task.repo.name!r}: {root} does not exist on worker host {socket.gethostname()}; "
            "on a multi-machine cluster give a git URL in the manifest or put the tree on a shared file system"
        )
