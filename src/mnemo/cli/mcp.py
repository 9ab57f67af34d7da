"""`mnemo mcp`: serve Mnemo's tools to a coding agent over the Model Context Protocol (stdio)."""

from __future__ import annotations

import argparse
from pathlib import Path

from mnemo.cli.common import EXIT_OK, CommandError, add_database_option, open_database


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "mcp",
        help="serve the tools to a coding agent over MCP (stdio)",
        description=(
            "Run an MCP server on stdin/stdout for a coding agent (Claude Code, Cursor, VS Code, "
            "Codex, ...). Tools: search, symbol, callers, callees, impact, changes (blast radius of "
            "the working tree's diff), repo_map, index_status, reindex. Before each answer the "
            "repository's changed files are indexed (incremental; --no-refresh turns that off). "
            "The agent's client starts this command itself; see the README's 'Use with an agent'."
        ),
        epilog=(
            "Examples:\n"
            "  mnemo mcp                 # the only indexed repository\n"
            "  mnemo mcp -r rxjs         # one repository by name\n"
            "  mnemo mcp .               # the repository indexed from this directory (indexed on first use)\n"
            "Exit codes: 0 the client closed the connection, 2 usage or configuration error."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", nargs="?", type=Path,
                        help="a directory: answer about the repository indexed from it (indexed on first use)")
    parser.add_argument("-r", "--repository", metavar="NAME", help="default repository for the tools")
    parser.add_argument("--no-refresh", action="store_true",
                        help="answer from the index as stored; do not index changed files first")
    add_database_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mnemo.mcp.server import serve_stdio

    database = open_database(args)
    repository = args.repository
    if args.path is not None:
        root = args.path.expanduser().resolve()
        if not root.is_dir():
            raise CommandError(f"{args.path}: not a directory")
        repository = repository or _repository_for_root(database, root)
    serve_stdio(database.pooled(max_size=4), repository=repository, refresh=not args.no_refresh)
    return EXIT_OK


def _repository_for_root(database, root: Path) -> str:
    """The repository indexed from `root`; a new one (named after the directory) is indexed now."""
    from mnemo.pipeline import IndexOptions, index_repository

    with database.connect() as conn:
        row = conn.execute("SELECT name FROM repositories WHERE root = %s ORDER BY name LIMIT 1",
                           (str(root),)).fetchone()
    if row:
        return row[0]
    summary = index_repository(database, root, IndexOptions(name=root.name))
    return summary.repository
