"""`mnemo serve`: the REST API under /api and the web UI at /, on the CLI's database."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from mnemo.cli.common import EXIT_OK, CommandError, add_database_option, open_database
from mnemo import config
from mnemo.display import escape


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the REST API (/api, docs at /api/docs) and the web UI (/)",
        description=(
            "Serve the REST API under /api (OpenAPI docs at /api/docs) and the web UI at /, on the "
            "same database the other commands use. On a host other than loopback, MNEMO_API_TOKEN "
            "must be set; with a token set, every /api request needs 'Authorization: Bearer <token>'. "
            "Indexing through the API is confined to --index-root (default: the directory this "
            "command is started in, never the whole filesystem). The Host header must be a loopback "
            "name, an IP address, the --host name or an --allow-host name (DNS-rebinding defence)."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=3002, help="port (default: 3002)")
    parser.add_argument(
        "--index-root",
        action="append",
        type=Path,
        metavar="DIR",
        help="allow POST /api/index only inside DIR (repeatable); default: the current directory",
    )
    parser.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="accept this Host header name besides loopback names and IP addresses "
             "(the names the server is reached by: a reverse proxy's, a LAN name; repeatable)",
    )
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    add_database_option(parser)
    parser.set_defaults(handler=run)


def _load_models_in_background(database) -> threading.Thread:
    """Load the repositories' embedding models while the server starts, so the first search in
    the UI does not wait for the model (seconds); a search before it is ready waits for it."""

    def load() -> None:
        from mnemo.embed import load_embedder
        from mnemo.store.reads import all_repositories

        try:
            with database.connect() as conn:
                models = sorted({r.model for r in all_repositories(conn)})
            for model in models or [None]:
                load_embedder(model)
        except Exception as exc:  # noqa: BLE001 - the first search reports the same error, with context
            print(f"mnemo: the search model could not be preloaded: {exc}", flush=True)

    thread = threading.Thread(target=load, name="mnemo-model-preload", daemon=True)
    thread.start()
    return thread


def run(args: argparse.Namespace) -> int:
    from mnemo.api import create_app, is_loopback_host
    from mnemo.api.security import InsecureServer

    if not 0 < args.port < 65536:
        raise CommandError(f"--port must be between 1 and 65535, not {args.port}")
    token = config.api_token()
    loopback = is_loopback_host(args.host)
    if not loopback and not token:
        raise CommandError(
            f"refusing to listen on {args.host} without a token: set MNEMO_API_TOKEN "
            "(clients then send 'Authorization: Bearer <token>'), or use --host 127.0.0.1"
        )
    roots = [p.expanduser().resolve() for p in (args.index_root or [Path.cwd()])]
    for root in roots:
        if not root.is_dir():
            raise CommandError(f"--index-root {root}: not a directory")
        if root == Path(root.anchor):
            raise CommandError(f"--index-root {root}: refusing the whole filesystem; name the directory "
                               "that holds your repositories")
    hosts = list(args.allow_host)
    if not loopback and args.host not in ("0.0.0.0", "::", ""):
        hosts.append(args.host)  # the name it listens on is a name it is reached by
    database = open_database(args).pooled()
    try:
        app = create_app(database, token=token, loopback_only=loopback, index_roots=roots, extra_hosts=hosts)
    except InsecureServer as exc:
        database.close()
        raise CommandError(str(exc)) from exc

    import uvicorn

    _load_models_in_background(database)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"mnemo: serving the UI at http://{shown}:{args.port}/ and the API docs at http://{shown}:{args.port}/api/docs",
          flush=True)
    if token:
        print("mnemo: every /api request needs 'Authorization: Bearer $MNEMO_API_TOKEN'", flush=True)
    print("mnemo: indexing through the API is allowed under " + ", ".join(escape(str(r)) for r in roots), flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                    access_log=args.log_level == "debug")
    finally:
        database.close()
    return EXIT_OK
