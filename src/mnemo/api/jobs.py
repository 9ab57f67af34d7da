"""Indexing started from the API runs as a background job in this process.

Indexing takes minutes, longer than any HTTP request should, so POST /api/index answers 202 at
once with a job id; clients poll GET /api/jobs/{id} or follow its server-sent events. Jobs run
one at a time in a worker thread: the embedding model and the CPU are the bottleneck, and two
runs on one repository would fight over its rows. Finished jobs are kept (the last
`keep` of them) so a client that polls late still sees the outcome; the durable record is the
index_runs table.

A running job can be cancelled (POST /api/jobs/{id}/cancel): the next progress report of the
pipeline (after each file) raises `JobCancelled`, which ends the run the way Ctrl-C does — the
run is marked interrupted, only whole files stay. A job still loading the model or building
the graph stops at its next report.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mnemo.api.convert import to_jsonable
from mnemo.display import escape
from mnemo.store.db import Database

log = logging.getLogger("mnemo.api.jobs")

Runner = Callable[[Database, Path, str | None, bool, Callable[[Any], None]], Any]


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


@dataclass
class Job:
    id: int
    path: str
    name: str | None
    full: bool
    status: str = "queued"  # queued → running → succeeded | partial | failed | cancelled
    created_at: str = field(default_factory=_now)
    started_at: str | None = None
    finished_at: str | None = None
    stage: str | None = None
    progress: dict[str, Any] = field(default_factory=dict)
    summary: Any = None
    error: str | None = None
    version: int = 0  # bumped on every change, so event streams send only news
    cancel_requested: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "path": self.path,
            "name": self.name,
            "full": self.full,
            "status": self.status,
            "done": self.status in DONE_STATUSES,
            "cancel_requested": self.cancel_requested,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "stage": self.stage,
            "progress": self.progress,
            "summary": self.summary,
            "error": self.error,
        }


DONE_STATUSES = ("succeeded", "partial", "failed", "cancelled")


class JobCancelled(Exception):
    """Raised from the job's progress callback once a cancel was asked for."""


class JobBusy(Exception):
    """Another job is running; carries it so the client can follow that one instead."""

    def __init__(self, job: Job) -> None:
        super().__init__(f"indexing job {job.id} ({job.path}) is still running")
        self.job = job


def progress_to_json(event: Any) -> dict[str, Any]:
    """Whatever the pipeline reports (a dataclass, a dict, a string) as a flat JSON object."""
    value = to_jsonable(event)
    if isinstance(value, dict):
        return value
    return {"message": str(value)}


class PipelineProgress:
    """Adapts the pipeline's Progress protocol (start/advance/close) to job updates."""

    def __init__(self, report: Callable[[Any], None]) -> None:
        self._report = report
        self.total = 0
        self.files = 0
        self.chunks = 0
        self._started = time.monotonic()

    def start(self, total_files: int) -> None:
        self.total = total_files
        self._report({"stage": "indexing", **self._state()})

    def advance(self, files: int, chunks: int) -> None:
        self.files += files
        self.chunks += chunks
        self._report({"stage": "indexing", **self._state()})

    def close(self) -> None:
        self._report({"stage": "graph", **self._state(), "message": "files done; building the graph", "final": True})

    def _state(self) -> dict[str, Any]:
        elapsed = time.monotonic() - self._started
        return {
            "files_total": self.total,
            "files_done": self.files,
            "chunks": self.chunks,
            "percent": round(100.0 * self.files / self.total, 1) if self.total else 0.0,
            "elapsed_s": round(elapsed, 1),
        }


def default_runner(database: Database, root: Path, name: str | None, full: bool, progress: Callable[[Any], None]) -> Any:
    """Index `root` with the pipeline (which builds the graph at the end)."""
    from mnemo.pipeline import IndexOptions, index_repository

    options = IndexOptions(name=name, full=full)
    return index_repository(database, root, options, progress=PipelineProgress(progress))


class JobManager:
    """Starts jobs, one at a time, and remembers the last `keep`."""

    def __init__(self, database: Database, runner: Runner | None = None, keep: int = 50) -> None:
        self._database = database
        self._runner = runner or default_runner
        self._keep = keep
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._threads: list[threading.Thread] = []

    def start(self, root: Path, name: str | None, full: bool) -> Job:
        with self._lock:
            running = [j for j in self._jobs.values() if j.status in ("queued", "running")]
            if running:
                raise JobBusy(running[0])
            job = Job(id=next(self._ids), path=str(root), name=name, full=full)
            self._jobs[job.id] = job
            self._trim()
        thread = threading.Thread(target=self._run, args=(job,), name=f"mnemo-index-{job.id}", daemon=True)
        self._threads.append(thread)
        thread.start()
        return job

    def busy_with(self, name: str, root: str) -> bool:
        """Whether a queued or running job may be writing this repository."""
        with self._lock:
            for job in self._jobs.values():
                job_name = job.name or Path(job.path).name  # the pipeline's default name
                if job.status in ("queued", "running") and (job_name == name or job.path == root):
                    return True
        return False

    def cancel(self, job_id: int) -> Job | None:
        """Ask a queued or running job to stop; None when there is no such job. A finished
        job is returned unchanged (cancelling it is a no-op)."""
        with self._changed:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.status in ("queued", "running") and not job.cancel_requested:
                job.cancel_requested = True
                job.version += 1
                self._changed.notify_all()
            return job

    def get(self, job_id: int) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def snapshot(self, job_id: int) -> tuple[dict[str, Any], int] | None:
        """The job as JSON and its version, read under the lock (a consistent picture)."""
        with self._lock:
            job = self._jobs.get(job_id)
            return (job.to_json(), job.version) if job else None

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [j.to_json() for j in sorted(self._jobs.values(), key=lambda j: -j.id)]

    def wait_for_change(self, job_id: int, version: int, timeout: float) -> None:
        """Block until the job's version moves past `version` or `timeout` passes."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                job = self._jobs.get(job_id)
                if job is None or job.version != version:
                    return
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(remaining)

    def join(self, timeout: float | None = None) -> None:
        """Wait for started jobs (tests and shutdown)."""
        for thread in list(self._threads):
            thread.join(timeout)

    def _update(self, job: Job, **changes: Any) -> None:
        with self._changed:
            for key, value in changes.items():
                setattr(job, key, value)
            job.version += 1
            self._changed.notify_all()

    def _trim(self) -> None:
        done = [j for j in self._jobs.values() if j.status not in ("queued", "running")]
        for old in sorted(done, key=lambda j: j.id)[: max(0, len(self._jobs) - self._keep)]:
            del self._jobs[old.id]

    def _run(self, job: Job) -> None:
        self._update(job, status="running", started_at=_now(), stage="starting")
        last = [0.0]

        def progress(event: Any) -> None:
            if job.cancel_requested:
                raise JobCancelled(f"job {job.id} cancelled")
            data = progress_to_json(event)
            stage = data.get("stage") or data.get("phase") or job.stage
            now = time.monotonic()
            final = bool(data.get("done") or data.get("final"))
            # Per-file events can come by the hundred per second; clients need a few per second.
            if now - last[0] < 0.1 and not final and stage == job.stage:
                with self._lock:
                    job.progress = data
                return
            last[0] = now
            self._update(job, progress=data, stage=stage)

        try:
            if job.cancel_requested:
                raise JobCancelled(f"job {job.id} cancelled")
            summary = self._runner(self._database, Path(job.path), job.name, job.full, progress)
            data = to_jsonable(summary)
            status = "succeeded"
            if isinstance(data, dict):
                failed = data.get("files_failed") or data.get("failed") or 0
                errors = data.get("errors") or []
                if data.get("status") in ("partial", "failed"):
                    status = data["status"]
                elif failed or (isinstance(errors, list) and errors):
                    status = "partial"
            self._update(job, status=status, summary=data, stage="done", finished_at=_now())
        except JobCancelled:
            self._update(job, status="cancelled", error="cancelled on request; the files committed before stay",
                         stage="done", finished_at=_now())
        except Exception as exc:  # the job reports it; the server keeps serving
            log.warning("indexing job %s failed: %s", job.id, escape(exc))
            log.debug("%s", traceback.format_exc())
            self._update(job, status="failed", error=f"{type(exc).__name__}: {exc}", stage="done", finished_at=_now())
