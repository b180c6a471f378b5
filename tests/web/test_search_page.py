"""The search page and its JSON: facets, highlights, reasons, filters kept in the URL."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.web.helpers import _json, _links

def test_search_finds_transport_gaps_with_highlights(client):
    html = client.get("/search?q=交通空白").get_data(as_text=True)
    assert "「交通空白」の解消等に向けた地域交通のリ・デザインの全面展開" in html
    assert "<mark>交通空白</mark>" in html or "<mark>交通</mark>" in html
    assert "一致の理由" in html
    assert 'href="/records/measure-1-transport-gaps"' in html


def test_api_search_is_the_engine_response_plus_urls(client, engine):
    from indexer.search.filters import parse_filters

    data = _json(client.get("/api/search?q=交通空白&k=5"))
    expected = engine.search("交通空白", k=5, filters=parse_filters({})).as_dict()
    assert [r["id"] for r in data["results"]] == [r["id"] for r in expected["results"]]
    assert set(expected) <= set(data)
    assert data["total"] == expected["total"] and data["facets"] == expected["facets"]
    for r in data["results"]:
        assert r["url"] == f"/records/{r['id']}"
        assert {"snippet", "highlights", "why", "citation"} <= set(r)
    assert data["page"] == 1 and data["pages"] == -(-data["total"] // 5)
    # The .json twin is the export: the whole ranked list, of which the page is the first window.
    twin = _json(client.get("/search.json?q=交通空白&k=5"))
    assert twin["results"][:5] == data["results"] and len(twin["results"]) == data["total"]


def test_prefecture_filter_on_cases(client):
    data = _json(client.get("/api/search?q=まちづくり&kind=case&prefecture=島根県"))
    assert data["results"], "島根県 has case studies"
    for r in data["results"]:
        assert r["kind"] == "case"
        assert "島根県" in [r["place"]["prefecture"], *r["place"]["prefectures"]]
    html = client.get("/search?q=まちづくり&kind=case&prefecture=島根").get_data(as_text=True)
    assert "海士町" in html or "雲南市" in html


def test_browse_without_query_lists_filtered_records_in_reading_order(client, engine):
    data = _json(client.get("/api/search?kind=measure&pillar=1&k=100"))
    expected = [r["id"] for r in engine.records if r["kind"] == "measure" and r["pillar"] == 1]
    assert [r["id"] for r in data["results"]] == expected
    assert data["total"] == len(expected) and data["browse"] is True


def test_facet_links_keep_the_other_filters(client):
    html = client.get("/search?q=交通空白&kind=case&mode=keyword").get_data(as_text=True)
    sidebar = html[html.index('<aside class="sidebar"'):html.index("</aside>")]
    facet_links = [h for h in _links(sidebar) if h.startswith("/search?")]
    assert len(facet_links) >= 5
    pillar_links = [h for h in facet_links if "pillar=" in h]
    assert pillar_links
    for href in pillar_links:
        args = parse_qs(urlsplit(href).query)
        assert args["q"] == ["交通空白"] and args["kind"] == ["case"] and args["mode"] == ["keyword"]
    # The selected kind toggles off: its link drops kind but keeps the query and mode.
    selected = re.search(r'<a href="([^"]+)" class="selected" aria-current="true">', sidebar)
    assert selected
    args = parse_qs(urlsplit(unescape(selected.group(1))).query)
    assert "kind" not in args and args["q"] == ["交通空白"] and args["mode"] == ["keyword"]


def test_facet_link_applies_its_filter(client):
    html = client.get("/search?q=交通空白").get_data(as_text=True)
    sidebar = html[html.index('<aside class="sidebar"'):html.index("</aside>")]
    href = next(h for h in _links(sidebar) if "prefecture=" in h)
    pref = parse_qs(urlsplit(href).query)["prefecture"][0]
    data = _json(client.get(href.replace("/search?", "/api/search?", 1)))
    assert data["filters"] == {"prefecture": [pref]}
    assert all(pref in [r["place"]["prefecture"], *r["place"]["prefectures"]] for r in data["results"])


def test_half_width_katakana_is_highlighted_for_a_full_width_query(client):
    data = _json(client.get("/api/search?q=イノベーション&k=30"))
    spans = [r["snippet"][s:e] for r in data["results"] for s, e in r["highlights"]]
    assert "ｲﾉﾍﾞｰｼｮﾝ" in spans
    html = client.get("/search?q=イノベーション&k=30").get_data(as_text=True)
    assert "<mark>ｲﾉﾍﾞｰｼｮﾝ</mark>" in html


def test_pagination(client):
    first = _json(client.get("/api/search?q=交通&k=5"))
    second = _json(client.get("/api/search?q=交通&k=5&page=2"))
    assert second["offset"] == 5 and second["page"] == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    html = client.get("/search?q=交通&k=5&page=2").get_data(as_text=True)
    assert "前へ" in html and "次へ" in html and 'aria-current="page">2<' in html
    assert 'start="6"' in html
    links = _links(html)
    assert any("page=3" in h and "k=5" in h and "q=" in h for h in links)
    beyond = client.get(f"/search?q=交通&k=5&page={first['pages'] + 5}")
    assert beyond.status_code == 400 and f"{first['pages']:,}ページです" in beyond.get_data(as_text=True)


def test_mode_is_kept_in_the_form(client):
    html = client.get("/search?q=交通空白&mode=semantic&kind=case").get_data(as_text=True)
    assert re.search(r'value="semantic"\s+checked', html)
    assert '<input type="hidden" name="kind" value="case">' in html


def test_overview_shows_counts_and_entry_points(client, engine):
    html = client.get("/").get_data(as_text=True)
    kinds = Counter(r["kind"] for r in engine.records)
    assert f"{kinds['measure']}<span class=\"unit\">件" in html
    for href in ("/search?kind=measure&amp;pillar=1", "/targets", "/compare", "/cases", "/search?q="):
        assert href in html
    assert "政策の5本柱" in html and "検索例" in html


