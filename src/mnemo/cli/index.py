"""`mnemo index`, `mnemo repos`, `mnemo runs`, `mnemo delete`: building and managing the index."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mnemo.cli.cluster import HELP_CLUSTER, add_cluster_options, wants_cluster
from mnemo.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_database_option,
    add_json_option,
    open_database,
    print_json,
)
from mnemo.display import escape

HELP_INDEX = """\
Index a source tree: every function, method, class and interface becomes a chunk with its
signature, docstring, calls, imports, complexity and an embedding, and the code outside them
(imports, constants, top-level statements) becomes file-level chunks, so every line is
searchable. Stored in PostgreSQL one file per transaction. The call graph and its metrics are rebuilt at the end.

Re-runs are incremental (unchanged files are skipped by content hash, removed files lose their
rows); --full starts from a clean slate. A file with a syntax error keeps every definition that
parsed cleanly and file-level chunks for the rest: it is recorded as partial, with the first
error's line and column as a warning (--strict fails such files instead). A file that fails
(nothing in it parses, unreadable) is reported with its position and the run goes on.

examples:
  mnemo index .                          index the current directory as repository "<dirname>"
  mnemo index ~/src/app -r app --skip-tests
  mnemo index . --exclude 'legacy/**' --include 'src/**'
  mnemo index . --full --model minilm     re-embed with the MiniLM transformer (torch)
  mnemo index . --full --model jinaai/jina-embeddings-v2-base-code
  mnemo index . --strict                 any syntax error fails its file

Nothing in the tree stops a run: unreadable, undecodable, too complex or too large files are
named with their reason (`mnemo runs --skipped` lists every path left out and why). A lost
database ends the run with a message (and the JSON summary with --json); SIGTERM and Ctrl-C
mark the run interrupted, leaving only whole files.

exit codes: 0 every file indexed, 1 some files failed, 2 usage or configuration error (also:
the database was lost mid-run), 130 interrupted, 143 terminated (SIGTERM).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "index", help="index a directory (incremental; --full for a clean slate)",
        description=HELP_INDEX, epilog=HELP_CLUSTER, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("directories", type=Path, nargs="*", metavar="PATH",
                   help="root of the source tree to index (several, or none with --manifest, on --ray)")
    p.add_argument("-r", "--repository", metavar="NAME", help="repository name (default: the directory's name)")
    p.add_argument("--full", action="store_true", help="delete the repository's data first and index everything")
    p.add_argument("--model", metavar="NAME_OR_PATH",
                   help="embedding model: static (all-MiniLM-L6-v2-static, the default for a new repository), "
                        "minilm (all-MiniLM-L6-v2 on torch), or any sentence-transformers name or path; "
                        "default: the repository's own. See `mnemo model list`")
    p.add_argument("--include", action="append", default=[], metavar="GLOB",
                   help="only index paths matching this gitignore-style glob (repeatable)")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB",
                   help="skip paths matching this gitignore-style glob (repeatable)")
    p.add_argument("--skip-tests", action="store_true", help="leave test files and test directories out")
    p.add_argument("--strict", action="store_true",
                   help="fail a file on any syntax error (default: keep its cleanly parsed definitions and "
                        "file-level chunks for the rest, and record it as partial with a warning)")
    # The former opt-in to tolerant parsing, now the default: still accepted, does nothing.
    p.add_argument("--allow-partial", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--max-file-size", type=int, default=None, metavar="BYTES",
                   help="skip files larger than this (default 1000000)")
    p.add_argument("--wait", action="store_true", help="wait for another run on the same repository instead of failing")
    p.add_argument("--no-graph", action="store_true", help="skip the graph phase")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true", help="print each failure as it happens")
    add_cluster_options(p)
    add_json_option(p)
    add_database_option(p)
    p.set_defaults(handler=run_index)

    p = subparsers.add_parser("repos", help="list indexed repositories with their counts")
    add_json_option(p)
    add_database_option(p)
    p.set_defaults(handler=run_repos)

    p = subparsers.add_parser("runs", help="the last indexing runs of a repository and their failures")
    p.add_argument("repository", nargs="?", help="repository name (default: all)")
    p.add_argument("--limit", type=int, default=5, help="how many runs (default 5)")
    p.add_argument("--skipped", action="store_true",
                   help="also list every path each run left out, with its reason (symlink, too large, gitignored…)")
    add_json_option(p)
    add_database_option(p)
    p.set_defaults(handler=run_runs)

    p = subparsers.add_parser("delete", help="delete a repository and everything indexed for it")
    p.add_argument("repository", help="repository name")
    p.add_argument("-y", "--yes", action="store_true", help="do not ask for confirmation")
    add_json_option(p)
    add_database_option(p)
    p.set_defaults(handler=run_delete)


class BarProgress:
    """A tqdm bar on stderr: files, chunks, rate and ETA."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = None
        self.chunks = 0

    def start(self, total_files: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        self.bar = tqdm(total=total_files, unit="file", file=sys.stderr, dynamic_ncols=True,
                        desc="indexing", bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} files "
                        "[{elapsed}<{remaining}, {rate_fmt}] {postfix}")

    def advance(self, files: int, chunks: int) -> None:
        if self.bar is None:
            return
        self.chunks += chunks
        self.bar.set_postfix_str(f"{self.chunks} chunks", refresh=False)
        self.bar.update(files)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def index_options(args: argparse.Namespace):
    """The IndexOptions the flags ask for: one place for the local and the cluster driver."""
    from mnemo.pipeline import IndexOptions

    return IndexOptions(
        name=args.repository,
        full=args.full,
        model=args.model,
        strict=args.strict,
        include=tuple(args.include),
        exclude=tuple(args.exclude),
        skip_tests=args.skip_tests,
        wait=args.wait,
        build_graph=not args.no_graph,
        **({"max_file_bytes": args.max_file_size} if args.max_file_size else {}),
    )


def run_index(args: argparse.Namespace) -> int:
    from mnemo.pipeline import index_repository

    if wants_cluster(args):
        from mnemo.cli.cluster import run_cluster_index

        return run_cluster_index(args, index_options(args))
    if len(args.directories) != 1:
        raise CommandError("give one PATH to index (several repositories at once: --ray PATH PATH … or --manifest)")
    args.directory = args.directories[0]
    if not args.directory.is_dir():
        raise CommandError(f"{args.directory}: no such directory")
    options = index_options(args)
    database = open_database(args)
    show_bar = not args.no_progress and not args.json and sys.stderr.isatty()
    on_error = None
    if args.verbose:
        on_error = lambda e: print(f"  {e.severity}: {escape(e)}", file=sys.stderr)  # noqa: E731
    summary = index_repository(database, args.directory, options, progress=BarProgress(show_bar),
                               on_file_error=on_error)
    if args.json:
        print_json(summary.to_json())
    else:
        print_summary(summary)
    return summary.exit_code


def print_summary(s) -> None:
    """The run in a few lines; every name from the tree escaped (no terminal control codes)."""
    skipped = sum(s.files_skipped.values())
    chunks_per_s = s.chunks_written / s.wall_s if s.wall_s else 0.0
    print(f"Repository {escape(s.repository)!r} ({escape(s.root)}), model {escape(s.model)}, "
          f"{s.mode} run #{s.run_id}: {s.status}")
    if s.fatal_error:
        print(f"  FAILED  {escape(s.fatal_error)} (the files committed before stay; run again when it is back)")
    print(f"  files   {s.files_seen} seen, {s.files_indexed} indexed, {s.files_unchanged} unchanged, "
          f"{s.files_removed} removed, {s.files_failed} failed, {skipped} skipped")
    if s.files_skipped:
        print("          skipped: " + ", ".join(f"{n} {escape(why)}" for why, n in sorted(s.files_skipped.items()))
              + (f" (paths: mnemo runs {escape(s.repository)} --skipped)" if s.run_id else ""))
    print(f"  chunks  {s.chunks_written} written ({chunks_per_s:.1f}/s): {s.chunks_embedded} embedded, "
          f"{s.chunks_reused} vectors reused")
    print(f"  time    {s.wall_s:.1f} s wall: model load {s.model_load_s:.1f} s, embed {s.embed_s:.1f} s, "
          f"parse {s.parse_s:.1f} s, write {s.write_s:.1f} s, read {s.read_s:.1f} s, graph {s.graph_s:.1f} s")
    print(f"  memory  {s.peak_rss_mb:.0f} MB peak RSS")
    if s.graph:
        g = s.graph
        print("  graph   " + ", ".join(f"{k} {v}" for k, v in g.items() if isinstance(v, (int, float)))[:300])
    if s.graph_error:
        print(f"  graph   FAILED: {escape(s.graph_error)} (the files are indexed; retry with `mnemo graph build`)")
    if s.errors:
        print(f"  first failures ({min(len(s.errors), 10)} of {s.files_failed}):")
        for e in s.errors[:10]:
            print(f"    {escape(e)}")
    if s.warnings:
        print(f"  warnings ({len(s.warnings)}):")
        for e in s.warnings[:10]:
            print(f"    {escape(e)}")


def run_repos(args: argparse.Namespace) -> int:
    from mnemo.store import reports

    database = open_database(args)
    with database.connect() as conn:
        repos = reports.repositories_with_stats(conn)
    if args.json:
        print_json(repos)
        return EXIT_OK
    if not repos:
        print("No repositories yet. Index one with: mnemo index PATH")
        return EXIT_OK
    width = max(len(escape(r["name"])) for r in repos)
    print(f"{'NAME':<{width}}  {'FILES':>6}  {'FAILED':>6}  {'CHUNKS':>7}  {'NODES':>6}  {'MODEL':<24}  LAST INDEXED      ROOT")
    for r in repos:
        when = r["last_indexed_at"].strftime("%Y-%m-%d %H:%M") if r["last_indexed_at"] else "never"
        print(f"{escape(r['name']):<{width}}  {r['files']:>6}  {r['files_failed']:>6}  {r['chunks']:>7}  "
              f"{r['nodes'] or 0:>6}  {escape(r['model'][:24]):<24}  {when:<16}  {escape(r['root'])}")
    return EXIT_OK


def run_runs(args: argparse.Namespace) -> int:
    from mnemo.store import reports

    database = open_database(args)
    limit = max(1, min(args.limit, 100))
    with database.connect() as conn:
        repository_id = None
        if args.repository:
            repo = reports.repository_by_name(conn, args.repository)
            if repo is None:
                raise CommandError(f"unknown repository {args.repository!r}; see `mnemo repos`")
            repository_id = repo["id"]
        runs = reports.runs(conn, repository_id, limit)
        for run in runs:
            run["errors"] = reports.run_errors(conn, run["id"], limit=50, offset=0)
            if args.skipped:
                run["skipped_paths"] = reports.run_skips(conn, run["id"])
    if args.json:
        print_json(runs)
        return EXIT_OK
    if not runs:
        print("No indexing runs yet.")
    for run in runs:
        skipped = run.get("skipped") or {}
        print(f"#{run['id']} {escape(run['repository'])} {run['mode']} {run['status']} "
              f"{run['started_at']:%Y-%m-%d %H:%M:%S}: "
              f"{run['files_indexed']} indexed, {run['files_unchanged']} unchanged, {run['files_removed']} removed, "
              f"{run['files_failed']} failed, {sum(skipped.values())} skipped, {run['chunks_written']} chunks")
        for e in run["errors"]:
            where = f":{e['line']}:{e['col']}" if e["line"] else ""
            print(f"    {e['severity']}: {escape(e['path'])}{where}: {escape(e['message'])}")
        for item in run.get("skipped_paths", ()):
            print(f"    skipped: {escape(item['path'])}: {escape(item['reason'])}")
    return EXIT_OK


def run_delete(args: argparse.Namespace) -> int:
    from mnemo.store import writes

    if not args.yes:
        if not sys.stdin.isatty():
            raise CommandError(f"refusing to delete {args.repository!r} without confirmation: pass --yes")
        answer = input(f"Delete repository {escape(args.repository)!r} and everything indexed for it? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing deleted.")
            return EXIT_OK
    database = open_database(args)
    with database.connect() as conn:
        if not writes.delete_repository(conn, args.repository):
            raise CommandError(f"unknown repository {escape(args.repository)!r}; see `mnemo repos`")
    if args.json:
        print_json({"deleted": args.repository})
    else:
        print(f"Deleted repository {escape(args.repository)!r}.")
    return EXIT_OK


__all__ = ["register", "EXIT_USAGE"]
