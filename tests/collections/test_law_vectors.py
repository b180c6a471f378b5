"""e5 over the main Acts of 全法令: a heading passage per article, a vector per Act, law-level routing.

Over the session's 全法令 sample built with the real e5 model (tests/collections/conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest

from indexer.index.law_vectors import ARTICLE_TOKENS, TokenBudget, first_sentence, heading_passage, is_act
from indexer.search.filters import Filters
from indexer.search.large_collection import ACT_E5


@pytest.fixture(scope="module")
def laws(laws_engine):
    return laws_engine.collections["laws"]


@pytest.fixture(scope="module")
def acts(laws):
    """document id → its units, for every Act of the sample with main-provision articles."""
    out = {}
    for doc in laws.documents:
        if not is_act(doc.split("-")[1].upper()):
            continue
        units = laws.document_units(doc)
        if any(heading_passage(u) for u in units):
            out[doc] = units
    assert len(out) >= 3, "the sample holds too few Acts for these tests"
    return out


def test_e5_rows_are_the_acts_main_articles_and_one_per_act(laws, acts):
    index = laws.index
    owned = set()
    for part in index.parts:
        assert part.e5_articles is not None
        owners = np.asarray(part.e5_articles.owners).tolist()
        assert len(owners) == len(part.e5_row_law) == len(part.e5_articles.vectors)
        for ordinal, law in zip(owners, np.asarray(part.e5_row_law).tolist()):
            rid, kind, doc = part.query("SELECT id, kind, document FROM units WHERE ord = ?", (ordinal,))[0]
            assert kind == "article" and doc == part.law_ids[law]
            owned.add(rid)
        assert np.allclose(np.linalg.norm(np.asarray(part.e5_laws.vectors), axis=1), 1.0, atol=1e-3)
    wanted = {u["id"] for units in acts.values() for u in units if heading_passage(u)}
    assert owned == wanted
    assert not any("-art-suppl" in rid for rid in owned)  # 附則 are left to the other sides
    assert sorted(d for p in index.parts for d in p.law_ids) == sorted(acts)


def test_heading_passage_reads_like_the_article_in_its_law(acts):
    units = next(iter(acts.values()))
    art = next(u for u in units if heading_passage(u))
    text = heading_passage(art)
    head, first = text.split("\n", 1)
    assert head.startswith(art["law"]["law_title"]) and art["law"]["article"] in head
    assert first and first in art["text"] and not first.startswith("第")
    assert first_sentence("第五条　地域再生（以下「再生」という。）を図る。次に") == "地域再生（以下「再生」という。）を図る。"


def test_token_budget_cuts_at_a_token_boundary(laws_settings, acts):
    budget = TokenBudget(laws_settings.model_dir)
    texts = [heading_passage(u) for units in acts.values() for u in units if heading_passage(u)][:50]
    for n in (16, ARTICLE_TOKENS):
        for full, cut in zip(texts, budget.cut(texts, n)):
            assert full.startswith(cut)
            assert len(budget.tokenizer.encode(budget.prompt + cut).ids) <= n
    assert any(len(c) < len(t) for c, t in zip(budget.cut(texts, 16), texts))


def test_an_act_is_its_own_nearest_law_and_routing_keeps_to_it(laws_engine, laws, acts):
    found = 0
    for doc, units in acts.items():
        title = units[0]["law"]["law_title"]
        vec = laws_engine.embedder.encode_query(title)
        nearest = laws.nearest_laws(vec, 3)
        assert [s for _, s in nearest] == sorted((s for _, s in nearest), reverse=True)
        found += nearest[0][0] == doc
        assert np.allclose(laws.law_vector(doc) @ np.asarray(vec, dtype=np.float32), dict(nearest).get(
            doc, laws.law_vector(doc) @ np.asarray(vec, dtype=np.float32)), atol=1e-5)
        routed = laws.index.e5_articles(vec, 5, {}, [doc])
        assert routed and {h.facets["document"][0] for h in routed} == {doc}
    assert found >= 0.8 * len(acts), f"{found} of {len(acts)} Acts found first by their title"
    assert laws.law_vector("law-not-held") is None


def test_a_question_in_an_articles_words_meets_it_through_e5(laws_engine, acts):
    """The article's caption and first sentence as a question: the e5 lists of 全法令 hold the article."""
    tried = hit = 0
    for units in acts.values():
        art = next((u for u in units if heading_passage(u) and u["law"].get("caption")), None)
        if art is None:
            continue
        q = f"{art['law']['law_title']}の{art['law']['caption'].strip('（）')}について"
        ranking = laws_engine.rank(q, "hybrid", Filters(collection=("laws",)))
        tried += 1
        hit += art["id"] in ranking.ids[:10]
        assert any(art["id"] == i for i in ranking.info.semantic_rank)  # an e5 list of the Acts holds it
    assert tried >= 3 and hit >= 0.8 * tried


def test_beside_the_regional_collection_the_e5_list_is_whole_only_for_a_question_about_law(laws_engine):
    """Searched with 地域政策, the Acts' whole e5 list joins a question about law; any other question gets
    it blended with law-level evidence (ACT_E5, blend_*): the articles of the nearest Acts only, close
    to the list's best, none that 地域政策 ranks itself, believed less. Searched alone, 全法令 has it whole."""
    laws = laws_engine.collections["laws"]
    both, alone = Filters(collection=("regional", "laws")), Filters(collection=("laws",))

    def lists(q: str, filters: Filters) -> list:
        plan = laws_engine.plan(q)
        return laws._act_lists(plan, lambda: laws_engine.embedder.encode_query(plan.semantic_text), filters)

    policy = "新しいタイプの企業城下町 民主導のまちづくり"
    whole = lists(policy, alone)
    assert [c.name for c in whole] == ["laws:e5"] and whole[0].belief == 1.0
    blended = lists(policy, both)
    assert [c.name for c in blended] == ["laws:e5"] and blended[0].belief == ACT_E5["blend_weight"] < 1.0
    asked = lists("企業城下町のまちづくりの根拠となる法律の条文", both)
    assert [c.name for c in asked] == ["laws:e5"] and asked[0].space == "e5" and asked[0].belief == 1.0


def test_a_plainly_worded_question_meets_the_article_of_the_nearest_act(laws_engine, acts):
    """An article's first sentence asked without a word about law, beside 地域政策: when its Act is the
    nearest law, the blended e5 list brings the article into the fusion (before, the gate kept it out)."""
    laws = laws_engine.collections["laws"]
    both = Filters(collection=("regional", "laws"))
    tried = met = 0
    for doc, units in acts.items():
        for art in [u for u in units if heading_passage(u)][:5]:
            q = heading_passage(art).split("\n", 1)[1]
            plan = laws_engine.plan(q)
            vec = laws_engine.embedder.encode_query(plan.semantic_text)
            if art["id"] in laws_engine.regional.by_id or laws._about_law(plan, both, vec):
                continue
            blended = laws._act_lists(plan, lambda: vec, both)
            whole = laws._act_lists(plan, lambda: vec, Filters(collection=("laws",)))[0].hits
            nearest = [d for d, _ in laws.nearest_laws(vec, ACT_E5["blend_laws"])]
            # Only articles of the nearest Acts, close to the whole list's best, none 地域政策 ranks itself.
            assert [c.name for c in blended] == ["laws:e5"] and set(blended[0].hits) <= set(whole)
            for rid, sim in blended[0].hits:
                assert laws.record(rid)["source"] in nearest and rid not in laws_engine.regional.by_id
                assert sim >= whole[0][1] - ACT_E5["blend_margin"]
            if nearest[0] != doc:
                continue
            tried += 1
            met += art["id"] in dict(blended[0].hits)
    assert tried >= 3, "too few plainly worded questions whose Act is the nearest law"
    assert met >= 0.5 * tried, f"{met} of {tried}"
