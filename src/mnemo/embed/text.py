"""What is embedded for a chunk, and the hash that keys its vector in the cache.

`chunk_text`: a one-line header — kind, qualified name, file path — then the docstring when the
chunk's source does not already hold it, then the source. The header puts the words a person
searches for ("UserService.save in src/users/service.ts") at the front, where truncation never
cuts them. Texts are clipped to MAX_TEXT_CHARS characters before tokenising so a huge chunk does
not cost tokeniser time for words no model sees (MiniLM reads 256 word pieces, ~4 characters
each; the static model averages at most 512).

`text_hash`: the vector cache is keyed by (model, hash of this exact text), so any change to the
rule above, to the chunk or to its path gives a new key and a fresh vector.
"""

from __future__ import annotations

import hashlib

from mnemo.models import Chunk

MAX_TEXT_CHARS = 2_000


def chunk_text(chunk: Chunk, rel_path: str) -> str:
    """The text embedded for a chunk (see the module docstring for why this shape)."""
    header = (f"module {rel_path}: {chunk.signature}".rstrip(": ") if chunk.kind == "module"
              else f"{chunk.kind} {chunk.qualified_name} in {rel_path}")
    parts = [header]
    if chunk.docstring and chunk.docstring[:40] not in chunk.source:
        parts.append(chunk.docstring)
    parts.append(chunk.source)
    return "\n".join(parts)


def text_hash(text: str) -> bytes:
    """16 bytes of BLAKE2b over the UTF-8 text: the cache key of its vector (with the model)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
