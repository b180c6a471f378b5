"""Fusion functions, without any index."""

from indexer.search.fusion import convex, min_max, rrf


def test_rrf_rewards_agreement_and_respects_weights():
    fused = rrf({"kw": ["a", "b", "c"], "sem": ["b", "d"]}, k=60)
    assert fused[0][0] == "b"
    assert {d for d, _ in fused} == {"a", "b", "c", "d"}
    weighted = rrf({"kw": ["a"], "sem": ["d"]}, k=60, weights={"sem": 2.0})
    assert weighted[0][0] == "d"
    assert abs(weighted[0][1] - 2 / 61) < 1e-12


def test_rrf_is_deterministic_on_ties():
    assert rrf({"x": ["b"], "y": ["a"]}) == rrf({"y": ["a"], "x": ["b"]})
    assert [d for d, _ in rrf({"x": ["b"], "y": ["a"]})] == ["a", "b"]


def test_convex_normalises_each_list():
    assert min_max({"a": 5.0, "b": 5.0}) == {"a": 1.0, "b": 1.0}
    fused = convex({"kw": {"a": 30.0, "b": 10.0}, "sem": {"b": 0.9, "c": 0.5}}, weights={"sem": 2.0})
    assert fused[0][0] == "b"
    assert dict(fused)["a"] == 1.0
