"""Writing the e5 questions of the policy records (the format and why: indexer.index.measure_queries)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from indexer.index.measure_queries import TEXTS_FILE, VECTORS_FILE
from indexer.model.cache import EmbeddingCache, model_fingerprint
from indexer.model.embedder import Embedder
from indexer.model.parallel_encoder import ParallelPassageEncoder, build_encoder_choice
from indexer.model.prompts import query_prompt
from indexer.model.query_encoder import graph_supported, query_graph_path

__all__ = ["encode_measure_queries", "save_query_vectors"]


class _TorchQueries:
    """`encode_passages` that encodes queries with the sentence-transformers model (no exported graph),
    loading it only when the cache lacks something."""

    def __init__(self, model_dir: Path, fingerprint: str):
        self.model_dir, self.fingerprint = model_dir, fingerprint
        self._embedder: Embedder | None = None

    def encode_passages(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        if self._embedder is None:
            self._embedder = Embedder(self.model_dir)
        return np.stack([self._embedder.encode_query(t) for t in texts])

    def close(self) -> None:
        pass


def encode_measure_queries(model_dir: Path, index_dir: Path, texts: list[str], cache: EmbeddingCache) -> np.ndarray:
    """Unit query vectors of `texts`, in order: from the cache, the rest encoded as the build encodes
    passages (ONNX Runtime in a process per core when the graph is exported, else torch), with the
    model's query prompt ("query: ") instead of its passage prompt. (The choice is LazyPassageEncoder's,
    written again rather than given a prompt there: indexer.index.passage_encoding is in 全法令's
    writer closure, and editing it would mark every 全法令 index stale: a 14-minute rebuild.)"""
    prompt = query_prompt(model_dir)
    fingerprint = model_fingerprint(model_dir, prompt=prompt)
    graph = query_graph_path(model_dir, index_dir) if graph_supported(model_dir) else None
    if build_encoder_choice() == "onnx" and graph is not None and prompt:
        encoder = ParallelPassageEncoder(model_dir, graph, fingerprint, prompt=prompt)
    else:
        encoder = _TorchQueries(model_dir, fingerprint)
    try:
        return cache.encode_cached(encoder, texts)
    finally:
        encoder.close()


def save_query_vectors(path: Path, texts: list[str], vectors: np.ndarray) -> None:
    if len(texts) != len(vectors):
        raise ValueError(f"{len(vectors)} vectors for {len(texts)} texts")
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / VECTORS_FILE, np.ascontiguousarray(vectors, dtype=np.float32))
    (path / TEXTS_FILE).write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
