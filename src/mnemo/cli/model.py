"""`mnemo model list`, `mnemo model build`: the embedding models Mnemo ships and builds.

The default model is a static table distilled offline from the packaged all-MiniLM-L6-v2; it is
built on first use, or ahead of time (say, in a container image) by `mnemo model build`. Building
is deterministic: the same packages give the same SHA-256, which repositories record.
"""

from __future__ import annotations

import argparse
import sys

from mnemo.cli.common import EXIT_OK, EXIT_USAGE, add_json_option, print_json

HELP = """\
Embedding models. Every index run embeds with the repository's model (chosen with
`mnemo index --model NAME` on its first or a --full run); search embeds queries with it too.

built-in models:
  all-MiniLM-L6-v2-static  (alias: static)  default. model2vec table distilled from the packaged
                           MiniLM; numpy only, loads in milliseconds, 384-d
  all-MiniLM-L6-v2-int8    (alias: onnx)    the packaged MiniLM on ONNX Runtime, int8 weights;
                           built once like the static model, runs without torch, 384-d
  all-MiniLM-L6-v2         (alias: minilm)  the packaged MiniLM transformer on torch, 384-d
Any other sentence-transformers name or path works too (downloaded only because you named it).

examples:
  mnemo model list                 what is available, built, and its hash
  mnemo model build                build the static model now (otherwise on first use)
  mnemo model build --force        rebuild it (e.g. after a damaged cache)
  mnemo model build --model onnx   export and quantise the ONNX model now
  mnemo model stop                 stop the resident helpers that keep transformer models loaded

`mnemo search` embeds queries for a transformer model (e.g. minilm) through a resident helper:
one process per model, started on first use, found by its Unix socket in /tmp/mnemo-<uid>/
(mode 0700, or $MNEMO_RUN_DIR), stopped after 10 idle minutes ($MNEMO_HELPER_IDLE seconds) or
by `mnemo model stop`. MNEMO_HELPER=0 loads the model in the search process instead.

Models are built under $MNEMO_MODELS, else $MNEMO_HOME/models.
exit codes: 0 ok, 2 the build cannot run (e.g. model2vec's distill extra is missing).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("model", help="list and build the embedding models", description=HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="model_command", metavar="SUBCOMMAND")
    q = sub.add_parser("list", help="built-in models, whether they are built, and their hashes")
    add_json_option(q)
    q.set_defaults(handler=run_list)
    q = sub.add_parser("build", help="build the static model now (deterministic; records its SHA-256)")
    q.add_argument("--model", default="static", metavar="NAME",
                   help="static (default) or onnx: the built-in model to build")
    q.add_argument("--force", action="store_true", help="rebuild even if it is already built")
    add_json_option(q)
    q.set_defaults(handler=run_build)
    q = sub.add_parser("stop", help="stop the resident embedding helpers (they also exit when idle)")
    add_json_option(q)
    q.set_defaults(handler=run_stop)
    p.set_defaults(handler=lambda args: (p.print_help(), EXIT_USAGE)[1])


def run_list(args: argparse.Namespace) -> int:
    from mnemo.embed import BUILTIN_MODELS, DEFAULT_MODEL, ONNX_MODEL, STATIC_MODEL
    from mnemo.embed import onnx_backend, static

    rows = []
    for name, description in BUILTIN_MODELS.items():
        row = {"name": name, "default": name == DEFAULT_MODEL, "description": description}
        if name in (STATIC_MODEL, ONNX_MODEL):
            path = static.model_path(name)
            read = static.read_manifest if name == STATIC_MODEL else onnx_backend._read_manifest
            manifest = read(path)
            row.update(path=str(path), built=manifest is not None,
                       sha256=manifest["sha256"] if manifest else None)
        else:
            row.update(built=True)
        rows.append(row)
    if args.json:
        print_json(rows)
        return EXIT_OK
    for r in rows:
        mark = "*" if r["default"] else " "
        state = ("built, sha256 " + r["sha256"][:16] if r.get("sha256") else "not built yet") if "path" in r else "packaged"
        print(f"{mark} {r['name']:<26} {state}")
        print(f"    {r['description']}")
    return EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    from mnemo.cli.common import CommandError
    from mnemo.embed import ONNX_MODEL, STATIC_MODEL, canonical_model_name
    from mnemo.embed import onnx_backend, static

    name = canonical_model_name(args.model)
    builders = {STATIC_MODEL: static.build_static_model, ONNX_MODEL: onnx_backend.build_onnx_model}
    if name not in builders:
        raise CommandError(f"{args.model!r} is not a model Mnemo builds; choose static or onnx")
    path = static.model_path(name)
    log = (lambda msg: print(msg, file=sys.stderr, flush=True))
    manifest = builders[name](path, force=args.force, log=log)
    if args.json:
        print_json({"path": str(path), **manifest})
    else:
        print(f"{name}: {path}  sha256 {manifest['sha256']}")
    return EXIT_OK


def run_stop(args: argparse.Namespace) -> int:
    from mnemo.embed import helper

    stopped = helper.stop_all()
    if args.json:
        print_json({"stopped": stopped})
    else:
        print("stopped: " + (", ".join(stopped) if stopped else "none running"))
    return EXIT_OK
