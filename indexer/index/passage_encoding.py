"""The build's passage encoder and embedding cache, shared by the builders of every collection
(the regional e5 vectors, 全法令's e5 rows of the main Acts): a module of its own so that neither
builder's code fingerprint holds the other builder."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from indexer.config import Settings
from indexer.model.embedder import Embedder
from indexer.model.parallel_encoder import ParallelPassageEncoder, build_encoder_choice
from indexer.model.prompts import passage_prompt, query_prompt
from indexer.model.query_encoder import graph_supported, query_graph_path

__all__ = ["CACHE_FILE", "cache_path", "LazyPassageEncoder"]

#: The embedding cache, beside the builds (pruning never touches it): a rebuild embeds only new passages.
CACHE_FILE = "embeddings.sqlite"


def cache_path(index_dir: Path) -> Path:
    """The embedding cache: POLICYKB_EMBEDDING_CACHE when set (tests share the developer's cache
    this way, so a session's build of the default corpus embeds nothing already embedded), else
    <index dir>/embeddings.sqlite. Sharing is safe: rows are keyed by encoder fingerprint and text."""
    env = os.environ.get("POLICYKB_EMBEDDING_CACHE")
    return Path(env) if env else index_dir / CACHE_FILE


class LazyPassageEncoder:
    """The build's encoder for `encode_cached`, loading the model only when something is missing:
    ONNX Runtime in a process per core when the build exported the model's graph
    (indexer.model.parallel_encoder), else (or with POLICYKB_BUILD_ENCODER=torch) torch in this process.

    `queries=True` encodes the texts as questions (the model's query prompt, "query: "), for the
    policy records' texts asked as e5 questions (indexer.index.measure_query_writer); its fingerprint
    must then be the query prompt's (model_fingerprint(model_dir, prompt=…))."""

    def __init__(self, settings: Settings, fingerprint: str, *, queries: bool = False):
        self.settings = settings
        self.model_dir = settings.model_dir
        self.fingerprint = fingerprint
        self.queries = queries
        self._embedder = None

    def _open(self):
        # A model without a query prompt encodes its questions with torch (sentence-transformers adds none).
        prompt = (query_prompt(self.model_dir) or None) if self.queries else passage_prompt(self.model_dir)
        graph = query_graph_path(self.model_dir, self.settings.index_dir) if graph_supported(self.model_dir) else None
        if build_encoder_choice() == "onnx" and graph is not None and prompt is not None:
            return ParallelPassageEncoder(self.model_dir, graph, self.fingerprint, prompt=prompt)
        return Embedder(self.model_dir)

    def encode_passages(self, texts: list[str], *, progress: bool = False):
        if self._embedder is None:
            self._embedder = self._open()
        if self.queries and isinstance(self._embedder, Embedder):
            return np.stack([self._embedder.encode_query(t) for t in texts])
        return self._embedder.encode_passages(texts, progress=progress)

    def close(self) -> None:
        if isinstance(self._embedder, ParallelPassageEncoder):
            self._embedder.close()
