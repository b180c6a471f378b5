"""usearch's Index class, loaded after ONNX Runtime.

With usearch's native library loaded first, importing onnxruntime crashes the process (SIGSEGV in
libstdc++ during its static initialisation; usearch 2.26 beside onnxruntime 1.x): the query encoder
did so on the first hybrid search over 全法令, whose vectors are an HNSW graph. Loaded in this
order, both work; every module that needs usearch takes it from here.
"""

from __future__ import annotations

__all__ = ["usearch_index"]


def usearch_index():
    """usearch.index.Index, with ONNX Runtime (when installed) loaded before it."""
    try:
        import onnxruntime  # noqa: F401  # deferred: heavy; loaded here only so that it comes before usearch
    except ImportError:
        pass
    from usearch.index import Index  # deferred: 0.17 s to import; only a graph above EXACT_LIMIT rows needs it

    return Index
