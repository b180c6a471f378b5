"""The one bounded, thread-safe cache of the engine: least recently used out.

Every per-process memo of the search side (query plans and vectors, tantivy queries, records read
from a collection's store, analysed texts, citations, basis suggestions) keeps what depends only on
its key and the build, and must stay bounded whatever clients send. Before, each was its own
OrderedDict and lock; some were first-in-first-out, one read outside its lock (a key could be
evicted between `in` and `[]`), and a value of None read as a miss. cachetools.LRUCache does the
bookkeeping; this adds the lock the server's threads need and "get, or make outside the lock":
making a value (Sudachi, SQLite, the model) is the slow part, and two threads making the same value
at once is cheaper than one waiting for the other.

The one cache left out is the query vectors' (indexer.model.query_cache): the build embeds passages
with the Embedder that holds it, so that module is in the index writers' import closure
(indexer.index.fingerprint) and any edit to it marks every index stale — a rebuild of 全法令
(≈ 17 min) for bytes that would not change. It is already an LRU under a lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import LRUCache

__all__ = ["BoundedCache"]

V = TypeVar("V")
_MISSING = object()


class BoundedCache(Generic[V]):
    """At most `limit` values by key, the least recently used evicted first; None is a value."""

    def __init__(self, limit: int) -> None:
        self._items: LRUCache = LRUCache(maxsize=limit)
        self._lock = threading.Lock()

    @property
    def limit(self) -> int:
        return int(self._items.maxsize)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        """The value kept for `key` (now the most recently used), else make()'s, kept."""
        with self._lock:
            got = self._items.get(key, _MISSING)
        if got is not _MISSING:
            return got
        got = make()
        self.put(key, got)
        return got

    def peek(self, key: Hashable, default: V | None = None) -> V | None:
        """The value kept for `key` (now the most recently used), else `default`; nothing is made."""
        with self._lock:
            return self._items.get(key, default)

    def put(self, key: Hashable, value: V) -> None:
        with self._lock:
            self._items[key] = value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
