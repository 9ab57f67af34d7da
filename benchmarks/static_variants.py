"""Build candidate variants of the static default model, to be scored by embed_replay.py.

Each variant is a model directory like `mnemo model build` writes (embeddings.npy,
tokenizer.json, manifest.json with its own SHA-256), made from the default build (`--base`):

  split        identifiers split into words in the tokenizer's normalizer before lower-casing
               (camelCase, acronyms, letter/digit boundaries, underscores): `getXMLHttpRequest`
               -> get xml http request, where MiniLM's pieces gave get ##x ##ml ##ht ##tp ##re ##quest
  vocab        split, plus a code vocabulary distilled in (model2vec `distill(vocabulary=...)`:
               each word gets the transformer's vector of the whole word), words from
               code_vocabulary.py (--vocabulary FILE)
  corpus-sif   the table's Zipf-by-token-id SIF weights replaced by SIF weights from token
               frequencies counted over --corpora (coefficient --sif)
  no-sif       the table without SIF weighting

    python benchmarks/static_variants.py split --out /tmp/variants/split
    python benchmarks/code_vocabulary.py --out /tmp/vocab.txt CORPUS...
    python benchmarks/static_variants.py vocab --vocabulary /tmp/vocab.txt --out /tmp/variants/vocab
    python benchmarks/static_variants.py corpus-sif --sif 1e-3 --corpora CORPUS... --out /tmp/variants/sif

Measured on the semble dev split (42 repositories, embed_replay.py, 2026-12-01), hybrid NDCG@10 /
vector against the default's 0.831 / 0.789: split 0.823 / 0.783 (camelCase only 0.822 / 0.782),
vocab (2,773 words) 0.807 / 0.743, corpus-sif 1e-3 0.823 / 0.778, 1e-4 0.809 / 0.758,
1e-5 0.777 / 0.693. None was adopted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SPLIT = (r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])"
         r"|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])")


def with_split(tokenizer):
    from tokenizers import Regex, normalizers

    split = [normalizers.Replace(Regex(SPLIT), " "), normalizers.Replace("_", " ")]
    tokenizer.normalizer = normalizers.Sequence([*split, tokenizer.normalizer] if tokenizer.normalizer else split)
    return tokenizer


def zipf_weights(n: int, sif: float = 1e-4) -> np.ndarray:
    """model2vec's SIF weights: token i is taken to be the (i + 2)-th most frequent."""
    inv = 1 / np.arange(2, n + 2)
    return sif / (sif + inv / inv.sum())


def publish(base: Path, out: Path, *, table: np.ndarray | None = None, tokenizer=None, note: str = "") -> None:
    from mnemo.embed.static import content_hash

    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(base, out)
    if table is not None:
        np.save(out / "embeddings.npy", np.ascontiguousarray(table.astype(np.float16)), allow_pickle=False)
    if tokenizer is not None:
        (out / "tokenizer.json").write_text(tokenizer.to_str())
    manifest = json.loads((out / "manifest.json").read_text())
    manifest.update(name=out.name, variant=note, sha256=content_hash(out))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{out}: {note} (sha256 {manifest['sha256'][:16]})", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("variant", choices=("split", "vocab", "corpus-sif", "no-sif"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--base", type=Path, help="the default model's directory (default: build or find it)")
    ap.add_argument("--vocabulary", type=Path, help="vocab: one word a line")
    ap.add_argument("--corpora", type=Path, nargs="*", default=[], help="corpus-sif: directories to count tokens in")
    ap.add_argument("--sif", type=float, default=1e-3)
    args = ap.parse_args(argv)

    from tokenizers import Tokenizer

    from mnemo.embed import load_embedder

    base = args.base or load_embedder("static").path
    tokenizer = Tokenizer.from_file(str(base / "tokenizer.json"))
    table = np.load(base / "embeddings.npy").astype(np.float64)
    if args.variant == "split":
        publish(base, args.out, tokenizer=with_split(tokenizer), note="identifier split")
    elif args.variant == "no-sif":
        publish(base, args.out, table=table / zipf_weights(len(table))[:, None], note="no SIF weights")
    elif args.variant == "corpus-sif":
        from code_vocabulary import files_of

        tokenizer.no_padding()
        tokenizer.no_truncation()
        counts = np.zeros(len(table), dtype=np.int64)
        for root in args.corpora:
            texts = [f.read_text(encoding="utf-8", errors="replace")[:200_000] for f in files_of(root)]
            for start in range(0, len(texts), 500):
                for enc in tokenizer.encode_batch(texts[start:start + 500], add_special_tokens=False):
                    np.add.at(counts, enc.ids, 1)
        p = (counts + 1) / (counts.sum() + len(counts))
        weights = (args.sif / (args.sif + p)) / zipf_weights(len(table))
        publish(base, args.out, table=table * weights[:, None], note=f"SIF {args.sif:g} from corpus counts")
    else:  # vocab: a real distillation with the default's parameters and the words added
        if not args.vocabulary:
            ap.error("vocab needs --vocabulary FILE")
        os.environ["HF_HUB_OFFLINE"] = "1"
        import torch
        from model2vec.distill import distill
        from threadpoolctl import threadpool_limits

        from mnemo.embed.static import DISTILL_PARAMS
        from mnemo.embed.torch_backend import packaged_minilm_path

        words = [w.strip() for w in args.vocabulary.read_text().splitlines() if w.strip()]
        torch.manual_seed(0)
        torch.set_num_threads(1)
        with threadpool_limits(limits=1):
            model = distill(packaged_minilm_path(), device="cpu", vocabulary=words, **DISTILL_PARAMS)
        publish(base, args.out, table=np.asarray(model.embedding, dtype=np.float32),
                tokenizer=with_split(model.tokenizer), note=f"identifier split + {len(words)} words distilled in")
    return 0


if __name__ == "__main__":
    sys.exit(main())
