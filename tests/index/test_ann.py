"""ANN index: the usearch graph answers like exact search, loads memory-mapped, honours the allowed filter."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.index.ann import AnnVectorIndex
from indexer.index.vector_writer import save_ann
from indexer.index.vectors import VectorIndex


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    centers = rng.standard_normal((50, 64)).astype(np.float32)
    rows = centers[rng.integers(0, 50, 3000)] + 0.3 * rng.standard_normal((3000, 64)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    owners = [f"r{i // 3}" for i in range(3000)]  # three chunks per record
    queries = rows[rng.integers(0, 3000, 40)] + 0.1 * rng.standard_normal((40, 64)).astype(np.float32)
    return rows, owners, queries / np.linalg.norm(queries, axis=1, keepdims=True)


def test_graph_index_agrees_with_exact_search(tmp_path, data):
    rows, owners, queries = data
    meta = save_ann(tmp_path / "v", rows, owners, exact_limit=1000)
    assert meta["kind"] == "usearch-hnsw" and (tmp_path / "v" / "ann.usearch").exists()
    ann = AnnVectorIndex.load(tmp_path / "v")
    assert isinstance(ann.vectors, np.memmap)
    exact = VectorIndex(rows, owners)
    overlap, first = [], []
    for q in queries:
        got, want = ann.search(q, 10), exact.search(q, 10)
        assert [rid for rid, _ in got] == list(dict.fromkeys(rid for rid, _ in got))  # one hit per record
        overlap.append(len({r for r, _ in got} & {r for r, _ in want}) / 10)
        first.append(got[0][0] == want[0][0])
        if first[-1]:  # candidates are re-scored on the fp32 rows, not left at the graph's f16 distance
            assert got[0][1] == pytest.approx(want[0][1], abs=1e-5)
    assert np.mean(overlap) >= 0.95 and np.mean(first) >= 0.9


def test_small_index_is_exact_and_has_no_graph(tmp_path, data):
    rows, owners, queries = data
    meta = save_ann(tmp_path / "v", rows[:300], owners[:300])
    assert meta["kind"] == "exact" and not (tmp_path / "v" / "ann.usearch").exists()
    ann = AnnVectorIndex.load(tmp_path / "v")
    exact = VectorIndex(rows[:300], owners[:300])
    for q in queries[:10]:
        assert [r for r, _ in ann.search(q, 5)] == [r for r, _ in exact.search(q, 5)]


def test_allowed_filter_returns_only_allowed_records(tmp_path, data):
    rows, owners, queries = data
    save_ann(tmp_path / "v", rows, owners, exact_limit=1000)
    ann = AnnVectorIndex.load(tmp_path / "v")
    allowed = {f"r{i}" for i in range(0, 1000, 97)}  # 11 records the graph rarely reaches first
    exact = VectorIndex(rows, owners)
    for q in queries[:10]:
        got = ann.search(q, 5, allowed)
        assert {r for r, _ in got} <= allowed and len(got) == 5
        assert [r for r, _ in got] == [r for r, _ in exact.search(q, 5, allowed)]


def test_mismatched_owners_are_refused(tmp_path, data):
    rows, owners, _ = data
    with pytest.raises(ValueError, match="owners"):
        save_ann(tmp_path / "v", rows, owners[:-1])


def test_a_graph_opened_before_the_query_encoder_loads_does_not_crash_the_process(tmp_path, data):
    """usearch loaded before onnxruntime crashed the process at onnxruntime's import (SIGSEGV), as the
    first hybrid search over 全法令 did; in a fresh process, as a server or `policykb search` meets it."""
    import subprocess
    import sys

    rows, owners, _ = data
    save_ann(tmp_path / "v", rows, owners, exact_limit=1000)
    code = ("import sys; from indexer.index.ann import AnnVectorIndex; "
            "ann = AnnVectorIndex.load(__import__('pathlib').Path(sys.argv[1])); "
            "import onnxruntime; print(len(ann.search(ann.vectors[0], 3)))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "v")], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "3", (done.returncode, done.stderr[-500:])


def test_exact_search_keeps_the_records_order_among_equal_similarities():
    """VectorIndex.search sorts only the values up to the k-th: equal similarities (here many, at the
    k-th place and around it) still come in the records' order, as a stable sort of them all gives."""
    rng = np.random.default_rng(3)
    base = rng.normal(size=(6, 16)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    rows = base[rng.integers(0, 6, 300)]  # 300 records, each one of 6 vectors: ties everywhere
    owners = [f"r{i:03d}" for i in rng.permutation(300)]
    index = VectorIndex(rows, owners)
    for query in base:
        best = index.best(query)
        for k in (1, 5, 40, 299, 300, 400):
            for allowed in (None, set(owners[::3])):
                take = [i for i, rid in enumerate(index.ids) if allowed is None or rid in allowed]
                stable = sorted(take, key=lambda i: -best[i])[:k]  # Python's sort is stable
                assert index.search(query, k, allowed) == [(index.ids[i], float(best[i])) for i in stable]
