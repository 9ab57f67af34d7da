"""Derive a code vocabulary for a static model variant (static_variants.py vocab --vocabulary FILE).

Why: the packaged MiniLM's word pieces are English prose's. Words every codebase uses — parse,
config, async, middleware, serializer, deserialize — are not among them, so the static model
spells them from pieces (`par ##se`, `con ##fi ##g`) and averages the rows of those pieces, which
carry little of the word's meaning. model2vec's `distill(vocabulary=...)` adds whole words as
tokens, each embedded by running the transformer on the word itself.

Which words: identifiers of the source corpora the project's benchmarks fetch and the Python
standard library (none of them a repository of the semble benchmark, which measures the model),
split into words as static_variants.py's split variant does (camelCase, snake_case, digits),
lower-cased, alphabetic, 3–24 letters, that the packaged tokenizer cuts into two pieces or
more, found in at least MIN_CORPORA corpora and MIN_FILES files. Sorted by how many files
hold them, most first (ties alphabetically): the output is a plain list, one word a line, and
the same corpora give the same file. Distilled into the default model these words lost
0.024 hybrid NDCG@10 on the semble split (docs/models.md); kept to reproduce that.

    python benchmarks/code_vocabulary.py --out /tmp/code_vocabulary.txt \\
        /usr/lib/python3.11 benchmarks/.cache/src/{babylon,click,packaging,rxjs,tanstack,ray-ajv,...}
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from pathlib import Path

EXTENSIONS = {".py", ".ts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"}
SKIP_DIRS = {"node_modules", "__pycache__", ".git", "site-packages", "dist-packages"}
MIN_CORPORA = 3
MIN_FILES = 10
MAX_WORDS = 20_000
IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")
# the identifier split of static_variants.py's tokenizer variant (static_variants.SPLIT), then underscores
SPLIT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")
WORD = re.compile(r"[a-z]{3,24}")


def words_of(text: str) -> set[str]:
    out: set[str] = set()
    for ident in set(IDENT.findall(text)):
        for part in SPLIT.sub(" ", ident).replace("_", " ").split():
            w = part.lower()
            if WORD.fullmatch(w):
                out.add(w)
    return out


def files_of(root: Path):
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS)
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix in EXTENSIONS and not name.endswith(".min.js"):
                yield p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="+", type=Path, help="one directory per corpus")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--max-words", type=int, default=MAX_WORDS)
    args = ap.parse_args(argv)

    from tokenizers import Tokenizer

    from mnemo.embed.torch_backend import packaged_minilm_path

    tokenizer = Tokenizer.from_file(str(Path(packaged_minilm_path()) / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    files: Counter[str] = Counter()
    corpora: Counter[str] = Counter()
    for root in args.corpora:
        seen: set[str] = set()
        n = 0
        for path in files_of(root):
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            ws = words_of(text[:1_000_000])
            files.update(ws)
            seen |= ws
            n += 1
        corpora.update(seen)
        print(f"  {root}: {n} files, {len(seen)} words", file=sys.stderr)
    kept = []
    for w, n in files.items():
        if n < MIN_FILES or corpora[w] < MIN_CORPORA:
            continue
        if len(tokenizer.encode(w, add_special_tokens=False).ids) < 2:
            continue  # already one word piece
        kept.append(w)
    kept.sort(key=lambda w: (-files[w], w))
    kept = kept[: args.max_words]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(w + "\n" for w in kept))
    print(f"{len(kept)} words -> {args.out} (of {len(files)} seen; first: {' '.join(kept[:30])})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
