"""The ONNX Runtime int8 backend: exported from the packaged MiniLM, close to the torch model,
and runnable without importing torch."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from mnemo.embed import ONNX_MODEL, canonical_model_name, load_embedder

TEXTS = [
    "function parseConfig in src/config.ts\nexport function parseConfig(text: string) { return JSON.parse(text); }",
    "retry a request with exponential backoff",
    "class UserService in src/users.ts\n" + "save(user) { return this.db.insert(user); }\n" * 60,
]


def test_int8_vectors_stay_close_to_the_torch_model(torch_embedder) -> None:
    onnx = load_embedder("onnx")
    assert onnx.model_name == ONNX_MODEL == canonical_model_name("int8") and onnx.dimension == 384
    assert len(onnx.model_hash) == 64
    a, b = onnx.embed_documents(TEXTS), torch_embedder.embed_documents(TEXTS)
    assert a.shape == (3, 384) and np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    assert (a * b).sum(axis=1).min() > 0.97
    # batch order does not change a text's vector (sorting by length, padding under the mask)
    assert np.allclose(onnx.embed_documents(TEXTS[::-1])[::-1], a, atol=1e-5)


def test_onnx_query_path_does_not_import_torch(torch_embedder) -> None:
    load_embedder("onnx")  # built by now (the first use builds it, with torch)
    code = ("import sys\nfrom mnemo.embed import load_embedder\n"
            "assert load_embedder('onnx').embed_query('find a user').shape == (384,)\n"
            "print('torch' in sys.modules, 'transformers' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
