"""Passage embedding on every core at build time: ONNX Runtime sessions in worker processes.

A build used to embed with sentence-transformers on torch, two threads of one process: 125 s for
the 3,590 passages of the default corpus (issue 18). A small model's layers are too small for
torch to keep two threads busy, and ONNX Runtime runs the same graph ≈ 1.5× faster per CPU
second (indexer.model.fast_encoder), so here each core gets a process of its own, with one ONNX
Runtime session of one thread on the query graph the build has already exported
(indexer.model.query_encoder.export_query_graph: the same Transformer → mean pooling → Normalize),
and half of the texts, dealt by length so both halves cost the same.

The vectors are the torch ones within float error (cosine ≥ 0.9999 against torch on every passage
of the default corpus, printed by `scripts/bench_build --compare`), so they are cached under the
model's own fingerprint, beside the torch ones: a cache filled by either path serves the other.
`POLICYKB_BUILD_ENCODER=torch` keeps the torch path (one process), for comparison.
Workers are started with `spawn`: the build process may hold torch (the graph's export), whose
thread pools do not survive a fork.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from indexer.errors import UsageError
from indexer.model.fast_encoder import OnnxEncoder  # onnxruntime and tokenizers load on first use, in the worker

__all__ = ["ParallelPassageEncoder", "build_encoder_choice", "MAX_WORKERS"]

#: Worker processes at most (each holds the model's graph: ≈ 0.5 GB).
MAX_WORKERS = 4

_ENCODER = None  # the worker process's own encoder


def build_encoder_choice() -> str:
    """'onnx' (default: worker processes) or 'torch' (one process), from POLICYKB_BUILD_ENCODER."""
    choice = os.environ.get("POLICYKB_BUILD_ENCODER", "onnx").strip().lower() or "onnx"
    if choice not in ("onnx", "torch"):
        raise UsageError(f"POLICYKB_BUILD_ENCODER must be onnx or torch, not {choice!r}")
    return choice


def _start(model_dir: str, graph: str, prompt: str) -> None:
    global _ENCODER
    _ENCODER = (OnnxEncoder(Path(model_dir), Path(graph), threads=1), prompt)


def _encode(texts: list[str]) -> np.ndarray:
    encoder, prompt = _ENCODER
    return encoder._encode(texts, prompt)


class ParallelPassageEncoder:
    """encode_passages over `workers` processes (started on first use, stopped by close())."""

    def __init__(self, model_dir: Path, graph: Path, fingerprint: str, *, workers: int | None = None,
                 prompt: str = "passage: "):
        self.model_dir = model_dir
        self.graph = graph
        self.fingerprint = fingerprint
        self.prompt = prompt
        self.workers = max(1, min(MAX_WORKERS, workers or os.cpu_count() or 1))
        self._pool: ProcessPoolExecutor | None = None

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start,
                                             initargs=(str(self.model_dir), str(self.graph), self.prompt))
        # Dealt by length (longest first, one each in turn): every worker gets as many tokens.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        parts = [order[w::self.workers] for w in range(self.workers)]
        futures = [(part, self._pool.submit(_encode, [texts[i] for i in part])) for part in parts if part]
        out: np.ndarray | None = None
        for part, fut in futures:
            vecs = fut.result()
            if out is None:
                out = np.zeros((len(texts), vecs.shape[1]), dtype=np.float32)
            out[part] = vecs
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __enter__(self) -> "ParallelPassageEncoder":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
