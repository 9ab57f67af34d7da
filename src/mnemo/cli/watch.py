"""`mnemo watch DIR`: keep one repository's index and graph live while you edit."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from mnemo.cli.common import EXIT_OK, CommandError, add_database_option, add_json_option, open_database

HELP = """\
Index DIR (incrementally), then watch it: every burst of saves — one file, a formatter touching
many, a `git checkout` of a branch — is debounced into one incremental run (changed files only,
the graph follows), so `mnemo search`, `mnemo graph`, the UI and `mnemo mcp` see the code as it
is on disk. Changes made during a run are applied by the next one. Stop with Ctrl-C.

examples:
  mnemo watch .                     watch the current directory as repository "<dirname>"
  mnemo watch ~/src/app -r app --debounce 500
  mnemo watch . --json              one JSON object per run, for scripts

exit codes: 0 stopped, 2 usage or configuration error (bad directory, repository busy at start).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("watch", help="keep a repository's index live while files change",
                              description=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("directory", type=Path, help="root of the source tree to watch")
    p.add_argument("-r", "--repository", metavar="NAME", help="repository name (default: the directory's name)")
    p.add_argument("--debounce", type=int, default=300, metavar="MS",
                   help="quiet time that ends a burst of changes, in milliseconds (default 300)")
    p.add_argument("--include", action="append", default=None, metavar="GLOB",
                   help="only index paths matching this glob (default: as the repository was last indexed)")
    p.add_argument("--exclude", action="append", default=None, metavar="GLOB",
                   help="skip paths matching this glob (default: as the repository was last indexed)")
    p.add_argument("--skip-tests", action="store_true", default=None, help="leave test files out")
    add_json_option(p)
    add_database_option(p)
    p.set_defaults(handler=run_watch)


def _options(database, root: Path, args: argparse.Namespace):
    """The repository's last options, overridden by the flags given."""
    from mnemo.live import RepositoryOptions, last_options
    from mnemo.store.writes import repository_by_name

    name = args.repository or root.name
    with database.connect() as conn:
        repo = repository_by_name(conn, name)
    base = last_options(database, repo.id) if repo else RepositoryOptions()
    return RepositoryOptions(
        include=tuple(args.include) if args.include is not None else base.include,
        exclude=tuple(args.exclude) if args.exclude is not None else base.exclude,
        skip_tests=base.skip_tests if args.skip_tests is None else args.skip_tests,
        strict=base.strict,
    ).index_options(name)


def _emit(args: argparse.Namespace, event: str, **data) -> None:
    if args.json:
        print(json.dumps({"event": event, **data}, default=str), flush=True)
        return
    stamp = time.strftime("%H:%M:%S")
    if event == "ready":
        print(f"{stamp}  watching {data['root']} as {data['repository']!r}: {data['files_indexed']} indexed, "
              f"{data['files_unchanged']} unchanged ({data['wall_s']:.2f} s); Ctrl-C stops", flush=True)
    elif event == "error":
        print(f"{stamp}  {data['changes']} change(s): not applied: {data['error']}", flush=True)
    else:
        failed = f", {data['files_failed']} failed" if data["files_failed"] else ""
        print(f"{stamp}  {data['changes']} change(s) ({', '.join(data['paths'])}): {data['files_indexed']} indexed, "
              f"{data['files_removed']} removed{failed}; graph {data['graph_s']:.2f} s, total {data['wall_s']:.2f} s",
              flush=True)


def run_watch(args: argparse.Namespace) -> int:
    from mnemo.embed import load_embedder
    from mnemo.live import watch
    from mnemo.pipeline import IndexingError

    root = args.directory.expanduser()
    if not root.is_dir():
        raise CommandError(f"{args.directory}: not a directory")
    if not 0 <= args.debounce <= 60_000:
        raise CommandError("--debounce must be from 0 to 60000 milliseconds")
    root = root.resolve()
    database = open_database(args)
    options = _options(database, root, args)

    def ready(summary) -> None:
        _emit(args, "ready", repository=summary.repository, root=str(root), **summary.counts(),
              wall_s=summary.wall_s)

    try:
        for batch in watch(database, root, options, embedder=None, debounce_ms=args.debounce, on_ready=ready):
            if batch.summary is None:
                _emit(args, "error", changes=batch.changes, error=batch.error, paths=batch.paths)
                continue
            s = batch.summary
            _emit(args, "indexed", changes=batch.changes, paths=batch.paths, **s.counts(), wall_s=s.wall_s,
                  graph_s=s.graph_s, graph_error=s.graph_error)
    except IndexingError as exc:
        raise CommandError(str(exc)) from exc
    except KeyboardInterrupt:
        pass
    print("stopped", file=sys.stderr)
    return EXIT_OK
