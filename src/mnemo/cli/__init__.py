"""The `mnemo` command.

Each module in this package that defines `register(subparsers)` adds its sub-commands
(index, repos, delete, db, graph, search, serve …); `main` discovers them, so adding a command
group means adding a module. Every command returns an exit code:
0 success, 1 the work ran but some of it failed, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

from mnemo import __version__
from mnemo.cli.common import EXIT_USAGE, CommandError, report_error
from mnemo.config import ConfigError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mnemo",
        description=(
            "Mnemo indexes source repositories into PostgreSQL + pgvector and answers: where is the "
            "code that does X, what calls what, what breaks if this changes, which code matters most."
        ),
        epilog=(
            "Start with:  mnemo index PATH   then   mnemo search \"what you look for\"\n"
            "Database: an embedded PostgreSQL under $MNEMO_HOME (default: the user data directory),\n"
            "or any PostgreSQL with pgvector via --database-url / MNEMO_DATABASE_URL.\n"
            "Exit codes: 0 success, 1 some work failed, 2 usage or configuration error."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mnemo {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    import mnemo.cli as package

    # Help lists the everyday commands first; any other module follows by name.
    first = {"index": 0, "search": 1, "graph": 2, "serve": 3}
    modules = sorted(pkgutil.iter_modules(package.__path__), key=lambda m: (first.get(m.name, 9), m.name))
    for info in modules:
        if info.name == "common" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"mnemo.cli.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args) or 0)
    except (CommandError, ConfigError) as exc:
        return report_error(args, exc)
    except KeyboardInterrupt as exc:
        from mnemo.pipeline import Terminated

        if isinstance(exc, Terminated):
            print("terminated (SIGTERM): the run is marked interrupted; only whole files were kept", file=sys.stderr)
            return 143
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
