"""`mnemo search "QUERY"`: hybrid code search from the command line.

Human output, one block per result:

    src/api/client.py:40-62  function  Client.retry_request  0.0325
        44 │ for attempt in range(retries):
        45 │     time.sleep(backoff * 2 ** attempt)

`--explain` adds each result's lexical rank, vector rank, final score and each reranking rule's
factor. `--json` prints a list of objects (repository, file_path, start_line, end_line, name,
qualified_name, kind, language, score, snippet, …). Matched words are bold only when stdout is a terminal, so pipes and files get
plain text.
"""

from __future__ import annotations

import argparse
import sys

from mnemo.cli.common import EXIT_OK, add_database_option, add_json_option, open_database, print_json
from mnemo.display import escape

BOLD, RESET = "\x1b[1m", "\x1b[0m"


def register(subparsers: argparse._SubParsersAction) -> None:
    from mnemo.models import KINDS
    from mnemo.search import MAX_LIMIT, MODES

    p = subparsers.add_parser(
        "search",
        help="find code by words or identifiers (hybrid lexical + vector)",
        description=(
            "Find the code that does X. Ask in words (\"retry a request with backoff\") or by "
            "identifier (parseConfig, user_id, QuerySet.filter). Hybrid mode fuses full-text and "
            "embedding search; the query is embedded with the repositories' own model."
        ),
        epilog="Exit codes: 0 success (also when nothing matches), 2 unknown repository, empty index, bad option.",
    )
    p.add_argument("query", help="what to look for: words, or an identifier")
    p.add_argument(
        "-r", "--repository", action="append", metavar="NAME",
        help="search this repository (repeat or comma-separate for several; default: all, which must share a model)",
    )
    p.add_argument("-n", "--limit", type=_limit(MAX_LIMIT), default=10, help="results to show (default 10)")
    p.add_argument("--mode", choices=MODES, default="hybrid", help="hybrid (default), lexical or vector")
    p.add_argument("--language", action="append", metavar="LANG", help="only this language (e.g. python, typescript)")
    p.add_argument("--kind", action="append", metavar="KIND", help=f"only this kind: {', '.join(KINDS)}")
    p.add_argument(
        "--path", metavar="GLOB", dest="path_glob",
        help="only paths matching this glob (`*.py`, `src/**/test_*`, or a directory such as `src/api`)",
    )
    p.add_argument("--explain", action="store_true",
                   help="show each result's lexical rank, vector rank, final score and the factor each "
                   "reranking rule applied (test_penalty, name_boost, file_evidence, split_head, ...)")
    add_json_option(p)
    add_database_option(p)
    p.set_defaults(handler=run)


def _limit(maximum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not 1 <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be from 1 to {maximum}")
        return value

    return parse


def run(args: argparse.Namespace) -> int:
    from mnemo.embed import use_light_static_queries, use_resident_helper
    from mnemo.search import search

    use_resident_helper()  # a transformer model answers from its resident helper, not a fresh torch
    use_light_static_queries()  # the default model embeds the query without numpy (embed/static_query.py)

    database = open_database(args, keep_connection=True)  # the search's statements run on it
    results = search(
        database,
        args.query,
        repositories=args.repository,
        mode=args.mode,
        limit=args.limit,
        language=args.language,
        kind=args.kind,
        path_glob=args.path_glob,
        explain=args.explain,
    )
    if args.json:
        print_json([r.to_json(explain=args.explain) for r in results])
        return EXIT_OK
    if not results:
        print(f"no results for {escape(args.query)!r}", file=sys.stderr)
        return EXIT_OK
    bold = sys.stdout.isatty()
    show_repo = len({r.repository for r in results}) > 1
    out = []
    for r in results:
        where = f"{escape(r.file_path)}:{r.start_line}-{r.end_line}"
        head = f"{_b(where, bold)}  {escape(r.kind)}  {escape(r.qualified_name)}  {r.score:.4f}"
        if show_repo:
            head += f"  [{escape(r.repository)}]"
        out.append(head)
        if args.explain:
            out.append("    " + explain_line(r, args.mode))
        out.extend(snippet_lines(r, bold))
        out.append("")
    sys.stdout.write("\n".join(out))
    return EXIT_OK


def explain_line(r, mode: str) -> str:
    """`lexical #3 (score 1.52)  vector #1 (similarity 0.612)  fused 0.0325  rules: test_penalty ×0.6`:
    the ranks in each list, the score after reranking, and each rule's factor on it."""
    lex = f"lexical #{r.lexical_rank} (score {r.lexical_score:.3f})" if r.lexical_rank else "lexical -"
    vec = f"vector #{r.vector_rank} (similarity {r.vector_similarity:.3f})" if r.vector_rank else "vector -"
    parts = {"lexical": [lex], "vector": [vec]}.get(mode, [lex, vec])
    label = "fused" if mode == "hybrid" else "score"
    rules = "  ".join(f"{name} ×{factor:g}" for name, factor in sorted(r.rules.items()))
    return "  ".join(parts + [f"{label} {r.score:.4f}"] + ([f"rules: {rules}"] if rules else []))


def snippet_lines(r, bold: bool) -> list[str]:
    """The snippet with line numbers, matched words in bold when `bold`; control characters of
    the indexed code escaped (our own bold codes are added after escaping)."""
    text = r.snippet
    if bold and r.highlights:
        pieces, last = [], 0
        for start, end in sorted(r.highlights):
            if start < last:
                continue
            pieces += [escape(text[last:start], keep_lines=True), BOLD,
                       escape(text[start:end], keep_lines=True), RESET]
            last = end
        pieces.append(escape(text[last:], keep_lines=True))
        text = "".join(pieces)
    else:
        text = escape(text, keep_lines=True)
    width = len(str(r.snippet_start_line + text.count("\n")))
    return [
        f"    {str(r.snippet_start_line + i).rjust(width)} │ {line}" for i, line in enumerate(text.split("\n"))
    ]


def _b(text: str, bold: bool) -> str:
    return f"{BOLD}{text}{RESET}" if bold else text
