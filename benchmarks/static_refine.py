"""Refine the static default model on code, the packaged MiniLM as the teacher (tokenlearn-style),
and write the result as a candidate model directory for embed_replay.py.

Why: the default static table is model2vec's distillation of MiniLM, one forward pass per word
piece *alone*. How a piece contributes to a whole chunk's meaning is never seen. tokenlearn
(MinishLab, the method behind semble's potion-code model) trains the table so that the average
of a text's rows matches the transformer's embedding of the whole text. This script does that
on code chunks cut by Mnemo's own chunker from public repositories that are NOT in the semble
split (`--mirror name=GITDIR`, the mirrors `fetch` brings; each one's HEAD commit is recorded).

Steps, each deterministic (one thread, fixed seed):
  1. corpus: every file of a known language at the mirror's HEAD, in SHA-1-of-path order, parsed
     by `mnemo.chunk.parse_source` and turned into the indexer's embedded text
     (`mnemo.embed.chunk_text`); at most `--per-file` chunks a file, `--per-repo` a repository;
  2. teacher: MiniLM (sentence-transformers, 256 word pieces, normalised) embeds every text, cached
     in `--cache` by a hash of the texts (`--bf16` runs it under bfloat16 autocast: cosine
     0.99997 to float32 on this machine's AMX, 3x faster);
  3. student: the default table E0 (already SIF-weighted) mapped into the teacher's space by the
     least-squares map M of normalised static vectors onto teacher vectors, then trained with
     Adam on 1 - cos(mean(E[ids]), teacher) plus `--l2` * |E - E0 M|^2 on the rows in the batch;
     rows of pieces never seen keep E0 M, so the table stays one coherent space;
  4. written as float16 `embeddings.npy` + the default's tokenizer + manifest (sha256 as the
     product computes it), to `--out`.

    python benchmarks/static_refine.py --mirror requests=/work/.mirror/psf+requests/repo ... \\
        --out /tmp/refined/all-MiniLM-L6-v2-static --bf16
    python benchmarks/embed_replay.py --home benchmarks/.cache/static-home \\
        --record benchmarks/.cache/static-rec.pkl.gz --model-dir /tmp/refined/all-MiniLM-L6-v2-static \\
        --out /tmp/refined.pkl.gz

Prints the held-out cosine to the teacher (5% of the texts, by hash) before and after training.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache" / "refine"
MAX_FILE_BYTES = 256_000


def _git(gitdir: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", gitdir, *args], check=True, capture_output=True).stdout


def corpus(mirrors: list[tuple[str, str]], per_repo: int, per_file: int, log) -> tuple[list[str], list[str]]:
    """(texts, provenance lines 'name commit files chunks'): the indexer's texts of each mirror."""
    from mnemo.chunk import parse_source
    from mnemo.embed import chunk_text
    from mnemo.languages.registry import language_for_path

    texts: list[str] = []
    provenance: list[str] = []
    for name, gitdir in mirrors:
        commit = _git(gitdir, "rev-parse", "HEAD").decode().strip()
        listing = _git(gitdir, "ls-tree", "-r", "-z", "-l", "HEAD").split(b"\0")
        files = []
        for raw in listing:
            if not raw:
                continue
            meta, path = raw.split(b"\t", 1)
            mode, kind, sha, size = meta.decode().split()
            path_s = path.decode("utf-8", "surrogateescape")
            if kind != "blob" or not size.isdigit() or int(size) > MAX_FILE_BYTES:  # BAD: not in the snapshot
                continue
            language = language_for_path(path_s)
            if language:
                files.append((hashlib.sha1(path).hexdigest(), path_s, sha, language))
        files.sort()
        got, used = 0, 0
        for _, path_s, sha, language in files:
            if got >= per_repo:
                break
            try:
                source = _git(gitdir, "cat-file", "blob", sha)
            except subprocess.CalledProcessError:
                continue  # a blob the snapshot lacks
            try:
                parsed = parse_source(source, language, path=path_s)
            except Exception as exc:  # a grammar that cannot take this file: skip it, say so
                log(f"  {name}: {path_s}: {exc}")
                continue
            chunks = [c for c in parsed.chunks if c.source.strip()][:per_file]
            kept = [chunk_text(c, path_s) for c in chunks]
            # a docstring alone is the closest thing in code to a query in words
            kept += [c.docstring for c in chunks if c.docstring and len(c.docstring) >= 40]
            if kept:
                used += 1
            kept = kept[: per_repo - got]
            texts.extend(kept)
            got += len(kept)
        provenance.append(f"{name} {commit} {used} {got}")
        log(f"  {name} @ {commit[:10]}: {got} texts from {used} files")
    return texts, provenance


def teacher_vectors(texts: list[str], cache: Path, bf16: bool, log) -> np.ndarray:
    from mnemo.embed.text import MAX_TEXT_CHARS

    key = hashlib.sha256(("bf16" if bf16 else "fp32").encode() + b"".join(
        hashlib.sha256(t.encode("utf-8", "surrogatepass")).digest() for t in texts)).hexdigest()[:20]
    path = cache / f"teacher-{key}.npy"
    if path.is_file():
        log(f"teacher vectors from {path}")
        return np.load(path)
    import torch
    from sentence_transformers import SentenceTransformer

    from mnemo.embed.torch_backend import packaged_minilm_path

    torch.manual_seed(0)
    model = SentenceTransformer(packaged_minilm_path(), device="cpu")
    model.max_seq_length = 256
    started = time.perf_counter()
    clipped = [t[:MAX_TEXT_CHARS] for t in texts]
    parts = []
    step = 2048
    for i in range(0, len(clipped), step):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            parts.append(model.encode(clipped[i:i + step], batch_size=64, normalize_embeddings=True,
                                      convert_to_numpy=True, show_progress_bar=False).astype(np.float32))
        done = min(i + step, len(clipped))
        log(f"  teacher {done}/{len(clipped)} ({done / (time.perf_counter() - started):.0f} texts/s)")
    vectors = np.concatenate(parts)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def token_ids(texts: list[str], base) -> tuple[np.ndarray, np.ndarray]:
    """Flat ids and offsets, exactly as StaticEmbedder tokenises (no special tokens, [UNK] dropped,
    at most MAX_TOKENS, a text of nothing gets [UNK])."""
    from mnemo.embed.static import MAX_TOKENS
    from mnemo.embed.text import MAX_TEXT_CHARS

    unk = base._unk_id
    flat: list[int] = []
    offsets: list[int] = []
    for enc in base._encode([t[:MAX_TEXT_CHARS] for t in texts], add_special_tokens=False):
        ids = [t for t in enc.ids if t != unk] if unk is not None else list(enc.ids)
        offsets.append(len(flat))
        flat.extend(ids[:MAX_TOKENS] or [unk if unk is not None else 0])
    return np.asarray(flat, dtype=np.int64), np.asarray(offsets, dtype=np.int64)


def train(table0: np.ndarray, flat: np.ndarray, offsets: np.ndarray, targets: np.ndarray, held: np.ndarray,
          epochs: int, lr: float, l2: float, batch: int, log, mode: str = "full") -> np.ndarray:
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)
    lengths = np.diff(np.append(offsets, len(flat)))
    E0 = torch.from_numpy(table0.astype(np.float32))
    y = torch.from_numpy(targets)
    bag = torch.nn.EmbeddingBag.from_pretrained(E0, freeze=True, mode="mean")
    idx_all = torch.from_numpy(flat)
    off_all = torch.from_numpy(offsets)

    def bags(rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        """The flat ids and bag offsets of some texts."""
        ids = torch.cat([idx_all[offsets[r]:offsets[r] + lengths[r]] for r in rows])
        return ids, torch.from_numpy(np.concatenate([[0], np.cumsum(lengths[rows])[:-1]]))

    def embed(E: torch.Tensor, rows: np.ndarray) -> torch.Tensor:
        ids, offs = bags(rows)
        return torch.nn.functional.embedding_bag(ids, E, offs, mode="mean")

    train_rows = np.flatnonzero(~held)
    held_rows = np.flatnonzero(held)
    with torch.no_grad():
        s0 = torch.nn.functional.normalize(bag(idx_all, off_all), dim=1)
        # ridge least squares in float64: the map must not depend on thread counts or rounding
        S, Y = s0[train_rows].double(), y[train_rows].double()
        M = torch.linalg.solve(S.T @ S + 1e-3 * torch.eye(S.shape[1], dtype=S.dtype), S.T @ Y).float()
        init = E0 @ M

    def held_cos(E: torch.Tensor) -> float:
        with torch.no_grad():
            v = torch.nn.functional.normalize(embed(E, held_rows), dim=1)
            return float((v * y[held_rows]).sum(1).mean())

    log(f"held-out cosine to the teacher: the default table mapped by M {held_cos(init):.4f}")
    if mode == "weights":
        # a small refinement: one log-weight per word piece and the map; the rows stay distilled
        a = torch.nn.Parameter(torch.zeros(E0.shape[0]))
        Mp = torch.nn.Parameter(M.clone())
        params = [a, Mp]

        def table() -> torch.Tensor:
            return (torch.exp(a)[:, None] * E0) @ Mp

        def forward(rows: np.ndarray) -> torch.Tensor:
            ids, offs = bags(rows)
            return torch.nn.functional.embedding_bag(ids, E0, offs, mode="sum",
                                                     per_sample_weights=torch.exp(a[ids])) @ Mp
    else:
        E = torch.nn.Parameter(init.clone())
        params = [E]

        def table() -> torch.Tensor:
            return E

        def forward(rows: np.ndarray) -> torch.Tensor:
            return embed(E, rows)

    opt = torch.optim.Adam(params, lr=lr)
    rng = np.random.default_rng(0)
    for epoch in range(epochs):
        order = rng.permutation(train_rows)
        total = 0.0
        for i in range(0, len(order), batch):
            rows = order[i:i + batch]
            v = torch.nn.functional.normalize(forward(rows), dim=1)
            loss = (1 - (v * y[rows]).sum(1)).mean()
            if l2 and mode == "full":  # keep the rows in the batch near their mapped start
                ids = torch.unique(bags(rows)[0])
                loss = loss + l2 * ((E[ids] - init[ids]) ** 2).sum(1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(rows)
        with torch.no_grad():
            log(f"epoch {epoch + 1}: train loss {total / len(order):.4f}, held-out cosine {held_cos(table()):.4f}")
    with torch.no_grad():
        return table().detach().numpy()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror", action="append", default=[], metavar="NAME=GITDIR", required=True)
    ap.add_argument("--out", type=Path, required=True, help="model directory to write")
    ap.add_argument("--per-repo", type=int, default=4000)
    ap.add_argument("--per-file", type=int, default=12)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--l2", type=float, default=0.0)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--mode", choices=("full", "weights"), default="full",
                    help="train every row (full) or one weight per piece + the map (weights)")
    ap.add_argument("--bf16", action="store_true", help="teacher under bfloat16 autocast (AMX CPUs)")
    ap.add_argument("--cache", type=Path, default=CACHE)
    args = ap.parse_args(argv)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    from mnemo.embed import static

    base = static.load()
    mirrors = [tuple(m.split("=", 1)) for m in args.mirror]
    log(f"corpus from {len(mirrors)} mirrors")
    corpus_key = hashlib.sha256(json.dumps([mirrors, args.per_repo, args.per_file,
                                            inspect.getsource(corpus)]).encode()).hexdigest()[:16]
    corpus_file = args.cache / f"corpus-{corpus_key}.json"
    if corpus_file.is_file():
        texts, provenance = json.loads(corpus_file.read_text())
    else:
        texts, provenance = corpus(mirrors, args.per_repo, args.per_file, log)
        args.cache.mkdir(parents=True, exist_ok=True)
        corpus_file.write_text(json.dumps([texts, provenance]))
    log(f"{len(texts)} texts")
    targets = teacher_vectors(texts, args.cache, args.bf16, log)
    flat, offsets = token_ids(texts, base)
    held = np.asarray([hashlib.sha1(t.encode("utf-8", "surrogatepass")).digest()[0] < 13 for t in texts])
    table = train(np.asarray(base._table), flat, offsets, targets, held, args.epochs, args.lr, args.l2,
                  args.batch, log, args.mode)

    out = args.out
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    np.save(out / "embeddings.npy", np.ascontiguousarray(table.astype(np.float16)), allow_pickle=False)
    shutil.copy(base.path / "tokenizer.json", out / "tokenizer.json")
    manifest = {"format": static.FORMAT, "name": out.name, "source": f"refined from {base.model_hash[:16]}",
                "builder": "benchmarks/static_refine.py", "corpus": provenance,
                "params": {k: getattr(args, k) for k in ("per_repo", "per_file", "epochs", "lr", "l2", "batch", "bf16", "mode")},
                "dimension": int(table.shape[1]), "unk_token_id": base._unk_id,
                "sha256": static.content_hash(out)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    log(f"wrote {out} (sha256 {manifest['sha256'][:16]}…)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
