"""What the bounds on a request's work left out, in the JSON and on the page (issue 18)."""

from __future__ import annotations

from urllib.parse import urlencode

from indexer.search.budget import EXPLAINED_FIRST, Lanes
from indexer.search.plan import MAX_QUERY_WORDS
from tests.search.test_bounds import HeldLane, long_query
from tests.web.helpers import _json


def test_a_query_past_the_word_cap_says_what_was_left_out_in_json_and_on_the_page(client, engine):
    q = long_query()
    data = _json(client.get("/api/search?" + urlencode({"q": q, "mode": "keyword"})))
    plan = engine.plan(q)
    assert data["cut"]["max_words"] == MAX_QUERY_WORDS and data["cut"]["words_from"] == q[plan.cut_at:]
    html = client.get("/search?" + urlencode({"q": q, "mode": "keyword"})).get_data(as_text=True)
    assert f"初めの{MAX_QUERY_WORDS}語までで検索しました" in html
    assert f"以降の{len(q) - plan.cut_at:,}文字は使っていません" in html


def test_a_short_query_has_nothing_cut_and_no_note(client):
    data = _json(client.get("/api/search?q=交通空白"))
    assert data["cut"] == {}
    html = client.get("/search?q=交通空白").get_data(as_text=True)
    assert "search-cut" not in html and "語までで検索しました" not in html


def test_an_answer_past_the_work_budget_says_so_and_is_not_stored(client, engine, monkeypatch):
    monkeypatch.setattr(engine, "work_budget_s", 0.0)
    resp = client.get("/api/search?q=交通&mode=keyword&k=30")
    data = _json(resp)
    assert data["cut"] == {"reasons": 30 - EXPLAINED_FIRST, "explained_first": EXPLAINED_FIRST}
    assert all(r["highlights"] for r in data["results"][:EXPLAINED_FIRST])
    assert resp.headers["Cache-Control"] == "no-store" and "ETag" not in resp.headers
    html = client.get("/search?q=交通&mode=keyword&k=30").get_data(as_text=True)
    assert (f"このページの{EXPLAINED_FIRST + 1}件目以降の{30 - EXPLAINED_FIRST}件の結果は"
            "語句の強調と一致の理由を省いて表示しています") in html
    # The default page (10 results) is whole whatever the budget.
    first = client.get("/api/search?q=交通空白&mode=keyword")
    assert _json(first)["cut"] == {} and first.headers["Cache-Control"] == "no-cache"
    monkeypatch.setattr(engine, "work_budget_s", 60.0)
    whole = client.get("/api/search?q=交通&mode=keyword&k=30")
    assert _json(whole)["cut"] == {} and whole.headers["Cache-Control"] == "no-cache"


def test_a_cheap_search_is_served_while_expensive_ones_fill_the_lane_and_its_waiting_places(client, engine,
                                                                                            monkeypatch):
    lanes = Lanes(1, waiting=0, wait_s=60)
    monkeypatch.setattr(engine, "lanes", lanes)
    held = HeldLane(lanes)
    try:
        cheap = client.get("/api/search?" + urlencode({"q": "交通空白", "mode": "keyword"}))
        assert cheap.status_code == 200 and _json(cheap)["results"]
        assert client.get("/api/search?q=交通空白").status_code == 200  # hybrid, short: no lane either
        busy = client.get("/api/search?" + urlencode({"q": long_query(), "mode": "keyword"}))
        assert busy.status_code == 503 and "混み合っています" in _json(busy)["error"]
        page = client.get("/search?" + urlencode({"q": long_query()}))
        assert page.status_code == 503 and "短い検索語の検索はこのまま行えます" in page.get_data(as_text=True)
    finally:
        held.done()
    assert client.get("/api/search?" + urlencode({"q": long_query(), "mode": "keyword"})).status_code == 200
