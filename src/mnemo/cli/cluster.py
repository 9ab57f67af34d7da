"""`mnemo index --ray` / `--manifest`: many repositories on a Ray cluster (mnemo.distributed).

Kept apart from cli/index.py so the local command never imports the cluster code; Ray itself
is imported only when the run starts (it is an optional extra).
"""

from __future__ import annotations

import argparse
import re
import signal
import sys
from pathlib import Path

from mnemo.cli.common import CommandError, print_json

_ADDRESS_RE = re.compile(r"^(auto|local|ray://\S+|[A-Za-z0-9.-]+:\d+)$")

HELP_CLUSTER = """\
cluster (Ray, optional extra: pip install 'mnemo[ray]'):
  mnemo index --ray PATH PATH ...             start a local Ray cluster, index each PATH
  mnemo index --ray auto --manifest repos.txt join the running cluster (`ray start --head`)
  mnemo index --ray=10.0.0.5:6379 --manifest repos.txt --database-url postgresql://db:5432/mnemo

  repos.txt has one repository per line, `SOURCE [NAME]`: a directory or a git URL with an
  optional @REVISION (https://github.com/org/app.git@v2.1 app). Every file is still one
  transaction; a lost worker or Ctrl-C loses nothing committed and a re-run continues.
  Workers on other machines need --database-url reachable from them (the embedded server
  listens on a Unix socket of this machine only).
"""


def add_cluster_options(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("cluster (Ray)")
    g.add_argument("--ray", nargs="?", const="local", default=None, metavar="ADDRESS",
                   help="index on Ray: no ADDRESS starts a local cluster; 'auto', HOST:PORT or ray://… joins one")
    g.add_argument("--manifest", type=Path, metavar="FILE",
                   help="repositories to index, one `SOURCE [NAME]` per line (implies --ray)")
    g.add_argument("--workers", type=int, metavar="N",
                   help="worker actors (default: the cluster's CPUs / --cpus-per-worker)")
    g.add_argument("--cpus-per-worker", type=float, default=1.0, metavar="N",
                   help="CPUs each worker reserves and uses for the model (default 1)")
    g.add_argument("--batch-files", type=int, default=32, metavar="N",
                   help="files per batch sent to a worker (default 32)")


def wants_cluster(args: argparse.Namespace) -> bool:
    return getattr(args, "ray", None) is not None or getattr(args, "manifest", None) is not None


def split_address(args: argparse.Namespace) -> tuple[str | None, list[Path]]:
    """`--ray PATH` means a local cluster and PATH is a repository: argparse cannot tell, we can."""
    paths = list(args.directories)
    address = args.ray
    if address not in (None, "local") and not _ADDRESS_RE.match(address):
        paths.insert(0, Path(address))
        address = "local"
    return (None if address in (None, "local") else address), paths


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # the driver's cleanup runs: runs marked interrupted, Ray shut down


def run_cluster_index(args: argparse.Namespace, options) -> int:
    from mnemo.distributed.manifest import read_manifest, specs_from_paths

    address, paths = split_address(args)
    if args.manifest and paths:
        raise CommandError("give either --manifest FILE or PATHs, not both")
    if args.repository and len(paths) != 1:
        raise CommandError("-r/--repository names one PATH; in a manifest, name each repository on its line")
    if args.workers is not None and args.workers < 1:
        raise CommandError("--workers must be at least 1")
    if args.cpus_per_worker <= 0:
        raise CommandError("--cpus-per-worker must be positive")
    specs = read_manifest(args.manifest) if args.manifest else specs_from_paths(
        paths, [args.repository] if args.repository else None)
    if not specs:
        raise CommandError("nothing to index: give PATHs or --manifest FILE")
    from mnemo.cli.common import open_database
    from mnemo.distributed.driver import ClusterOptions, index_cluster, require_ray

    require_ray()  # before the database: a missing extra is the first thing to say
    database = open_database(args)
    show_bar = not args.no_progress and not args.json and sys.stderr.isatty()
    progress = ClusterBar(show_bar, verbose=args.verbose)
    cluster = ClusterOptions(address=address, workers=args.workers, cpus_per_worker=args.cpus_per_worker,
                             batch_files=args.batch_files)
    previous = signal.signal(signal.SIGTERM, _terminate)  # like Ctrl-C: mark runs, stop the workers
    try:
        summary = index_cluster(database, specs, options, cluster, progress=progress)
    finally:
        signal.signal(signal.SIGTERM, previous)
    if args.json:
        print_json(summary.to_json())
    else:
        print_cluster_summary(summary)
    return summary.exit_code


class ClusterBar:
    """One tqdm bar for all repositories: files, chunks, rate, ETA, and repositories by status."""

    def __init__(self, enabled: bool, *, verbose: bool = False) -> None:
        self.enabled = enabled
        self.verbose = verbose
        self.bar = None
        self.chunks = 0
        self.statuses: dict[str, str] = {}

    def start(self, repositories: list[str], workers: int) -> None:
        self.statuses = {name: "queued" for name in repositories}
        if self.verbose:
            print(f"{len(repositories)} repositories on {workers} workers", file=sys.stderr)
        if not self.enabled:
            return
        from tqdm import tqdm

        self.bar = tqdm(total=0, unit="file", file=sys.stderr, dynamic_ncols=True, desc="indexing",
                        bar_format="{desc}: {n_fmt}/{total_fmt} files [{elapsed}<{remaining}, {rate_fmt}] {postfix}")

    def add_files(self, repository: str, files: int) -> None:
        if self.bar is not None:
            self.bar.total += files
            self.bar.refresh()

    def advance(self, repository: str, files: int, chunks: int) -> None:
        self.chunks += chunks
        if self.bar is not None:
            self.bar.set_postfix_str(self._postfix(), refresh=False)
            self.bar.update(files)

    def status(self, repository: str, status: str) -> None:
        self.statuses[repository] = status
        if self.verbose:
            print(f"  {repository}: {status}", file=sys.stderr)
        if self.bar is not None:
            self.bar.set_postfix_str(self._postfix())

    def _postfix(self) -> str:
        counts: dict[str, int] = {}
        for status in self.statuses.values():
            counts[status] = counts.get(status, 0) + 1
        active = [n for n, st in self.statuses.items() if st in ("indexing", "graph")][:3]
        return (f"{self.chunks} chunks · repos " + ", ".join(f"{n} {st}" for st, n in sorted(counts.items()))
                + (f" · {', '.join(active)}" if active else ""))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def print_cluster_summary(summary) -> None:
    t = summary.totals()
    rate = t["files_indexed"] / summary.wall_s if summary.wall_s else 0.0
    print(f"{len(summary.repositories)} repositories on Ray ({summary.address}), {len(summary.workers)} workers, "
          f"{summary.wall_s:.1f} s wall: {t['files_indexed']} files indexed ({rate:.1f}/s), "
          f"{t['files_unchanged']} unchanged, {t['files_removed']} removed, {t['files_failed']} failed, "
          f"{t['chunks_written']} chunks")
    if summary.workers_lost:
        print(f"  {summary.workers_lost} workers lost, {summary.batches_retried} batches re-sent")
    width = max(len(s.repository) for s in summary.repositories)
    for s in summary.repositories:
        graph = f", graph {s.graph_s:.1f} s" if s.graph else (" , graph FAILED" if s.graph_error else "")
        print(f"  {s.repository:<{width}}  {s.status:<11} run #{s.run_id}: {s.files_indexed} indexed, "
              f"{s.files_unchanged} unchanged, {s.files_removed} removed, {s.files_failed} failed, "
              f"{s.chunks_written} chunks{graph}")
        for e in s.errors[:3]:
            print(f"      {e}")
        if s.graph_error:
            print(f"      graph: {s.graph_error}")
    for w in summary.workers:
        print(f"  worker {w['host']}:{w['pid']}  {w['files']} files in {w['batches']} batches, "
              f"{w['peak_rss_mb']:.0f} MB peak RSS")
