"""Law answers with 全法令 on the server (issue 19): the law held elsewhere, and the static floor.

Over the session's sample of the real e-Gov archive, built as 全法令 (tests/collections/conftest.py).
"""

from __future__ import annotations

from indexer.search.filters import Filters
from indexer.search.fusion import STATIC_FLOOR, STATIC_FULL, STATIC_SIMILARITY_POWER, static_beliefs


def _an_act_only_laws_holds(engine) -> str:
    regional = set(engine.law_titles("regional"))
    return next(t for t in engine.law_titles("laws")
                if t.endswith("法") and t not in regional and "・" not in t and len(t) <= 12)


def test_a_law_held_in_laws_is_offered(laws_engine):
    title = _an_act_only_laws_holds(laws_engine)
    data = laws_engine.search(f"{title}の目的").as_dict()
    [missing] = data["missing_laws"]
    assert missing["name"] == title
    assert missing["held_in"] == [{"collection": "laws", "label": "全法令", "title": title}]
    assert f"全法令に「{title}」があります" in missing["note"]
    # Searching 全法令 itself, the law is held: nothing is missing.
    both = laws_engine.search(f"{title}の目的", filters=Filters(collection=("regional", "laws"))).as_dict()
    assert both["missing_laws"] == []


def test_a_law_held_nowhere_says_so(laws_engine):
    [missing] = laws_engine.search("過疎法で使える特別な借金").as_dict()["missing_laws"]
    assert missing["held_in"] == [] and missing["laws_ingested"] is True
    assert "どの資料にもありません" in missing["note"]


def test_the_page_offers_the_search_that_holds_it(laws_settings, template_code):
    from indexer.search.engine import SearchEngine
    from webapp import create_app

    engine = SearchEngine.open(laws_settings)
    app = create_app({"ENGINE": engine, "TESTING": True})
    title = _an_act_only_laws_holds(engine)
    page = app.test_client().get("/search", query_string={"q": f"{title}の目的"}).get_data(as_text=True)
    assert f"全法令に「{title}」があります" in page
    assert "全法令で検索する" in page and "collection=laws" in page


def test_static_belief_follows_similarity_with_a_floor():
    hits = [("a", 0.62), ("b", 0.59), ("c", 0.40)]
    w = static_beliefs(hits, STATIC_SIMILARITY_POWER)
    # A first place at 0.62 is not believed fully; under the floor nothing is believed.
    assert 0 < w["a"] < 1 and w["b"] == 0 and w["c"] == 0
    assert abs(w["a"] - (0.62 / STATIC_FULL) ** STATIC_SIMILARITY_POWER) < 1e-9
    # A first place at or above STATIC_FULL is believed fully, as before.
    assert static_beliefs([("x", 0.9), ("y", 0.8)], STATIC_SIMILARITY_POWER)["x"] == 1.0


def test_no_static_hit_under_the_floor_is_a_result(laws_engine):
    """Over the real 全法令 sample: a unit found only by the static model, under the floor, is no result."""
    laws = laws_engine.collections["laws"]
    for q in ("地方創生2.0 二地域居住", "空き家の持ち主を探す", "農地の貸し借り"):
        ranking = laws_engine.rank(q, "hybrid", Filters(collection=("laws",)))
        info = ranking.info
        # The Acts' articles have an e5 list too (indexer.index.law_vectors): a hit of it is not static-only.
        plan = laws_engine.plan(q)
        e5 = {i for c in laws._act_lists(plan, lambda: laws_engine.embedder.encode_query(plan.semantic_text),
                                         Filters(collection=("laws",))) for i, _ in c.hits}
        only_static = [i for i in ranking.ids if i not in info.keyword_rank and i in info.semantic_rank and i not in e5]
        assert all(info.semantic_rank[i][1] >= STATIC_FLOOR for i in only_static), q
