"""The `mnemo` command.

Each module in this package that defines `register(subparsers)` adds its sub-commands
(index, repos, delete, db, graph, search, serve …); `main` discovers them, so adding a command
group means adding a module. Every command returns an exit code:
0 success, 1 the work ran but some of it failed, 2 usage or configuration error.

A call builds only the parser of the command it names (`COMMAND_MODULES` says which module
registers it): importing every command module and building every sub-parser cost a quarter of
`mnemo search`'s wall time, and `mnemo --version` paid for the search stack. Top-level help,
a mistyped command, or a command missing from the table build the whole parser, as before.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from mnemo import __version__
from mnemo.cli.common import EXIT_USAGE, CommandError, report_error
from mnemo.config import ConfigError

# command -> the module of this package that registers it (tests/unit/test_cli_dispatch.py
# checks it against discovery). Help lists the everyday commands first, the others by name.
COMMAND_MODULES = {
    "index": "index", "repos": "index", "runs": "index", "delete": "index",
    "search": "search", "graph": "graph", "serve": "serve",
    "db": "db", "mcp": "mcp", "model": "model", "watch": "watch",
}
_FIRST = {"index": 0, "search": 1, "graph": 2, "serve": 3}


def command_modules() -> list[str]:
    """Every module of this package that may register commands, in help order."""
    import pkgutil

    import mnemo.cli as package

    names = [m.name for m in pkgutil.iter_modules(package.__path__)
             if m.name != "common" and not m.name.startswith("_")]
    return sorted(names, key=lambda name: (_FIRST.get(name, 9), name))


def build_parser(modules: list[str] | None = None) -> argparse.ArgumentParser:
    """The `mnemo` parser with the commands of `modules` (default: every command module)."""
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
    for name in command_modules() if modules is None else modules:
        module = importlib.import_module(f"mnemo.cli.{name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(subparsers)
    return parser


def modules_for(argv: list[str]) -> list[str] | None:
    """The command modules a call needs: the one registering its command when the command comes
    first, none for a bare `--version`; None (all of them) for anything else — top-level help
    lists every command, and a mistyped one is answered with the full list of choices."""
    if argv and argv[0] in COMMAND_MODULES:
        return [COMMAND_MODULES[argv[0]]]
    if argv == ["--version"]:
        return []
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(modules_for(argv))
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
