"""The keyword path's set and array work gives what the plain per-record definitions give (issue 18).

Each fast step (concept shares over ordinals, facet counts by signature, the vector search's best chunk
and top k) is checked against the per-record definition it replaces, on the real index.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from indexer.corpus.export import facet_values
from indexer.search.filters import Filters

QUERIES = ["交通空白の解消", "地方創生 総合戦略 人口ビジョン", "移住 二地域居住", "公共交通"]


def plain_facet_counts(engine, ids: list[str]) -> dict[str, dict[str, int]]:
    counted: dict[str, Counter] = {}
    for rid in ids:
        for facet, values in facet_values(engine.record(rid)).items():
            counted.setdefault(facet, Counter()).update(str(v) for v in values)
    return {facet: dict(c) for facet, c in counted.items() if c}


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_facet_counts_are_what_the_hits_own_values_add_up_to(engine, q, mode):
    # keyword: the ids are the keyword list's own (their ordinals are reused); hybrid: a fused list.
    ids = engine.rank(q, mode, Filters()).ids
    counts = engine.facet_counts(ids)
    assert {f: v for f, v in counts.items() if v} == plain_facet_counts(engine, ids)
    assert engine.facet_counts(list(reversed(ids))) == counts  # another list of the same hits


@pytest.mark.parametrize("q", QUERIES)
def test_concept_shares_over_ordinals_are_each_record_s_share(engine, q):
    index = engine.regional.keyword_index
    plan = engine.plan(q)
    hits, ords = index.search_ordinals(list(plan.tokens), Filters(), limit=1000, extra_tokens=list(plan.extra))
    ids = [i for i, _ in hits]
    assert [index._rids[o] for o in ords.tolist()] == ids
    concepts = list(plan.concepts)
    expected = {rid: index.concept_share(rid, concepts) for rid in ids}
    assert index.concept_shares(ids, concepts, ords) == expected
    assert index.concept_shares(ids, concepts) == expected  # the ordinals looked up from the ids
    assert index.concept_shares(ids + ["no-such-record"], concepts)["no-such-record"] == 0.0


def test_the_vector_search_is_the_best_chunk_per_record_sorted_stably(engine):
    vectors = engine.regional.vectors
    rng = np.random.default_rng(7)
    ids = vectors.ids
    for n in range(6):
        query = vectors.vectors[rng.integers(len(vectors.vectors))] + rng.normal(0, 0.05, vectors.vectors.shape[1])
        allowed = None if n % 2 else set(rng.choice(ids, 200, replace=False).tolist())
        sims = (vectors.vectors @ query).astype(np.float32)  # the same product; the rest by hand
        best: dict[str, float] = {}
        for row, owner in enumerate(vectors.owners):
            best[owner] = max(best.get(owner, -1.0), float(sims[row]))
        plain = sorted(((rid, s) for rid, s in best.items() if allowed is None or rid in allowed),
                       key=lambda kv: -kv[1])[:40]
        got = vectors.search(query, 40, allowed)
        assert [rid for rid, _ in got] == [rid for rid, _ in plain]
        assert [s for _, s in got] == [s for _, s in plain]


@pytest.mark.parametrize("q", QUERIES + ["住民票の写しの交付を請求できるのは誰か", "空き家 活用"])
@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_a_collection_searched_alone_counts_what_its_lists_fuse_to(engine, q, mode):
    """rank takes the count of the one collection searched from the length of its ranking: the same
    number the fusion's own count gives over that collection's lists, filtered or not."""
    from indexer.search.fusion import FUSION, count

    for filters in (Filters(), Filters(kind=("article",)), Filters(kind=("measure",))):
        ranking = engine.rank(q, mode, filters, count_collections=True)
        plan = ranking.info.plan
        regional = engine.regional
        lists = [regional.keyword(plan, filters, within=False, count_only=False)] if mode != "semantic" else []
        if mode != "keyword":
            vec = engine.embedder.encode_query(plan.semantic_text)
            lists += regional.semantic(plan, filters, lambda: vec, within=False)
        assert ranking.info.collection_totals["regional"] == count(lists, mode, FUSION) == len(ranking.hits)
