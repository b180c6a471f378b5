"""Query vectors remembered beside an encoder: a query asked again costs no model time.

Both query encoders (`indexer.model.embedder.Embedder` on torch, `indexer.model.query_encoder.
OnnxQueryEncoder` on ONNX Runtime) keep this one cache; each gives only `_encode_one`. The server's
encoder budget asks `cached` first so that a repeated query never waits in its queue.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

__all__ = ["QueryCache"]


class QueryCache:
    """A thread-safe LRU of unit query vectors; subclasses encode one query in `_encode_one`."""

    def __init__(self, cache_size: int = 2048):
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _encode_one(self, text: str) -> np.ndarray:
        raise NotImplementedError

    def cached(self, text: str) -> np.ndarray | None:
        """The query's vector if it was encoded before (no model time), else None."""
        with self._lock:
            return self._cache.get(text)

    def clear_cache(self) -> None:
        """Forget the encoded queries (benchmarks time a new query's encoding)."""
        with self._lock:
            self._cache.clear()

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vec = np.asarray(self._encode_one(text), dtype=np.float32)
        with self._lock:
            self._cache[text] = vec
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vec
