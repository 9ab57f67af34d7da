"""The driver of a distributed run: scan and lock each repository, feed batches of files to a
pool of Ray actors (`worker.IndexWorker`), sum the outcomes, then build each repository's graph.

Per repository, exactly what a local run does, in the same order: take the repository's lock
(held on the driver's connection for the whole run), find or create it (refusing a model
change without --full), start a run, scan, send the files in batches with the states read at
scan time, remove what is gone, ANALYZE, finish the run with its counts, build the graph. The
files of one repository spread over all workers; repositories overlap (the next one's files
are indexed while the last one's graph is built), and at most `max_open` repositories are open
at once, so a manifest of thousands holds a bounded number of connections and paths.

Failure model. Every file is one transaction, written by a worker. A worker that dies (killed,
out of memory, its machine gone) takes only its uncommitted file with it: its batches go back
to the queue (at most `max_retries` times each) and a new actor replaces it. A repository
whose work cannot run (lock held elsewhere, model mismatch, root missing on a worker) is
reported as failed and the others go on. Ctrl-C marks the open runs interrupted; a re-run
continues from the content hashes.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from mnemo.config import ConfigError
from mnemo.distributed.checkout import ensure_checkout
from mnemo.distributed.manifest import RepositorySpec
from mnemo.distributed.worker import Batch, BatchResult, GraphResult, IndexWorker, RepositoryTask
from mnemo.embed import canonical_model_name
from mnemo.pipeline import MAX_REPORTED_ERRORS, FileError, FileOutcome, IndexOptions, IndexSummary, peak_rss_mb
from mnemo.scan import ScanOptions, ScanReport, scan
from mnemo.store import writes
from mnemo.store.db import Database


class ClusterError(ConfigError):
    """The distributed run cannot start: Ray missing or unreachable, database unreachable from
    the workers (exit code 2)."""


def require_ray():
    """Import Ray, or explain how to get it: it is an optional extra."""
    try:
        import ray
    except ImportError as exc:
        raise ClusterError(
            "distributed indexing needs Ray, an optional extra: pip install 'mnemo[ray]'"
        ) from exc
    return ray


@dataclass(frozen=True)
class ClusterOptions:
    address: str | None = None  # an existing cluster ("auto", "host:6379", "ray://…"); None: start one here
    workers: int | None = None  # actors; default: the cluster's CPUs / cpus_per_worker
    cpus_per_worker: float = 1.0
    batch_files: int = 32  # files per batch: big enough to fill an embedding window, small enough to spread
    in_flight: int = 2  # batches queued on each worker, so it never waits for the driver
    max_open: int | None = None  # repositories open at once; default: 2 × workers, at least 4
    max_retries: int = 2  # times a batch is re-sent after its worker died
    checkouts: Path | None = None  # where git URLs are cloned; default $MNEMO_HOME/checkouts


class ClusterProgress(Protocol):
    """How the driver reports; the CLI draws a bar with per-repository status."""

    def start(self, repositories: list[str], workers: int) -> None: ...
    def add_files(self, repository: str, files: int) -> None: ...
    def advance(self, repository: str, files: int, chunks: int) -> None: ...
    def status(self, repository: str, status: str) -> None: ...
    def close(self) -> None: ...


@dataclass
class ClusterSummary:
    repositories: list[IndexSummary]
    wall_s: float = 0.0
    workers: list[dict[str, Any]] = field(default_factory=list)  # describe() of each live worker at the end
    workers_lost: int = 0
    batches_retried: int = 0
    driver_peak_rss_mb: float = 0.0
    address: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if any(s.exit_code or s.status not in ("succeeded",) for s in self.repositories) else 0

    def totals(self) -> dict[str, Any]:
        keys = ("files_seen", "files_indexed", "files_unchanged", "files_removed", "files_failed", "chunks_written")
        return {k: sum(getattr(s, k) for s in self.repositories) for k in keys}

    def to_json(self) -> dict[str, Any]:
        return {
            "repositories": [s.to_json() for s in self.repositories],
            "totals": self.totals(),
            "wall_s": self.wall_s,
            "workers": self.workers,
            "workers_lost": self.workers_lost,
            "batches_retried": self.batches_retried,
            "driver_peak_rss_mb": self.driver_peak_rss_mb,
            "address": self.address,
            "exit_code": self.exit_code,
        }


@dataclass
class _Job:
    """One repository while it is open on the driver."""

    spec: RepositorySpec
    summary: IndexSummary
    conn: Any = None  # holds the repository's lock; closed when the job ends
    task: RepositoryTask | None = None
    leftover: dict[str, writes.FileState] = field(default_factory=dict)  # stored, not seen on disk
    gone: list[str] = field(default_factory=list)  # stored, now skipped by content
    outstanding: int = 0  # batches sent or queued, not yet answered
    started: float = 0.0
    graph_sent: bool = False
    done: bool = False


@dataclass
class _Item:
    job: _Job
    batch: Batch | None = None  # None: the graph build
    retries: int = 0


class _Worker:
    def __init__(self, handle: Any, index: int) -> None:
        self.handle = handle
        self.index = index
        self.in_flight: dict[Any, _Item] = {}
        self.alive = True
        self.info: dict[str, Any] = {}


class ClusterIndexer:
    """Index many repositories on a Ray cluster into one database; see the module docstring."""

    def __init__(self, database: Database, specs: list[RepositorySpec], options: IndexOptions = IndexOptions(),
                 cluster: ClusterOptions = ClusterOptions(), *, progress: ClusterProgress | None = None) -> None:
        self.db = database
        self.specs = specs
        self.options = options
        self.cluster = cluster
        self.progress = progress
        self.workers: list[_Worker] = []
        self.queue: collections.deque[_Item] = collections.deque()
        self.jobs: list[_Job] = []
        self.summary = ClusterSummary(repositories=[])
        self._models: dict[str, tuple[str, int]] = {}
        self._started_ray = False
        self._replacements = 0

    # -- the run -----------------------------------------------------------------------------
    def run(self) -> ClusterSummary:
        ray = require_ray()
        started = time.perf_counter()
        pending = collections.deque(self.specs)
        checkouts = ThreadPoolExecutor(max_workers=4, thread_name_prefix="mnemo-checkout")
        clones: dict[str, Future] = {
            s.name: checkouts.submit(ensure_checkout, s.url, s.revision, origin=s.origin,
                                     **({"root": None} if self.cluster.checkouts is None else
                                        {"root": _checkout_root(self.cluster.checkouts, s.url)}))
            for s in self.specs if s.is_git
        }
        try:
            self._connect(ray)  # inside: a refused database still shuts down the cluster we started
            self._start_workers(ray)
            if self.progress:
                self.progress.start([s.name for s in self.specs], len(self.workers))
            max_open = self.cluster.max_open or max(4, 2 * len(self.workers))
            while pending or any(not j.done for j in self.jobs):
                while pending and sum(not j.done for j in self.jobs) < max_open:
                    self._open(pending.popleft(), clones)
                self._dispatch()
                self._collect(ray)
        except BaseException:
            self._kill_workers(ray)  # first: no worker writes after its run is marked interrupted
            self._interrupt()
            raise
        finally:
            checkouts.shutdown(wait=False, cancel_futures=True)
            self.summary.wall_s = time.perf_counter() - started
            self.summary.driver_peak_rss_mb = peak_rss_mb()
            self._stop(ray)
            if self.progress:
                self.progress.close()
        return self.summary

    def _connect(self, ray) -> None:
        address = self.cluster.address
        if ray.is_initialized():
            pass  # a caller (a test, a notebook) already joined a cluster
        elif address in (None, "", "local"):
            cpus = self.cluster.workers * self.cluster.cpus_per_worker if self.cluster.workers else None
            # address="local": always a new cluster of our own, even when another one runs here
            # (ray.init() would join it, and refuse num_cpus)
            ray.init(address="local", num_cpus=int(max(1, cpus)) if cpus else None, include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
            self._started_ray = True
        else:
            try:
                ray.init(address=address, log_to_driver=False, configure_logging=False)
            except Exception as exc:  # ConnectionError, ValueError: the cluster is not there
                raise ClusterError(f"cannot join the Ray cluster at {address!r}: {exc}") from exc
            self._started_ray = True
        self.summary.address = address or "local"
        _check_database_reachable(ray, self.db.url)

    def _start_workers(self, ray) -> None:
        per = self.cluster.cpus_per_worker
        count = self.cluster.workers or max(1, int(ray.cluster_resources().get("CPU", 1) // per))
        self._actor_class = ray.remote(num_cpus=per, max_restarts=0, max_task_retries=0)(IndexWorker)
        for i in range(count):
            self.workers.append(self._new_worker(i))
        # Load the model once per worker up front: it is the slow part of starting, and the
        # driver needs the default model's name and dimension for new repositories.
        model = canonical_model_name(self.options.model)
        infos = ray.get([w.handle.model_info.remote(model) for w in self.workers])
        self._models[model] = infos[0]
        for w, info in zip(self.workers, ray.get([w.handle.describe.remote() for w in self.workers])):
            w.info = info  # host and pid: progress, the benchmark, and the test that kills one

    def _new_worker(self, index: int) -> _Worker:
        threads = max(1, int(self.cluster.cpus_per_worker))
        handle = self._actor_class.remote(self.db.url, threads)
        return _Worker(handle, index)

    def _stop(self, ray) -> None:
        for w in self.workers:
            if w.alive:
                try:
                    self.summary.workers.append(ray.get(w.handle.describe.remote(), timeout=30))
                except Exception:
                    pass
        self._kill_workers(ray)
        if self._started_ray:
            ray.shutdown()

    def _kill_workers(self, ray) -> None:
        for w in self.workers:
            if w.alive:
                w.alive = False
                try:
                    ray.kill(w.handle)
                except Exception:
                    pass

    # -- one repository ------------------------------------------------------------------------
    def _open(self, spec: RepositorySpec, clones: dict[str, Future]) -> None:
        """Lock, find or create, start a run, scan, and queue the repository's batches."""
        o = dataclasses.replace(self.options, name=spec.name)
        summary = IndexSummary(repository=spec.name, root=str(spec.path or ""), model="",
                               mode="full" if o.full else "incremental")
        job = _Job(spec=spec, summary=summary, started=time.perf_counter())
        self.jobs.append(job)
        self.summary.repositories.append(summary)
        try:
            url = commit = None
            root = spec.path
            if spec.is_git:
                checkout = clones[spec.name].result()
                root, url, commit = checkout.root, checkout.url, checkout.commit
            summary.root = str(root)
            job.conn = self.db.connect(autocommit=True)
            if o.wait:
                writes.lock_repository(job.conn, spec.name)
            elif not writes.try_lock_repository(job.conn, spec.name):
                raise ConfigError(f"repository {spec.name!r} is being indexed by another process; "
                                  "wait for it to finish or pass --wait")
            repo = self._prepare_repository(job.conn, spec.name, Path(root), o)
            summary.model = repo.model
            summary.run_id = writes.start_run(job.conn, repo.id, summary.mode, _options_json(o, Path(root), repo))
            job.task = RepositoryTask(repo=repo, run_id=summary.run_id, options=o, url=url, commit=commit)
        except ConfigError as exc:
            self._fail_job(job, str(exc))
            return
        except Exception as exc:  # a checkout or database failure of this repository only
            self._fail_job(job, f"{type(exc).__name__}: {exc}")
            return
        self._status(job, "scanning")
        report = ScanReport()
        scan_options = ScanOptions(include=o.include, exclude=o.exclude, skip_tests=o.skip_tests,
                                   max_file_bytes=o.max_file_bytes)
        files = list(scan(Path(root), scan_options, report))  # paths only: O(files), small
        states = {} if o.full else writes.file_states(job.conn, job.task.repo.id)
        for reason, n in report.skipped.items():
            summary.files_skipped[reason] = summary.files_skipped.get(reason, 0) + n
        summary.files_seen = len(files)
        size = max(1, self.cluster.batch_files)
        for number, start in enumerate(range(0, len(files), size)):
            part = [(f, states.pop(f.rel_path, None)) for f in files[start : start + size]]
            self.queue.append(_Item(job, Batch(job.task, part, number)))
            job.outstanding += 1
        job.leftover = states
        if self.progress:
            self.progress.add_files(spec.name, len(files))
        self._status(job, "indexing")
        self._settle(job)

    def _prepare_repository(self, conn, name: str, root: Path, o: IndexOptions) -> writes.Repository:
        """Find or create the repository; refuse to mix two models' vectors (as a local run)."""
        repo = writes.repository_by_name(conn, name)
        wanted = canonical_model_name(o.model) if o.model else None
        if repo is None:
            model, dimension = self._model_info(wanted or canonical_model_name(None))
            return writes.create_repository(conn, name, str(root), model, dimension)
        if o.full:
            model, dimension = self._model_info(wanted or repo.model)
            return writes.reset_repository(conn, repo, root=str(root), model=model, dimension=dimension)
        if wanted and wanted != repo.model:
            raise ConfigError(
                f"repository {name!r} was indexed with {repo.model!r} ({repo.dimension}-d); "
                f"re-run with --full to re-embed everything with {wanted!r}"
            )
        return writes.update_root(conn, repo, str(root))

    def _model_info(self, model: str) -> tuple[str, int]:
        if model not in self._models:
            ray = require_ray()
            worker = next(w for w in self.workers if w.alive)
            self._models[model] = ray.get(worker.handle.model_info.remote(model))
        return self._models[model]

    def _files_done(self, job: _Job) -> None:
        """All batches answered: remove what is gone, finish the run, queue the graph build."""
        s = job.summary
        t = time.perf_counter()
        s.files_removed = writes.remove_files(job.conn, job.task.repo.id, sorted([*job.leftover, *job.gone]))
        if s.files_indexed or s.files_removed:
            writes.refresh_statistics(job.conn, s.files_indexed + s.files_removed)
        s.write_s += time.perf_counter() - t
        if s.status == "running":
            s.status = "partial" if s.files_failed else "succeeded"
        s.wall_s = time.perf_counter() - job.started
        writes.finish_run(job.conn, s.run_id, s.status, s.counts())
        if self.options.build_graph and self._graph_needed(job):
            self._status(job, "graph")
            self.queue.appendleft(_Item(job))  # first in line: the repository's lock is waiting on it
            job.outstanding += 1
            job.graph_sent = True
        else:
            self._close(job)

    def _graph_needed(self, job: _Job) -> bool:
        from mnemo.graph import build as graph_build

        s = job.summary
        changed = s.files_indexed or s.files_removed or self.options.full
        return bool(changed) or not graph_build.graph_is_current(self.db, job.task.repo.id)

    def _close(self, job: _Job, status: str | None = None) -> None:
        job.summary.wall_s = time.perf_counter() - job.started
        job.done = True
        if job.conn is not None:
            job.conn.close()  # releases the repository's lock
            job.conn = None
        self._status(job, status or job.summary.status)

    def _fail_job(self, job: _Job, message: str) -> None:
        """The repository cannot be (further) indexed; say why, keep what is committed."""
        s = job.summary
        s.status = "failed"
        s.errors.append(FileError(job.spec.origin or job.spec.name, message))
        s.files_failed = max(s.files_failed, 1)  # the repository's work failed: exit code 1
        if s.run_id is not None and job.conn is not None and job.task is not None:
            try:
                writes.add_error(job.conn, s.run_id, job.task.repo.id, "", message)
                writes.finish_run(job.conn, s.run_id, "failed", s.counts())
            except Exception:
                pass
        kept = collections.deque(i for i in self.queue if i.job is not job)
        job.outstanding -= len(self.queue) - len(kept)
        self.queue = kept
        self._settle(job)

    def _settle(self, job: _Job) -> None:
        """Move a repository on once nothing of it is queued or running."""
        if job.done or job.outstanding > 0:
            return
        if job.summary.status == "failed" or job.graph_sent:
            self._close(job)
        else:
            self._files_done(job)

    # -- scheduling ------------------------------------------------------------------------------
    def _dispatch(self) -> None:
        """Keep every live worker `in_flight` items deep, taking the queue in order."""
        for w in sorted((w for w in self.workers if w.alive), key=lambda w: len(w.in_flight)):
            while self.queue and len(w.in_flight) < self.cluster.in_flight:
                item = self.queue.popleft()
                if item.batch is None:
                    ref = w.handle.build_graph.remote(item.job.task)
                else:
                    ref = w.handle.index_batch.remote(item.batch)
                w.in_flight[ref] = item

    def _collect(self, ray) -> None:
        refs = [ref for w in self.workers for ref in w.in_flight]
        if not refs:
            if self.queue and not any(w.alive for w in self.workers):
                raise ClusterError("every worker was lost; the committed files are kept, re-run to continue")
            return
        ready, _ = ray.wait(refs, num_returns=1, timeout=1.0)
        for ref in ready:
            worker = next(w for w in self.workers if ref in w.in_flight)
            item = worker.in_flight.pop(ref)
            try:
                result = ray.get(ref)
            except (ray.exceptions.RayActorError, ray.exceptions.ActorUnavailableError):
                self._lost(worker, item)
                continue
            except ray.exceptions.RayTaskError as exc:
                item.job.outstanding -= 1
                cause = exc.cause if getattr(exc, "cause", None) is not None else exc
                if item.job.summary.status != "failed":
                    self._fail_job(item.job, f"{type(cause).__name__}: {cause}")
                self._settle(item.job)
                continue
            item.job.outstanding -= 1
            if isinstance(result, GraphResult):
                self._graph_done(item.job, result)
            else:
                self._batch_done(item.job, item.batch, result)
            self._settle(item.job)

    def _lost(self, worker: _Worker, item: _Item) -> None:
        """A worker died: re-queue its batches (their committed files come back unchanged or are
        rewritten identically) and start a replacement."""
        items = [item, *worker.in_flight.values()]
        worker.in_flight.clear()
        if worker.alive:
            worker.alive = False
            self.summary.workers_lost += 1
            if self._replacements < 2 * max(1, len(self.workers)):
                self._replacements += 1
                self.workers.append(self._new_worker(len(self.workers)))
        for it in reversed(items):
            if it.job.done or it.job.summary.status == "failed":
                it.job.outstanding -= 1
                self._settle(it.job)
                continue
            if it.retries >= self.cluster.max_retries:
                it.job.outstanding -= 1
                what = "building the graph" if it.batch is None else f"indexing batch {it.batch.number}"
                self._fail_job(it.job, f"a worker was lost {it.retries + 1} times while {what}; "
                                       "the committed files are kept, re-run to continue")
                continue
            it.retries += 1
            self.summary.batches_retried += 1
            self.queue.appendleft(it)

    def _batch_done(self, job: _Job, batch: Batch, result: BatchResult) -> None:
        s = job.summary
        stored = {source.rel_path for source, state in batch.files if state is not None}
        tm = result.timings
        s.read_s += tm.read_s
        s.parse_s += tm.parse_s
        s.embed_s += tm.embed_s
        s.write_s += tm.write_s
        s.model_load_s += tm.model_load_s
        for outcome in result.outcomes:
            self._account(job, outcome, stored)

    def _graph_done(self, job: _Job, result: GraphResult) -> None:
        s = job.summary
        s.graph, s.graph_error, s.graph_s = result.graph, result.error, result.seconds

    def _account(self, job: _Job, outcome: FileOutcome, stored: set[str]) -> None:
        """Add one file's outcome to its repository's summary (as the local driver does)."""
        s = job.summary
        if outcome.kind == "indexed":
            s.files_indexed += 1
            s.chunks_written += outcome.chunks
            if outcome.warning:
                _keep(s.warnings, outcome.warning)
        elif outcome.kind == "unchanged":
            s.files_unchanged += 1
            if outcome.error:
                s.files_failed += 1
                _keep(s.errors, outcome.error)
        elif outcome.kind == "skipped":
            reason = outcome.reason or "skipped"
            s.files_skipped[reason] = s.files_skipped.get(reason, 0) + 1
            if outcome.path in stored:  # stored before, skipped now: its rows go at the end
                job.gone.append(outcome.path)
        else:
            s.files_failed += 1
            if outcome.error:
                _keep(s.errors, outcome.error)
        if self.progress:
            self.progress.advance(job.spec.name, 1, outcome.chunks)

    def _status(self, job: _Job, status: str) -> None:
        if self.progress:
            self.progress.status(job.spec.name, status)

    def _interrupt(self) -> None:
        """Ctrl-C or a fatal error: every open run becomes 'interrupted'; committed files stay."""
        for job in self.jobs:
            if job.done:
                continue
            job.summary.status = "interrupted"
            if job.conn is not None and job.summary.run_id is not None:
                try:
                    writes.finish_run(job.conn, job.summary.run_id, "interrupted", job.summary.counts())
                except Exception:
                    pass
            self._close(job, "interrupted")


def _keep(bucket: list[FileError], error: FileError) -> None:
    if len(bucket) < MAX_REPORTED_ERRORS:
        bucket.append(error)


def _options_json(o: IndexOptions, root: Path, repo: writes.Repository) -> dict[str, Any]:
    """What the run records of its options: all of them (robust to new ones), and the engine."""
    fields = {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(o).items() if k != "name"}
    return {**fields, "root": str(root), "model": repo.model, "engine": "ray"}


def _checkout_root(base: Path, url: str) -> Path:
    from mnemo.distributed.checkout import checkout_path

    return checkout_path(url, base)


def _check_database_reachable(ray, url: str) -> None:
    """Refuse a database only this machine can reach when the cluster has other machines."""
    import psycopg

    info = psycopg.conninfo.conninfo_to_dict(url)
    host = str(info.get("host") or "")
    local_only = host == "" or host.startswith("/") or host in ("localhost", "127.0.0.1", "::1")
    if not local_only:
        return
    here = ray.util.get_node_ip_address()
    others = sorted({n["NodeManagerAddress"] for n in ray.nodes() if n.get("Alive")} - {here})
    if others:
        raise ClusterError(
            f"the database listens only on this machine ({host or 'a Unix socket'}), but the cluster has "
            f"workers on {', '.join(others[:5])}; give --database-url a PostgreSQL every node can reach"
        )


def index_cluster(database: Database, specs: list[RepositorySpec], options: IndexOptions = IndexOptions(),
                  cluster: ClusterOptions = ClusterOptions(), *, progress: ClusterProgress | None = None
                  ) -> ClusterSummary:
    """Index `specs` on Ray into `database`; see ClusterIndexer."""
    return ClusterIndexer(database, specs, options, cluster, progress=progress).run()


__all__ = ["ClusterError", "ClusterIndexer", "ClusterOptions", "ClusterProgress", "ClusterSummary",
           "index_cluster", "require_ray"]
