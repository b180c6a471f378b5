"""Query vectors remembered beside an encoder: a query asked again costs no model time.

Both query encoders (`indexer.model.embedder.Embedder` on torch, `indexer.model.query_encoder.
OnnxQueryEncoder` on ONNX Runtime) keep this one cache; each gives only `_encode_one`. The server's
encoder budget asks `cached` first so that a repeated query never waits in its queue.
"""

from __future__ import annotations

import numpy as np

from indexer.lru import BoundedCache

__all__ = ["QueryCache"]


class QueryCache:
    """Unit query vectors kept by query text (indexer.lru, bounded); subclasses encode one query in
    `_encode_one`."""

    def __init__(self, cache_size: int = 2048):
        self._cache: BoundedCache[np.ndarray] = BoundedCache(cache_size)

    def _encode_one(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def cached(self, text: str) -> np.ndarray | None:
        """The query's vector if it was encoded before (no model time), else None."""
        return self._cache.peek(text)

    def clear_cache(self) -> None:
        """Forget the encoded queries (benchmarks time a new query's encoding)."""
        self._cache.clear()

    def encode_query(self, text: str) -> np.ndarray:
        return self._cache.get(text, lambda: np.asarray(self._encode_one(text), dtype=np.float32))
