"""Fusion functions, without any index."""

import pytest

from indexer.search.fusion import FUSION, LAW_INTENT, Candidates, convex, count, fuse, item_weights, law_weight, min_max, rrf


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


# -- the weighting rules over Candidates (one place for every collection) ------------------------------


def test_keyword_weight_is_the_share_of_concepts_to_the_power():
    c = Candidates("x", "keyword", [("a", 9.0), ("b", 5.0), ("c", 1.0)], {"a": 0.5, "b": 1.0, "c": 0.0})
    assert item_weights(c, FUSION) == {"a": 0.25, "b": 1.0, "c": 0.0}
    assert item_weights(c, {**FUSION, "coverage_power": 0}) == {}


def test_semantic_weight_depends_on_the_vector_space():
    # Both above the static floor (indexer.search.fusion.STATIC_FLOOR), the best at full belief.
    hits = [("a", 0.9), ("b", 0.72)]
    e5 = item_weights(Candidates("x", "semantic", hits, space="e5"), FUSION)
    static = item_weights(Candidates("x", "semantic", hits, space="static"), FUSION)
    assert e5["a"] == static["a"] == 1.0
    assert e5["b"] == pytest.approx(0.8 ** FUSION["similarity_power"])
    assert static["b"] == pytest.approx(0.8 ** 4)


def test_derived_hits_weigh_less_on_both_sides():
    kw = Candidates("x", "keyword", [("a", 2.0), ("d", 1.0)], {"a": 1.0, "d": 1.0}, derived=frozenset({"d"}))
    assert item_weights(kw, FUSION) == {"a": 1.0, "d": FUSION["derived_weight"]}
    sem = Candidates("x", "semantic", [("a", 0.8), ("d", 0.8)], derived=frozenset({"d"}))
    assert item_weights(sem, FUSION) == {"a": 1.0, "d": FUSION["derived_weight"]}


def test_one_list_alone_keeps_its_scores_and_count_matches_fuse():
    kw = Candidates("r", "keyword", [("a", 9.0), ("b", 5.0), ("z", 4.0)], {"a": 1.0, "b": 0.5, "z": 0.0})
    sem = Candidates("r", "semantic", [("b", 0.9), ("c", 0.8)])
    assert fuse([kw, sem], "keyword", FUSION) == kw.hits
    for mode in ("keyword", "semantic", "hybrid"):
        assert count([kw, sem], mode, FUSION) == len(fuse([kw, sem], mode, FUSION))
    # z holds none of the query's concepts and has no semantic support: not a result.
    assert "z" not in dict(fuse([kw, sem], "hybrid", FUSION))


def test_a_redundant_list_is_only_a_flag():
    """Leaving out a list another chosen collection holds is the engine's choice (rank), not fusion's."""
    c = Candidates("e5:laws", "semantic", [("a", 0.9)], redundant_with="regional")
    assert fuse([c], "semantic", FUSION) == [("a", 0.9)]


def test_e5_lists_share_one_scale():
    """Two e5 lists of one search are believed against the best e5 similarity of either: the first place
    of a list of poor matches (0.85 against 0.90) no longer counts as much as the other list's."""
    good = Candidates("regional", "semantic", [("p", 0.90), ("q", 0.88)])
    poor = Candidates("laws:e5", "semantic", [("a", 0.85)])
    assert item_weights(poor, FUSION, e5_top=0.90)["a"] == pytest.approx((0.85 / 0.90) ** FUSION["similarity_power"])
    assert item_weights(poor, FUSION)["a"] == 1.0  # alone, its own first place is its best
    assert item_weights(good, FUSION, e5_top=0.90) == item_weights(good, FUSION)
    shared = dict(fuse([good, poor], "hybrid", FUSION))
    apart = dict(fuse([good, poor], "hybrid", {**FUSION, "shared_e5_scale": False}))
    assert shared["a"] < shared["q"] and apart["a"] > apart["q"]
    # A static list keeps its own rule (its similarities are on another scale).
    static = Candidates("laws", "semantic", [("s", 0.7)], space="static")
    assert item_weights(static, FUSION, e5_top=0.95) == item_weights(static, FUSION)


def test_a_list_believed_less_weighs_each_hit_less():
    whole = Candidates("laws:e5", "semantic", [("a", 0.9), ("b", 0.89)])
    less = Candidates("laws:e5", "semantic", [("a", 0.9), ("b", 0.89)], belief=0.8)
    w, v = item_weights(whole, FUSION), item_weights(less, FUSION)
    assert v["a"] == pytest.approx(0.8 * w["a"]) and v["b"] == pytest.approx(0.8 * w["b"])


def test_evidence_weighs_articles_only_when_a_mixed_list_puts_one_first():
    """No word about law: an article first in a list that ranks articles and policy records together
    weighs evidence_weight; an article just under the best policy record, or first only in a list of
    articles (全法令's Acts'), brings the 条文 group ("evidence") and leaves the weights alone."""
    legal = {"a1", "a2", "x1"}
    first = Candidates("regional", "semantic", [("a1", 0.90), ("p1", 0.89)])
    assert law_weight([first], False, legal) == (LAW_INTENT["evidence_weight"], "evidence") and \
        LAW_INTENT["evidence_weight"] > 1.0
    close = Candidates("regional", "semantic", [("p1", 0.90), ("a1", 0.895)])
    assert law_weight([close], False, legal) == (1.0, "evidence")
    acts = Candidates("laws:e5", "semantic", [("x1", 0.93)])
    assert law_weight([close, acts], False, legal) == (1.0, "evidence")
    far = Candidates("regional", "semantic", [("p1", 0.90), ("a1", 0.85)])
    assert law_weight([far], False, legal) == (1.0, None)
    # Words about law decide alone.
    assert law_weight([far], True, legal) == (LAW_INTENT["cue_weight"], "cue")
