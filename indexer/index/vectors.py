"""Dense vectors: a sentence-transformers model loaded from a directory, and exact search.

The default model directory is produced offline by indexer.model.e5_convert; any
other local sentence-transformers directory works too, with its own prompts
(e5's "query: "/"passage: ", ruri's 検索クエリ/検索文書) taken from its config.
At this corpus size exact search with numpy is milliseconds.

`VectorSearch` is the one interface of vector search: `VectorIndex` here (exact, numpy, in
memory) and `indexer.index.ann.AnnVectorIndex` (memory-mapped rows, exact or usearch HNSW) are
its two implementations; the regional e5 vectors and every part of 全法令 are searched through it.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

# Chunks longer than the model's 512 tokens would be truncated silently.
CHUNK_CHARS = 300


def chunk_passage(title: str, text: str, limit: int = CHUNK_CHARS) -> list[str]:
    """Split a long passage at line ends; each chunk keeps the title for context."""
    lines = [ln for ln in text.split("\n") if ln.strip()]
    chunks: list[str] = []
    cur = ""
    for ln in lines:
        if cur and len(cur) + len(ln) > limit:
            chunks.append(cur)
            cur = ""
        cur = f"{cur}\n{ln}" if cur else ln
    if cur:
        chunks.append(cur)
    if not chunks:
        return [title]
    return [c if c.startswith(title) else f"{title}\n{c}" for c in chunks]


@runtime_checkable
class VectorSearch(Protocol):
    """Unit rows, each owned by a record (several rows, or chunks, per record)."""

    def search(self, query: np.ndarray, k: int, allowed: set | None = None) -> list[tuple[Hashable, float]]:
        """The k owners nearest to the query (each by its best row), best first, among `allowed`."""

    def nearest(self, query: np.ndarray, rows: int) -> list[tuple[Hashable, float]]:
        """(owner, similarity) of about the `rows` best rows, several per owner possible, unordered."""


class VectorIndex:
    """Rows of unit vectors, several rows (chunks) per record; a record scores its best chunk.
    Exact search (VectorSearch)."""

    def __init__(self, vectors: np.ndarray, owners: list[str]):
        self.vectors = vectors
        self.owners = owners
        self.ids = list(dict.fromkeys(owners))
        pos = {rid: i for i, rid in enumerate(self.ids)}
        self._owner_idx = np.array([pos[o] for o in owners], dtype=np.int64)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "vectors.npy", self.vectors)
        (path / "owners.json").write_text(json.dumps(self.owners), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "VectorIndex":
        return cls(np.load(path / "vectors.npy"), json.loads((path / "owners.json").read_text(encoding="utf-8")))

    def scores(self, query: np.ndarray) -> dict[str, float]:
        sims = self.vectors @ query
        best = np.full(len(self.ids), -1.0, dtype=np.float32)
        np.maximum.at(best, self._owner_idx, sims)
        return dict(zip(self.ids, best.tolist()))

    def nearest(self, query: np.ndarray, rows: int) -> list[tuple[str, float]]:
        if len(self.vectors) == 0:
            return []
        sims = np.asarray(self.vectors @ query, dtype=np.float32)
        take = min(len(sims), rows)
        top = np.argpartition(-sims, take - 1)[:take]
        return [(self.owners[r], float(s)) for r, s in zip(top.tolist(), sims[top].tolist())]

    def search(self, query: np.ndarray, k: int, allowed: set[str] | None = None) -> list[tuple[str, float]]:
        scored = self.scores(query)
        items = [(rid, s) for rid, s in scored.items() if allowed is None or rid in allowed]
        items.sort(key=lambda kv: -kv[1])
        return items[:k]
