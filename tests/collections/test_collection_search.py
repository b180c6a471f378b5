"""Searching by collection: 地域政策 by default, 全法令, or both; counts per collection; bad values refused."""

from __future__ import annotations

import pytest

from indexer.corpus.collections import load_register
from indexer.search.filters import Filters

QUERIES = ("補助金の交付", "都道府県知事の許可", "施行期日", "地域の活性化")


def _ids(engine, q, collection, mode="hybrid"):
    return [r["id"] for r in engine.search(q, mode=mode, k=100, filters=Filters(collection=collection)).results]


def test_default_is_the_regional_collection(laws_engine):
    for q in QUERIES:
        default = laws_engine.search(q, k=50)
        assert [r["id"] for r in default.results] == _ids(laws_engine, q, ("regional",))[:50]
        assert all(r["id"] in laws_engine.by_id for r in default.results)


def test_laws_collection_holds_the_archive(laws_engine, laws_settings):
    current = {d.id for d in load_register(laws_settings.corpus_dir, "laws") if d.status == "current"}
    coll = laws_engine.collections["laws"]
    assert set(coll.documents) == current
    seen_outside = 0
    for q in QUERIES:
        ids = _ids(laws_engine, q, ("laws",))
        assert ids, q
        for rid in ids:
            rec = laws_engine.record(rid)
            assert rec["source"] in current
            seen_outside += rid not in laws_engine.by_id
    assert seen_outside > 0  # not only the regional statute


def test_both_is_the_union_and_counts_are_what_a_click_gives(laws_engine):
    for q in QUERIES:
        both = laws_engine.search(q, k=100, filters=Filters(collection=("regional", "laws")))
        counts = both.facets["collection"]
        alone = {name: laws_engine.search(q, k=1, filters=Filters(collection=(name,))).total for name in counts}
        assert counts == alone
        union = set(_ids(laws_engine, q, ("regional",))) | set(_ids(laws_engine, q, ("laws",)))
        assert {r["id"] for r in both.results} <= union
        assert both.total <= counts["regional"] + counts["laws"]


def test_the_shared_statute_is_in_both(laws_engine, sample, laws_settings):
    doc = next(d for d in load_register(laws_settings.corpus_dir, "laws") if d.member == sample.regional_member)
    units = laws_engine.collections["laws"].document_units(doc.id)
    assert units and all(u["id"] in laws_engine.by_id for u in units if u["kind"] == "article")


def test_keyword_filters_apply_inside_the_collection(laws_engine):
    res = laws_engine.search("施行期日", k=100, filters=Filters(collection=("laws",), kind=("article",)))
    assert res.total > 0 and {r["kind"] for r in res.results} == {"article"}
    # A facet the laws do not have (pillar) leaves the collection empty, not an error.
    assert laws_engine.search("施行期日", filters=Filters(collection=("laws",), pillar=(1,))).total == 0


def test_collection_not_ingested_is_a_state_not_an_error(engine):
    # 全法令 asked of a server without it: the regional records answer, and the response says why.
    res = engine.search("交通", filters=Filters(collection=("laws",)))
    assert res.total > 0 and [c["name"] for c in res.unavailable_collections] == ["laws"]
    assert "全法令はこのサーバーには収録されていません" in res.unavailable_collections[0]["message"]
    assert "`" not in res.unavailable_collections[0]["message"]


def test_api_and_page(laws_engine):
    from webapp import create_app

    client = create_app({"ENGINE": laws_engine, "TESTING": True}).test_client()
    data = client.get("/api/search?q=補助金の交付&collection=laws&collection=regional").get_json()
    assert set(data["facets"]["collection"]) == {"regional", "laws"}
    assert data["filters"]["collection"] == ["regional", "laws"]
    bad = client.get("/api/search?q=補助金&collection=prefs")
    assert bad.status_code == 400 and "コレクション" in bad.get_json()["error"]
    page = client.get("/search?q=補助金の交付&collection=laws").get_data(as_text=True)
    assert 'name="collection" value="laws" checked' in page and "検索対象" in page
    first = client.get("/api/search?q=補助金の交付&collection=laws").get_json()["results"][0]
    assert client.get(first["url"]).status_code == 200
    # With 全法令 here, nothing is said to be missing, and the home page and footer describe it.
    assert client.get("/api/search?q=補助金の交付&collection=laws").get_json()["unavailable_collections"] == []
    home = client.get("/").get_data(as_text=True)
    laws_docs = laws_engine.manifest["collections"]["laws"]["documents"]
    assert "全法令（e-Gov）" in home and f"{laws_docs:,}" in home
    assert "全法令" in home[home.index("<footer"):]
    rec = client.get(first["url"] + ".json").get_json()
    assert rec["reading_order"]["of"] > 1
    reader = client.get(f"/sources/{rec['record']['source']}")
    assert reader.status_code == 200 and rec["record"]["title"].split(" ")[0] in reader.get_data(as_text=True)


def test_a_capped_list_says_so(laws_engine):
    """A keyword list that filled its candidates is not every match: the response and the page say so."""
    from indexer.search import engine as eng
    from webapp import create_app

    common = laws_engine.search("法律", mode="keyword", k=10, filters=Filters(collection=("laws",)))
    # 「法律」 is in far more units of the sample than the candidates asked for: the list is full.
    assert common.capped and common.total >= eng.COLLECTION_KEYWORD_CANDIDATES
    rare = laws_engine.search("ミツバチ", mode="keyword", filters=Filters(collection=("laws",)))
    assert not rare.capped
    client = create_app({"ENGINE": laws_engine, "TESTING": True}).test_client()
    page = client.get("/search?q=法律&mode=keyword&collection=laws").get_data(as_text=True)
    assert ("上位" in page and "これより多くあります" in page) == common.capped
