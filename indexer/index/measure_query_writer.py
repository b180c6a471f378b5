"""Writing the e5 questions of the policy records (the format and why: indexer.index.measure_queries)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from indexer.config import Settings
from indexer.index.measure_queries import TEXTS_FILE, VECTORS_FILE
from indexer.index.passage_encoding import LazyPassageEncoder
from indexer.model.cache import EmbeddingCache, model_fingerprint
from indexer.model.prompts import query_prompt

__all__ = ["encode_measure_queries", "save_query_vectors"]


def encode_measure_queries(settings: Settings, texts: list[str], cache: EmbeddingCache) -> np.ndarray:
    """Unit query vectors of `texts`, in order: from the cache, the rest encoded as the build encodes
    passages (LazyPassageEncoder), with the model's query prompt ("query: ") instead of its passage prompt."""
    encoder = LazyPassageEncoder(settings, model_fingerprint(settings.model_dir, prompt=query_prompt(settings.model_dir)),
                                 queries=True)
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
