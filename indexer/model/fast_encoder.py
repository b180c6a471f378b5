"""Passage encoders for the same converted e5, each with a fingerprint so that their vectors never mix.

Variants (measured on 2 cores; README, scale section):
  torch-fp32   sentence-transformers as loaded by `Embedder` (the reference vectors)
  torch-int8   the same with torch dynamic int8 quantisation of every nn.Linear
  onnx-fp32    ONNX Runtime on a graph exported with torch.onnx.export (mean pooling and
               normalisation inside the graph)
  onnx-int8    the same graph with onnxruntime's dynamic int8 weight quantisation
Measured on 600 statute passages against torch-fp32 (passages per CPU second; top-10 overlap on
100 statute queries): torch-fp32 4.4; torch-int8 7.8, overlap 0.51; onnx-fp32 6.8, cosine 1.000,
overlap 1.00; onnx-int8 11.2, overlap 0.66. e5's similarities sit in a narrow band, so int8's
cosine of 0.97–0.985 reorders the top ten: use onnx-fp32 where speed matters, never int8 for
vectors that are compared with fp32 ones (the fingerprints keep them apart regardless).
All take e5's "passage: "/"query: " prompts, truncate at 512 tokens and return unit float32 rows,
so any of them can fill `indexer.model.cache.encode_cached`. `open_encoder(model_dir, variant)`
is the one entry point; the ONNX files are made next to the cache on first use (export ≈ 1 min).

Batches are sorted by length before padding: short statute passages next to a 300-character one
would otherwise pay for its padding.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from indexer.model.cache import model_fingerprint

VARIANTS = ("torch-fp32", "torch-int8", "onnx-fp32", "onnx-int8")
MAX_TOKENS = 512


class Encoder(Protocol):
    fingerprint: str
    dim: int

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


def _length_sorted_batches(n_tokens: list[int], batch_size: int) -> list[list[int]]:
    order = sorted(range(len(n_tokens)), key=n_tokens.__getitem__)
    return [order[i:i + batch_size] for i in range(0, len(order), batch_size)]


class TorchEncoder:
    """sentence-transformers on torch, fp32 or with dynamic int8 Linear layers."""

    def __init__(self, model_dir: Path, *, int8: bool = False, batch_size: int = 16):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # deferred: torch and sentence-transformers take seconds to import; only this encoder needs them
        import torch
        from sentence_transformers import SentenceTransformer

        self.model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
        if int8:
            self.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8)
        self.batch_size = batch_size
        self.dim = int(self.model.get_embedding_dimension())
        self.fingerprint = model_fingerprint(model_dir, variant="torch-int8" if int8 else "torch-fp32")

    def _encode(self, texts: list[str], prompt: str, progress: bool) -> np.ndarray:
        return self.model.encode(list(texts), prompt_name=prompt, batch_size=self.batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=progress).astype(np.float32)

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage", progress)

    def encode_query(self, text: str) -> np.ndarray:
        return self._encode([text], "query", False)[0]


def export_onnx(model_dir: Path, out: Path, *, int8: bool = False) -> Path:
    """Write the e5 graph (ids, mask → unit mean-pooled vector) as ONNX; int8 quantises its weights."""
    # deferred: torch and transformers take seconds to import; only the ONNX export needs them
    import torch
    from transformers import AutoModel

    fp32 = out if not int8 else out.with_name(out.stem.replace("-int8", "") + "-fp32.onnx")
    if not fp32.exists():
        bert = AutoModel.from_pretrained(str(model_dir)).eval()

        class Pooled(torch.nn.Module):
            def __init__(self, m: torch.nn.Module):
                super().__init__()
                self.m = m

            def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
                h = self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
                mask = attention_mask.unsqueeze(-1).to(h.dtype)
                v = (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                return torch.nn.functional.normalize(v, dim=-1)

        ids = torch.ones(2, 16, dtype=torch.long)
        fp32.parent.mkdir(parents=True, exist_ok=True)
        tmp = fp32.with_suffix(".tmp")
        # dynamo=False: the TorchScript exporter needs only the onnx package, not onnxscript.
        torch.onnx.export(Pooled(bert).eval(), (ids, ids), str(tmp), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "b", 1: "t"}, "attention_mask": {0: "b", 1: "t"},
                                        "embedding": {0: "b"}})
        tmp.replace(fp32)
    if int8 and not out.exists():
        from onnxruntime.quantization import QuantType, quantize_dynamic  # deferred: onnxruntime, only for int8

        tmp = out.with_suffix(".tmp")
        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        tmp.replace(out)
    return out


class OnnxEncoder:
    """ONNX Runtime on the exported e5 graph; tokenised with the model's own tokenizer.json."""

    def __init__(self, model_dir: Path, onnx_path: Path, *, int8: bool = False, batch_size: int = 16,
                 threads: int | None = None):
        # deferred: onnxruntime and tokenizers, only when the ONNX encoder is chosen
        import onnxruntime as ort
        from tokenizers import Tokenizer

        if not onnx_path.exists():
            export_onnx(model_dir, onnx_path, int8=int8)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or (os.cpu_count() or 1)
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.pad_id = self.tokenizer.token_to_id("<pad>") or 0
        self.batch_size = batch_size
        self.dim = int(self.session.get_outputs()[0].shape[-1] or 384)
        self.fingerprint = model_fingerprint(model_dir, variant="onnx-int8" if int8 else "onnx-fp32")

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encs = self.tokenizer.encode_batch([prefix + t for t in texts])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for batch in _length_sorted_batches([len(e.ids) for e in encs], self.batch_size):
            width = max(len(encs[i].ids) for i in batch)
            ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, i in enumerate(batch):
                n = len(encs[i].ids)
                ids[row, :n] = encs[i].ids
                mask[row, :n] = 1
            out[batch] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        return self._encode(list(texts), "passage: ")

    def encode_query(self, text: str) -> np.ndarray:
        return self._encode([text], "query: ")[0]


def open_encoder(model_dir: Path, variant: str = "torch-fp32", *, onnx_dir: Path | None = None,
                 batch_size: int = 16) -> Encoder:
    """The encoder of this variant (see VARIANTS); ONNX files live in onnx_dir (made on first use)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown encoder variant {variant!r}: one of {', '.join(VARIANTS)}")
    if variant.startswith("torch"):
        return TorchEncoder(model_dir, int8=variant == "torch-int8", batch_size=batch_size)
    int8 = variant == "onnx-int8"
    where = onnx_dir or (model_dir.parent / f"{model_dir.name}-onnx")
    return OnnxEncoder(model_dir, where / f"{model_dir.name}-{'int8' if int8 else 'fp32'}.onnx", int8=int8,
                       batch_size=batch_size)
