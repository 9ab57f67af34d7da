"""What every command shares: exit codes, the database options, JSON and error output."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mnemo.config import ConfigError

EXIT_OK = 0
EXIT_FAILURES = 1  # the command ran, but some of its work failed (e.g. files that did not index)
EXIT_USAGE = 2  # bad arguments, unknown repository, unreachable or unfit database


class CommandError(ConfigError):
    """A user-facing error: printed as one line (or a JSON object with --json), exit code 2."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def add_database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="PostgreSQL URL (with pgvector); default: $MNEMO_DATABASE_URL, else the embedded server",
    )


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON on stdout")


def open_database(args: argparse.Namespace, *, keep_connection: bool = False):
    """The migrated Database named by --database-url, MNEMO_DATABASE_URL or the embedded server.
    `keep_connection`: hand the connection it was checked on to the first autocommit user."""
    from mnemo.store.db import Database

    return Database.open(getattr(args, "database_url", None), keep_connection=keep_connection)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str, ensure_ascii=False)
    sys.stdout.write("\n")


def report_error(args: argparse.Namespace, exc: Exception) -> int:
    code = getattr(exc, "code", EXIT_USAGE)
    if getattr(args, "json", False):
        print_json({"error": str(exc), "exit_code": code})
    from mnemo.display import escape

    print(f"mnemo: error: {escape(exc)}", file=sys.stderr)
    return code
