"""Writing vector indexes: the regional rows, and the memory-mapped layout with its HNSW graph.

Two layouts, each read by its own reader:
  save_vectors  vectors.npy + owners.json of the regional collection (indexer.index.vectors.VectorIndex)
  save_ann      vectors.npy + owners.json + ann.json (+ ann.usearch above EXACT_LIMIT rows), read
                memory-mapped by indexer.index.ann.AnnVectorIndex; `save_graph` alone writes ann.json
                and the graph for rows already written (the parts of a large collection,
                indexer.index.collection_build). Why these limits and parameters: indexer.index.ann.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from indexer.index.usearch_load import usearch_index

EXACT_LIMIT = 200_000
HNSW = {"connectivity": 16, "expansion_add": 128, "expansion_search": 128}


def save_vectors(path: Path, vectors: np.ndarray, owners: list[str]) -> None:
    """The regional collection's rows: several rows (chunks) per record, `owners` naming each row's record."""
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "vectors.npy", vectors)
    (path / "owners.json").write_text(json.dumps(owners), encoding="utf-8")


def save_ann(path: Path, vectors: np.ndarray, owners: list[str], *, fingerprint: str = "",
             exact_limit: int = EXACT_LIMIT, threads: int = 2, dtype: str = "f16") -> dict:
    """Write vectors (+ the HNSW graph when there are more than exact_limit rows) into path."""
    if len(vectors) != len(owners):
        raise ValueError(f"{len(vectors)} vectors but {len(owners)} owners")
    path.mkdir(parents=True, exist_ok=True)
    np.save(path / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
    (path / "owners.json").write_text(json.dumps(owners, ensure_ascii=False), encoding="utf-8")
    return save_graph(path, vectors, fingerprint=fingerprint, exact_limit=exact_limit, threads=threads, dtype=dtype)


def save_graph(path: Path, vectors: np.ndarray, *, fingerprint: str = "", exact_limit: int = EXACT_LIMIT,
               threads: int = 2, dtype: str = "f16") -> dict:
    """ann.json, and ann.usearch above exact_limit rows, for vectors already written as path/vectors.npy."""
    meta = {"kind": "exact", "rows": int(len(vectors)), "dim": int(vectors.shape[1]) if len(vectors) else 0,
            "fingerprint": fingerprint}
    if len(vectors) > exact_limit:
        index = usearch_index()(ndim=vectors.shape[1], metric="cos", dtype=dtype, **HNSW)
        index.add(np.arange(len(vectors), dtype=np.uint64), np.asarray(vectors, dtype=np.float32), threads=threads)
        index.save(str(path / "ann.usearch"))
        meta.update(kind="usearch-hnsw", dtype=dtype, **HNSW)
    (path / "ann.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return meta
