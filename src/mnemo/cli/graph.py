"""`mnemo graph build|callers|callees|impact|path|top|stats`: the code graph from the command line.

Human output is one line per node, `path:line  qualified_name  (kind)`, with the edge's
resolution when it is not certain. A name may be a plain name, Class.method, PATH:NAME,
PATH:LINE or a node id; a name that matches several definitions lists them and exits 2.
`--json` prints the same data as the Python API's `to_dict()`.
"""

from __future__ import annotations

import argparse
import sys

from mnemo.display import escape
from mnemo.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    CommandError,
    add_database_option,
    add_json_option,
    open_database,
    print_json,
)

_NAME_HELP = "a name, Class.method, PATH:NAME, PATH:LINE or a node id"


def _print(text: object = "", **kwargs) -> None:
    """print() with the names and paths of the indexed code escaped (no terminal control codes)."""
    print(escape(text, keep_lines=True), **kwargs)



def register(subparsers: argparse._SubParsersAction) -> None:
    from mnemo.graph.query import MAX_DEPTH, MAX_LIMIT, TOP_BY

    p = subparsers.add_parser(
        "graph",
        help="the code graph: callers, callees, impact, paths, top nodes, stats",
        description=(
            "Questions to the code graph built at the end of `mnemo index`: what calls what, what "
            "may break if something changes, which code matters most."
        ),
        epilog="Exit codes: 0 success, 2 unknown repository or name, ambiguous name, bad option.",
    )
    commands = p.add_subparsers(dest="graph_command", metavar="COMMAND", required=True)

    def common(sub: argparse.ArgumentParser, positional_repo: bool = False) -> None:
        if positional_repo:  # the older spelling `mnemo graph stats NAME` still works
            sub.add_argument("repository_positional", nargs="?", metavar="NAME",
                             help="repository name (same as -r)")
        sub.add_argument("-r", "--repository", metavar="NAME", help="repository name (default: the only one)")
        add_json_option(sub)
        add_database_option(sub)

    limit = _bounded_int(1, MAX_LIMIT)
    depth = _bounded_int(1, MAX_DEPTH)

    sub = commands.add_parser("build", help="rebuild the graph of a repository from its stored chunks")
    common(sub, positional_repo=True)
    sub.set_defaults(handler=run_build)

    for name, text in (("callers", "who calls NAME"), ("callees", "what NAME calls")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("name", help=_NAME_HELP)
        sub.add_argument("-n", "--limit", type=limit, default=50, help="results to show (default 50)")
        common(sub)
        sub.set_defaults(handler=run_links, direction=name)

    sub = commands.add_parser("impact", help="what may break if NAME changes (transitive callers, subclasses)")
    sub.add_argument("name", help=_NAME_HELP)
    sub.add_argument("-d", "--depth", type=depth, default=3, help=f"hops to follow (default 3, at most {MAX_DEPTH})")
    sub.add_argument("-n", "--limit", type=limit, default=200, help="results to show (default 200)")
    common(sub)
    sub.set_defaults(handler=run_impact)

    sub = commands.add_parser("path", help="the shortest call chain from A to B")
    sub.add_argument("a", help=_NAME_HELP)
    sub.add_argument("b", help=_NAME_HELP)
    sub.add_argument("-d", "--depth", type=depth, default=6, help=f"longest chain to look for (default 6, at most {MAX_DEPTH})")
    common(sub)
    sub.set_defaults(handler=run_path)

    sub = commands.add_parser("top", help="the nodes that matter most by a metric")
    sub.add_argument("--by", choices=list(TOP_BY), default="pagerank", help="metric (default pagerank)")
    sub.add_argument("--kind", choices=["module", "function", "method", "class", "interface"],
                     help="only this kind (default: definitions; modules for coupling metrics)")
    sub.add_argument("-n", "--limit", type=limit, default=20, help="results to show (default 20)")
    common(sub)
    sub.set_defaults(handler=run_top)

    sub = commands.add_parser("stats", help="nodes and edges by type, isolated share, resolution rates")
    common(sub, positional_repo=True)
    sub.set_defaults(handler=run_stats)


def _bounded_int(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}")
        return value

    return parse


# -- helpers ----------------------------------------------------------------------------------


def _repository(database, args: argparse.Namespace) -> str:
    """The repository named (-r or, for build/stats, positionally), or the only one there is."""
    positional = getattr(args, "repository_positional", None)
    if positional and args.repository and positional != args.repository:
        raise CommandError(f"two repositories named: {positional!r} and -r {args.repository!r}; give one")
    if args.repository or positional:
        return args.repository or positional
    with database.connect() as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM repositories ORDER BY name")]
    if len(names) == 1:
        return names[0]
    if not names:
        raise CommandError("nothing is indexed yet; run `mnemo index PATH` first")
    raise CommandError(f"several repositories exist ({', '.join(names[:20])}); name one with -r/--repository")


def _where(node) -> str:
    return f"{node.path}:{node.start_line}" if node.start_line else node.path


def _line(node, extra: str = "") -> str:
    return f"{_where(node)}  {node.qualified_name}  ({node.kind}){extra}"


def _mark(resolution: str, confidence: float) -> str:
    """A note for edges that are not certain."""
    if confidence >= 1:
        return ""
    return f"  [{resolution} {confidence:.2f}]"


def _guarded(handler):
    """Turn an ambiguous name into a candidate list and exit code 2 (JSON: the candidates)."""

    def run(args: argparse.Namespace) -> int:
        from mnemo.graph.query import AmbiguousName

        try:
            return handler(args)
        except AmbiguousName as exc:
            if args.json:
                print_json({"error": str(exc), "exit_code": EXIT_USAGE,
                            "candidates": [c.to_dict() for c in exc.candidates]})
            _print(f"mnemo: {exc.name!r} matches {len(exc.candidates)} definitions; "
                  "give a qualified name, PATH:NAME, PATH:LINE or a node id:", file=sys.stderr)
            for c in exc.candidates:
                _print(f"  {_line(c)}  #{c.id}", file=sys.stderr)
            return EXIT_USAGE

    return run


# -- commands ---------------------------------------------------------------------------------


def run_build(args: argparse.Namespace) -> int:
    from mnemo.graph.build import build_graph
    from mnemo.store.reads import get_repository

    database = open_database(args)
    name = _repository(database, args)
    with database.connect() as conn:
        repo = get_repository(conn, name)
    result = build_graph(database, repo.id)
    if args.json:
        print_json({"repository": name, **result.to_json()})
        return EXIT_OK
    _print(f"Graph of {name!r} built in {result.duration_s:.2f} s")
    _print_counts(result.nodes, result.edges, result.calls, result.isolated, result.unresolved_edges)
    return EXIT_OK


def _print_counts(nodes: dict, edges: dict, calls: dict, isolated: dict, without_target: dict | None = None) -> None:
    _print("  nodes: " + ", ".join(f"{k} {v}" for k, v in sorted(nodes.items())))
    _print("  edges: " + ", ".join(f"{k} {v}" for k, v in sorted(edges.items())))
    if without_target:
        _print("  edges without a target node (external, builtin, local, unresolved, ambiguous): "
              + ", ".join(f"{k} {v}" for k, v in sorted(without_target.items())))
    rate = calls.get("local_resolution_rate")
    if calls:
        _print(f"  call sites: {calls.get('call_sites', 0)}; local {calls.get('local_call_sites', 0)}, "
              f"resolved {calls.get('local_resolved', 0)}" + (f" ({rate:.1%})" if rate is not None else ""))
        _print("  by resolution: " + ", ".join(f"{k} {v}" for k, v in calls.get("by_resolution", {}).items()))
    share = isolated.get("function_class_isolated_share")
    if share is not None:
        _print(f"  function/method/class nodes without any edge: {isolated['function_class_isolated']} "
              f"of {isolated['function_class_nodes']} ({share:.1%})")


@_guarded
def run_links(args: argparse.Namespace) -> int:
    from mnemo.graph import query

    database = open_database(args)
    repository = _repository(database, args)
    node = query.get_node(database, repository, args.name)
    fetch = query.callers if args.direction == "callers" else query.callees
    links = fetch(database, repository, node.id, limit=args.limit)
    if args.json:
        print_json({"node": node.to_dict(), args.direction: [link.to_dict() for link in links]})
        return EXIT_OK
    _print(_line(node))
    if not links:
        _print(f"  no {args.direction}")
    for link in links:
        mark = _mark(link.resolution, link.confidence)
        sites = f"  ×{link.sites}" if link.sites > 1 else ""
        if link.node is not None:
            _print(f"  {_line(link.node)}{mark}{sites}")
        else:
            _print(f"  {link.target}  ({link.resolution}){sites}")
    return EXIT_OK


@_guarded
def run_impact(args: argparse.Namespace) -> int:
    from mnemo.graph import query

    database = open_database(args)
    repository = _repository(database, args)
    node = query.get_node(database, repository, args.name)
    reached = query.impact(database, repository, node.id, depth=args.depth, limit=args.limit)
    if args.json:
        print_json({"node": node.to_dict(), "depth": args.depth, "impact": [r.to_dict() for r in reached]})
        return EXIT_OK
    _print(_line(node))
    if not reached:
        _print("  nothing depends on it")
    for r in reached:
        mark = f"  [confidence {r.confidence:.2f}]" if r.confidence < 1 else ""
        _print(f"  {'  ' * (r.depth - 1)}{r.depth}  {_line(r.node)}  via {r.via}{mark}")
    return EXIT_OK


@_guarded
def run_path(args: argparse.Namespace) -> int:
    from mnemo.graph import query

    database = open_database(args)
    repository = _repository(database, args)
    result = query.path(database, repository, args.a, args.b, max_depth=args.depth)
    if args.json:
        print_json(result.to_dict())
        return EXIT_OK
    if not result.found:
        _print(f"no path from {args.a!r} to {args.b!r} within {args.depth} hops")
        return EXIT_OK
    _print(_line(result.nodes[0]))
    for edge, node in zip(result.edges, result.nodes[1:]):
        _print(f"  --{edge['type']}--> {_line(node)}{_mark(edge['resolution'], edge['confidence'])}")
    return EXIT_OK


def run_top(args: argparse.Namespace) -> int:
    from mnemo.graph import query

    database = open_database(args)
    repository = _repository(database, args)
    nodes = query.top(database, repository, by=args.by, limit=args.limit, kind=args.kind)
    if args.json:
        print_json([n.to_dict() for n in nodes])
        return EXIT_OK
    for n in nodes:
        _print(f"{_metric(n, args.by):>10}  {_line(n)}")
    return EXIT_OK


def _metric(node, by: str) -> str:
    if by == "pagerank":
        return f"{node.pagerank:.5f}"
    if by == "degree":
        return f"{node.in_degree}+{node.out_degree}"
    if by == "coupling":
        return f"{node.afferent or 0}+{node.efferent or 0}"
    value = getattr(node, by, None)
    if isinstance(value, float):
        return f"{value:.3f}"
    return "-" if value is None else str(value)


def run_stats(args: argparse.Namespace) -> int:
    from mnemo.graph import query

    database = open_database(args)
    repository = _repository(database, args)
    data = query.stats(database, repository)
    if args.json:
        print_json(data)
        return EXIT_OK
    _print(f"Graph of {repository!r}, built {data['built_at']} in {data['build_seconds']:.2f} s")
    _print_counts(data["nodes"], data["edges"], data["calls"], data["isolated"], data["edges_without_target"])
    return EXIT_OK
