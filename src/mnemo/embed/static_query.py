"""The default model's query vector without numpy or tokenizers, for a one-query process.

Why: `mnemo search` runs in a fresh process per query. Importing numpy (~50 ms quiet, twice
that on a busy machine), importing tokenizers and parsing its tokenizer (~25 ms) was a third of
that process's time, to embed a few words. The static model needs neither for an ASCII query:
its tokenizer is BERT's (lowercase, split on whitespace and punctuation, greedy longest-match
word pieces) and its vector is a mean of float16 table rows, read here from the memory-mapped
`embeddings.npy` with `struct`.

The result is bit for bit what `StaticEmbedder.embed_query` returns (tests compare both on
hundreds of generated and real queries): the rows are summed one after another in float32
from +0.0, as numpy's mean over axis 0 does, and the norm's sum of squares is numpy's pairwise
float32 summation. Anything
this module does not implement exactly — a query with a non-ASCII character, a tokenizer or
table in another format, a model not built yet or damaged — goes to the full StaticEmbedder
(`static.load`), with its messages.
"""

from __future__ import annotations

import ast
import json
import mmap
import re
import string
import struct
import threading
from array import array
from pathlib import Path

from mnemo.embed.static import MAX_TOKENS, model_path, read_manifest
from mnemo.embed.text import MAX_TEXT_CHARS

_NORMALIZER = {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
               "strip_accents": None, "lowercase": True}
_PUNCTUATION = frozenset(string.punctuation)  # ASCII punctuation: each one a word of its own
_SPACE = frozenset("\t\n\r ")
_F32 = struct.Struct("f")


def _f32(x: float) -> float:
    """x rounded to float32 (a sum, product or quotient of two float32 values computed in
    float64 and rounded once is exactly the float32 operation's result)."""
    return _F32.unpack(_F32.pack(x))[0]


class Unsupported(Exception):
    """The table or tokenizer is not in the format this module reads: use the full model."""


class QueryEncoder:
    """Tokenise an ASCII query with the model's vocabulary and average its table rows."""

    def __init__(self, path: Path, unk_token_id: int | None) -> None:
        self._drop = unk_token_id  # the manifest's [UNK]: dropped from the mean, as StaticEmbedder does
        spec = json.loads((path / "tokenizer.json").read_text(encoding="utf-8"))
        model = spec.get("model") or {}
        if (spec.get("normalizer") != _NORMALIZER or spec.get("pre_tokenizer") != {"type": "BertPreTokenizer"}
                or model.get("type") != "WordPiece" or model.get("continuing_subword_prefix") != "##"):
            raise Unsupported("not a BERT word-piece tokenizer")
        self._vocab: dict[str, int] = model["vocab"]
        self._unk = self._vocab[model["unk_token"]]
        self._max_chars = int(model["max_input_chars_per_word"])
        # Added tokens are matched in the raw text before anything else (they are not normalised).
        added = {}
        for token in spec.get("added_tokens") or []:
            if token.get("normalized") or token.get("lstrip") or token.get("rstrip") or token.get("single_word"):
                raise Unsupported("an added token this module does not match")
            added[token["content"]] = int(token["id"])
        self._added = added
        self._added_re = (re.compile("(" + "|".join(re.escape(t) for t in sorted(added, key=len, reverse=True)) + ")")
                          if added else None)
        self._table, self._offset, self.rows, self.dimension = _open_table(path / "embeddings.npy")
        self._row = struct.Struct(f"<{self.dimension}e")

    def ids(self, text: str) -> list[int]:
        """The token ids of an ASCII text, as the model's tokenizer gives them without special tokens."""
        out: list[int] = []
        parts = self._added_re.split(text) if self._added_re is not None else [text]
        for i, part in enumerate(parts):
            if i % 2:  # an added token
                out.append(self._added[part])
                continue
            for word in _words(part):
                out.extend(self._pieces(word))
        return out

    def _pieces(self, word: str) -> list[int]:
        if len(word) > self._max_chars:
            return [self._unk]
        vocab, pieces, start = self._vocab, [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = vocab.get(piece)
                if found is not None:
                    break
                end -= 1
            if found is None:
                return [self._unk]
            pieces.append(found)
            start = end
        return pieces

    def embed_query(self, text: str) -> array | None:
        """The query's L2-normalised float32 vector (array 'f'), or None when the text is not ASCII."""
        text = text[:MAX_TEXT_CHARS]
        if not text.isascii():
            return None
        drop = self._drop
        ids = [t for t in self.ids(text) if t != drop] if drop is not None else self.ids(text)
        ids = ids[:MAX_TOKENS] or [drop if drop is not None else 0]
        total = array("f", bytes(4 * self.dimension))  # +0.0, numpy's start: -0.0 + 0.0 is +0.0
        for token in ids:
            if not 0 <= token < self.rows:
                raise Unsupported(f"token id {token} outside the table")
            row = self._row.unpack_from(self._table, self._offset + token * self._row.size)
            total = array("f", map(float.__add__, total, row))
        mean = array("f", [v / len(ids) for v in total])
        norm = _f32(_f32(0.0 + _pairwise_sum(array("f", [v * v for v in mean]), 0, len(mean))) ** 0.5)
        return array("f", [v / norm for v in mean]) if norm > 0 else mean


def _words(text: str) -> list[str]:
    """BERT's normaliser and pre-tokeniser on ASCII: control characters dropped, whitespace
    separates, lowercase, every punctuation character a word of its own."""
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if ch in _SPACE:
            if current:
                words.append("".join(current))
                current = []
        elif ch < " " or ch == "\x7f":
            continue
        elif ch in _PUNCTUATION:
            if current:
                words.append("".join(current))
                current = []
            words.append(ch)
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return [w.lower() for w in words]


def _pairwise_sum(values: array, start: int, n: int) -> float:
    """numpy's pairwise summation of float32 values (numpy/_core/src/umath/loops_utils.h.src),
    which `np.linalg.norm` uses for the sum of squares: exact to the last bit."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total = _f32(total + values[i])
        return total
    if n <= 128:
        r = list(values[start:start + 8])
        i = 8
        while i < n - n % 8:
            for j in range(8):
                r[j] = _f32(r[j] + values[start + i + j])
            i += 8
        total = _f32(_f32(_f32(r[0] + r[1]) + _f32(r[2] + r[3])) + _f32(_f32(r[4] + r[5]) + _f32(r[6] + r[7])))
        for k in range(start + i, start + n):
            total = _f32(total + values[k])
        return total
    half = n // 2
    half -= half % 8
    return _f32(_pairwise_sum(values, start, half) + _pairwise_sum(values, start + half, n - half))


def _open_table(path: Path) -> tuple[mmap.mmap, int, int, int]:
    """Memory-map a C-ordered little-endian float16 .npy table; its data offset and shape."""
    with open(path, "rb") as f:
        table = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if table[:6] != b"\x93NUMPY" or table[6] not in (1, 2, 3):
        raise Unsupported("not a .npy file")
    size_format, start = ("<H", 10) if table[6] == 1 else ("<I", 12)
    (length,) = struct.unpack_from(size_format, table, 8)
    header = ast.literal_eval(table[start:start + length].decode("latin1"))
    shape = header.get("shape")
    if header.get("descr") != "<f2" or header.get("fortran_order") or not (isinstance(shape, tuple) and len(shape) == 2):
        raise Unsupported(f"a table of {header.get('descr')} {shape}")
    rows, dimension = int(shape[0]), int(shape[1])
    offset = start + length
    if len(table) < offset + rows * dimension * 2:
        raise Unsupported("a truncated table")
    return table, offset, rows, dimension


class LightStaticEmbedder:
    """The static model for a process that embeds one query: this module's encoder for ASCII
    queries, the full StaticEmbedder (numpy + tokenizers, loaded on first need) for the rest.
    Any other attribute is the full model's, so code that holds this one (a process that ran
    `mnemo search` in-process, then indexes) sees a StaticEmbedder."""

    def __init__(self, name: str, dimension: int, model_hash: str, encoder: QueryEncoder, path: Path) -> None:
        self.model_name, self.dimension, self.model_hash, self.path = name, dimension, model_hash, path
        self._encoder: QueryEncoder | None = encoder
        self._full = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_full", "_lock", "_encoder"):
            raise AttributeError(name)
        return getattr(self._full_model(), name)

    def _full_model(self):
        with self._lock:
            if self._full is None:
                from mnemo.embed import static

                self._full = static.load(self.model_name)
            return self._full

    def embed_query(self, text: str):
        if self._encoder is not None:
            try:
                vector = self._encoder.embed_query(text)
            except Unsupported:
                self._encoder, vector = None, None
            if vector is not None:
                return vector
        return self._full_model().embed_query(text)

    def embed_documents(self, texts: list[str]):
        return self._full_model().embed_documents(texts)


def load(name: str):
    """The light embedder of static model `name` when it is built and in the format this module
    reads; otherwise the full one (which builds a missing model, or says what is wrong)."""
    path = model_path(name)
    manifest = read_manifest(path)
    if manifest is not None:
        try:
            encoder = QueryEncoder(path, manifest.get("unk_token_id"))
            if encoder.dimension == int(manifest.get("dimension", encoder.dimension)):
                return LightStaticEmbedder(name, encoder.dimension, manifest["sha256"], encoder, path)
        except (Unsupported, OSError, ValueError, KeyError, TypeError, SyntaxError):
            pass
    from mnemo.embed import static

    return static.load(name)
