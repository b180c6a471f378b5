"""The web app through Flask's test client, over a real index built once per session (tests/conftest.py).

Every route and API answers real queries; facet links keep the other filters; user
text is escaped everywhere; bad parameters get a 4xx with a Japanese message and
never a 500; CSV exports hold exactly what the pages show.
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.request
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from webapp import CSP
from webapp.highlight import highlight
from webapp.tilemap import COLUMNS, ROWS, TILES

PAGES = [
    "/",
    "/search?q=交通空白",
    "/search?q=交通空白&mode=keyword",
    "/search?q=交通空白&mode=semantic",
    "/search?q=まちづくり&kind=case&prefecture=島根県",
    "/search?kind=case&prefecture=島根",
    "/search?kind=measure&pillar=1",
    "/search?q=交通&page=2",
    "/search?q=KPI&deadline_year=2030",
    "/search?q=人口減少&era=1.0",
    "/records/measure-1-transport-gaps",
    "/records/cmp-period-1.0",
    "/records/stance-digital-2.0",
    "/records/data-population-longterm-1",
    "/records/case-shimane-ama-town-planning",
    "/records/target-1-transport-gaps",
    "/records/pillar-1",
    "/compare",
    "/compare?theme=デジタル",
    "/targets",
    "/targets?sort=deadline_year&order=asc&pillar=2&type=numeric&year=2030",
    "/targets?year=none",
    "/cases",
    "/cases?prefecture=島根県",
    "/cases?pillar=2&theme=農林水産業",
    "/api",
]
JSON_ROUTES = [
    "/api/search?q=交通空白",
    "/api/search?q=まちづくり&kind=case&prefecture=島根県",
    "/api/search?kind=case",
    "/search.json?q=交通空白",
    "/api/records/measure-1-transport-gaps",
    "/records/measure-1-transport-gaps.json",
    "/records/cmp-period-1.0.json",
    "/api/targets",
    "/targets.json?pillar=1",
    "/api/cases",
    "/cases.json?prefecture=島根県",
    "/api/compare?theme=デジタル",
    "/compare.json",
]
BAD_SEARCH_PARAMS = [
    ("k=0", "件数"),
    ("k=101", "件数"),
    ("k=abc", "件数"),
    ("mode=foo", "検索モード"),
    ("kind=foo", "種別"),
    ("pillar=9", "柱"),
    ("prefecture=アトランティス", "都道府県"),
    ("page=0", "ページ"),
    ("page=abc", "ページ"),
    ("era=3.0", "時代"),
    ("deadline_year=soon", "期限年"),
]
XSS = '<script>alert("x")</script>'
XSS2 = '"><img src=x onerror=alert(1)>'


def _json(resp):
    assert resp.content_type.startswith("application/json"), resp.content_type
    return json.loads(resp.get_data(as_text=True))


def _links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def _csv_rows(resp) -> list[list[str]]:
    body = resp.get_data(as_text=True)
    assert body.startswith("\ufeff"), "CSV must start with a BOM for Excel"
    return list(csv.reader(io.StringIO(body[1:])))


# -- every page and API answers -----------------------------------------------

@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_200_with_security_headers(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    assert resp.content_type.startswith("text/html")
    assert resp.headers["Content-Security-Policy"] == CSP
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"]
    html = resp.get_data(as_text=True)
    assert '<html lang="ja">' in html
    # No inline script or style (CSP would block them), no asset from another host.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and " style=" not in html
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)


@pytest.mark.parametrize("url", JSON_ROUTES)
def test_json_routes_answer_200(client, url):
    resp = client.get(url)
    assert resp.status_code == 200
    assert resp.headers["Content-Security-Policy"] == CSP
    _json(resp)


def test_static_assets_are_local(client):
    for name in ("style.css", "app.js", "favicon.svg"):
        resp = client.get(f"/static/{name}")
        assert resp.status_code == 200
        body = resp.data.replace(b'xmlns="http://www.w3.org/2000/svg"', b"")  # a namespace, not a fetch
        assert b"http://" not in body and b"https://" not in body


# -- search -------------------------------------------------------------------

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
    assert _json(client.get("/search.json?q=交通空白&k=5"))["results"] == data["results"]


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
    assert beyond.status_code == 200 and "このページには結果がありません" in beyond.get_data(as_text=True)


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


# -- the record view ----------------------------------------------------------

def test_record_page_shows_quotes_citation_and_grouped_cross_references(client):
    html = client.get("/records/measure-1-transport-gaps").get_data(as_text=True)
    assert "引用箇所" in html and re.search(r"文字位置 \d+–\d+", html)
    assert 'data-copy-target="cite-plain"' in html and 'data-copy-target="cite-md"' in html
    assert "コピー" in html and 'class="citation-plain"' in html
    for heading in ("政策の柱", "目標・KPI", "好事例", "関連（意味の近い記録）"):
        assert f">{heading}<" in html, heading
    assert 'href="/records/pillar-1"' in html and 'href="/records/target-1-transport-gaps"' in html


@pytest.mark.parametrize("rid, heading, other", [
    ("cmp-period-1.0", "比較表の他の時代", "/records/cmp-period-2.0"),
    ("stance-digital-2.0", "1.0↔2.0 の対", "/records/stance-digital-1.0"),
    ("data-population-longterm-1", "基本姿勢・視点", "/records/stance-population-decline-2.0"),
    ("case-shimane-ama-town-planning", "政策の柱", "/records/pillar-1"),
])
def test_cross_reference_groups(client, rid, heading, other):
    html = client.get(f"/records/{rid}").get_data(as_text=True)
    assert f">{heading}<" in html
    assert f'href="{other}"' in html


def test_every_cross_reference_link_resolves(client):
    html = client.get("/records/pillar-1").get_data(as_text=True)
    targets = sorted({h for h in _links(html) if h.startswith("/records/")})
    assert len(targets) > 10
    for href in targets:
        assert client.get(href).status_code == 200, href


def test_record_json_twin_equals_api(client, engine):
    a = _json(client.get("/records/cmp-period-1.0.json"))
    b = _json(client.get("/api/records/cmp-period-1.0"))
    assert a == b
    assert a["record"] == engine.record("cmp-period-1.0")
    keys = [g["key"] for g in a["cross_references"]]
    assert "counterpart" in keys and keys[-1] == "similar"


def test_statistical_source_shown_for_data(client):
    html = client.get("/records/data-population-longterm-1").get_data(as_text=True)
    assert "原資料" in html and "国勢調査" in html


# -- compare ------------------------------------------------------------------

def test_compare_table_and_pairs(client, engine):
    data = _json(client.get("/api/compare"))
    assert [c["era"] for c in data["table"]["columns"]] == ["kaizoron", "1.0", "2.0"]
    cats = [row["category"] for row in data["table"]["rows"]]
    assert "施策の手法・考え方" in cats and "目指すもの・目標" in cats
    for row in data["table"]["rows"]:
        assert all(cell["id"] for cell in row["cells"])
    pair_count = sum(1 for r in engine.records if r["kind"] == "stance" and r["era"] == "2.0"
                     and any(l["type"] == "pair" for l in r["links"]))
    assert len(data["pairs"]) == pair_count > 0
    html = client.get("/compare").get_data(as_text=True)
    assert "1.0の反省" in html and "ハード事業中心" in html


def test_compare_theme_shows_each_era_side_by_side(client, engine):
    data = _json(client.get("/api/compare?theme=デジタル"))
    assert [c["era"] for c in data["theme_matches"]] == ["kaizoron", "1.0", "2.0"]
    for col in data["theme_matches"]:
        assert col["hits"]
        assert all(engine.by_id[h["id"]]["era"] == col["era"] for h in col["hits"])
    two = [h["id"] for h in data["theme_matches"][2]["hits"]]
    assert "stance-digital-2.0" in two
    html = client.get("/compare?theme=デジタル").get_data(as_text=True)
    assert "<mark>デジタル</mark>" in html


# -- targets ------------------------------------------------------------------

def test_targets_csv_has_every_target(client, engine):
    resp = client.get("/targets.csv")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert "text/csv" in resp.headers["Content-Type"]
    rows = _csv_rows(resp)
    target_ids = [r["id"] for r in engine.records if r["kind"] == "target"]
    assert rows[0][:3] == ["ID", "目標（原文）", "施策"]
    assert [r[0] for r in rows[1:]] == target_ids
    api = _json(client.get("/api/targets"))
    assert [t["id"] for t in api["targets"]] == target_ids and api["total"] == len(target_ids)


def test_targets_filter_and_sort(client):
    data = _json(client.get("/api/targets?sort=deadline_year&order=asc&pillar=2&type=numeric&year=2030"))
    assert data["targets"]
    for t in data["targets"]:
        assert t["pillar"] == 2 and t["type"] == "numeric" and t["deadline_year"] == 2030
    years = [t["deadline_year"] for t in _json(client.get("/api/targets?sort=deadline_year"))["targets"]]
    dated = [y for y in years if y is not None]
    assert dated == sorted(dated) and years[: len(dated)] == dated  # undated last
    desc = [t["deadline_year"] for t in _json(client.get("/api/targets?sort=deadline_year&order=desc"))["targets"]]
    assert [y for y in desc if y] == sorted(dated, reverse=True)
    none = _json(client.get("/api/targets?year=none"))["targets"]
    assert none and all(t["deadline_year"] is None for t in none)
    csv_rows = _csv_rows(client.get("/targets.csv?pillar=2&sort=value&order=desc"))
    api_rows = _json(client.get("/api/targets?pillar=2&sort=value&order=desc"))["targets"]
    assert [r[0] for r in csv_rows[1:]] == [t["id"] for t in api_rows]


def test_targets_page_has_sortable_table_and_timeline(client):
    html = client.get("/targets?sort=deadline_year").get_data(as_text=True)
    assert "data-sortable" in html and 'aria-sort="ascending"' in html
    for col in ("施策", "柱", "指標", "値", "単位", "期限", "期限年", "種別"):
        assert f">{col}<span class=\"sort-ind\"" in html
    assert "期限年ごとの年表" in html and "期限なし" in html and ">2030年<" in html


# -- cases --------------------------------------------------------------------

def test_cases_api_counts_per_prefecture_match_records(client, engine):
    from indexer.corpus.prefectures import PREFECTURES

    data = _json(client.get("/api/cases"))
    expected: Counter = Counter()
    region_only = []
    for r in engine.records:
        if r["kind"] != "case":
            continue
        place = r["place"] or {}
        prefs = set(([place["prefecture"]] if place.get("prefecture") else []) + place.get("prefectures", []))
        expected.update(prefs)
        if not prefs:
            region_only.append(r["id"])
    assert data["counts"] == {p: expected.get(p, 0) for p in PREFECTURES}
    assert [c["id"] for c in data["region_only"]] == region_only
    assert data["total"] == len(data["cases"]) + len(region_only)
    multi = next(c for c in data["cases"] if c["id"] == "case-tohoku-michinoku-shiokaze-trail")
    assert set(multi["prefectures"]) == {"青森県", "岩手県", "宮城県", "福島県"}


def test_cases_map_and_prefecture_filter(client):
    html = client.get("/cases?prefecture=島根県&pillar=1").get_data(as_text=True)
    assert html.count('class="tile ') == 47
    assert re.search(r'class="tile level-\d selected"[^>]*data-pref="島根県"', html)
    assert "<title>島根県：好事例" in html
    assert "秋田県：好事例 0件" in html and re.search(r'class="tile level-0 empty"[^>]*data-pref="秋田県"', html)
    data = _json(client.get("/api/cases?prefecture=島根県&pillar=1"))
    assert data["cases"] and all("島根県" in c["prefectures"] and c["pillar"] == 1 for c in data["cases"])
    assert data["region_only"] == []
    # Tile links keep the pillar filter; the selected tile's link clears the prefecture.
    tile_links = re.findall(r'<a href="([^"]+)" class="tile[^"]*"[^>]*data-pref="([^"]+)"', html)
    for href, pref in tile_links:
        args = parse_qs(urlsplit(unescape(href)).query)
        assert args.get("pillar") == ["1"]
        assert ("prefecture" not in args) if pref == "島根県" else (args["prefecture"] == [pref])


def test_cases_show_citations_and_region_only(client):
    html = client.get("/cases").get_data(as_text=True)
    assert "広域・地域名のみ" in html and "出典・引用" in html
    assert "内閣官房" in html


# -- CSV export of search -----------------------------------------------------

@pytest.mark.parametrize("query", ["q=交通空白", "q=交通&page=2&k=7", "q=まちづくり&kind=case", "kind=target&pillar=3"])
def test_search_csv_exports_every_row_not_just_the_page(client, query):
    resp = client.get(f"/search.csv?{query}")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    rows = _csv_rows(resp)
    api = _json(client.get(f"/api/search?{query}"))
    assert rows[0][0] == "順位" and "引用" in rows[0]
    assert len(rows) - 1 == api["total"]  # the whole result list (under the export cap)
    assert [int(r[0]) for r in rows[1:]] == list(range(1, api["total"] + 1))
    # The page on screen is a window of the export: same ids at the same ranks.
    window = rows[1 + api["offset"]:1 + api["offset"] + len(api["results"])]
    assert [r[1] for r in window] == [r["id"] for r in api["results"]]
    twin = _json(client.get(f"/search.json?{query}"))
    assert [r["id"] for r in twin["results"]] == [r[1] for r in rows[1:]]
    assert twin["export"] == {"cap": 1000, "capped": False, "rows": api["total"]}
    html = client.get(f"/search?{query}").get_data(as_text=True)
    assert html.count('<li class="result">') == len(api["results"])


def test_search_csv_of_a_filter_lists_all_measures(client, engine):
    rows = _csv_rows(client.get("/search.csv?kind=measure"))
    measures = [r["id"] for r in engine.records if r["kind"] == "measure"]
    assert len(measures) == 32 and [r[1] for r in rows[1:]] == measures


# -- safety -------------------------------------------------------------------

@pytest.mark.parametrize("url", [
    f"/search?q={XSS}",
    f"/search?q={XSS2}",
    f"/search?q=交通&kind={XSS}",
    f"/search?q=交通&prefecture={XSS}",
    f"/search?q=交通&pillar={XSS2}",
    f"/search?q=交通&mode={XSS}",
    f"/search?q=交通&k={XSS}",
    f"/compare?theme={XSS}",
    f"/targets?sort={XSS}",
    f"/targets?type={XSS2}",
    f"/cases?theme={XSS}",
    f"/cases?prefecture={XSS2}",
    f"/records/{XSS2}",
])
def test_user_text_is_escaped(client, url):
    resp = client.get(url)
    assert resp.status_code in (200, 400, 404)
    html = resp.get_data(as_text=True)
    assert XSS not in html and XSS2 not in html
    assert "<img src=x" not in html
    assert resp.headers["Content-Security-Policy"] == CSP


def test_escaped_query_is_still_shown(client):
    html = client.get(f"/search?q={XSS}").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_highlight_escapes_text_and_marks_spans():
    out = highlight("<b>交通空白</b>&", [[3, 5], [5, 7], [100, 120]])
    assert str(out) == "&lt;b&gt;<mark>交通</mark><mark>空白</mark>&lt;/b&gt;&amp;"
    assert str(highlight("a<b", [])) == "a&lt;b"


@pytest.mark.parametrize("param, word", BAD_SEARCH_PARAMS)
@pytest.mark.parametrize("route", ["/search", "/api/search", "/search.json", "/search.csv"])
def test_bad_search_parameters_are_400_with_a_japanese_message(client, route, param, word):
    resp = client.get(f"{route}?q=交通&{param}")
    assert resp.status_code == 400
    body = resp.get_data(as_text=True)
    if route.startswith("/api") or route.endswith(".json"):
        assert word in _json(resp)["error"]
    elif route.endswith(".csv"):
        assert word in body
    else:
        assert resp.content_type.startswith("text/html") and word in body and "入力内容を確認してください" in body


@pytest.mark.parametrize("url, word", [
    ("/targets?sort=foo", "並べ替え"), ("/targets?order=up", "並び順"), ("/targets?pillar=6", "柱"),
    ("/targets?type=foo", "種別"), ("/targets?year=abc", "期限年"), ("/api/targets?year=3000", "期限年"),
    ("/targets.csv?pillar=0", "柱"), ("/cases?prefecture=アトランティス", "都道府県"), ("/api/cases?pillar=x", "柱"),
    ("/cases?theme=存在しないテーマ", "テーマ"), ("/compare?theme=" + "あ" * 101, "テーマ"),
    ("/api/compare?theme=" + "あ" * 101, "テーマ"), ("/api/search?q=" + "あ" * 1001, "長すぎ"),
])
def test_bad_filters_on_other_pages_are_400(client, url, word):
    resp = client.get(url)
    assert resp.status_code == 400
    assert word in resp.get_data(as_text=True)


def test_unknown_record_is_a_japanese_404(client):
    resp = client.get("/records/no-such-record")
    assert resp.status_code == 404
    html = resp.get_data(as_text=True)
    assert "見つかりません" in html and "no-such-record" in html
    api = client.get("/api/records/no-such-record")
    assert api.status_code == 404 and "見つかりませんでした" in _json(api)["error"]
    assert client.get("/records/no-such-record.json").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert "見つかりません" in client.get("/no/such/page").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/search", "/api/search", "/targets.csv", "/records/pillar-1"])
@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_no_write_endpoints(client, url, method):
    resp = getattr(client, method)(url, data={"q": "x"})
    assert resp.status_code == 405
    assert "GET" in resp.headers.get("Allow", "")


def test_unexpected_errors_get_a_japanese_500_page(engine, caplog):
    from webapp import create_app

    app = create_app({"ENGINE": engine, "TESTING": True})

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    resp = app.test_client().get("/boom")
    assert resp.status_code == 500
    assert "サーバー内部でエラーが発生しました" in resp.get_data(as_text=True)
    assert "kaboom" not in resp.get_data(as_text=True)
    assert any("unhandled error" in r.getMessage() for r in caplog.records)


def test_no_bad_input_reaches_the_500_handler(app, caplog):
    client = app.test_client()
    urls = [f"/search?q=交通&{p}" for p, _ in BAD_SEARCH_PARAMS] + [
        "/search?q=%00", "/search?q=" + "　" * 3, "/api/search?q=&k=1", "/search?q=*:()[]\"'",
        "/api/search?q=title:交通 AND body:*", "/search?q=交通&page=99999999999999999999",
        "/targets?year=2030.5", "/cases?pillar=", "/records/..%2F..%2Fetc%2Fpasswd",
    ]
    for url in urls:
        resp = client.get(url)
        assert resp.status_code < 500, url
    assert not [r for r in caplog.records if "unhandled error" in r.getMessage()]


# -- parts ----------------------------------------------------------------------

def test_tilemap_layout():
    from indexer.corpus.prefectures import PREFECTURES

    assert set(TILES) == set(PREFECTURES)
    assert len(set(TILES.values())) == 47
    assert all(0 <= c < COLUMNS and 0 <= r < ROWS for c, r in TILES.values())
    hokkaido, okinawa = TILES["北海道"], TILES["沖縄県"]
    assert hokkaido == (max(c for c, _ in TILES.values()), 0)       # top right
    assert okinawa == (0, max(r for _, r in TILES.values()))         # bottom left


def test_serve_subcommand_defaults_to_loopback():
    from indexer.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.threads) == ("127.0.0.1", 8000, 12)  # why 12: webapp/serve.py
    args = build_parser().parse_args(["serve", "--port", "8765", "--threads", "8", "--host", "0.0.0.0"])
    assert (args.host, args.port, args.threads) == ("0.0.0.0", 8765, 8)


def test_live_server_serves_over_http(live_server):
    with urllib.request.urlopen(f"{live_server}/api/search?q=%E4%BA%A4%E9%80%9A%E7%A9%BA%E7%99%BD", timeout=30) as resp:
        assert resp.status == 200
        assert resp.headers["Content-Security-Policy"] == CSP
        data = json.loads(resp.read().decode("utf-8"))
    assert data["results"][0]["url"].startswith("/records/")
    with urllib.request.urlopen(f"{live_server}/", timeout=30) as resp:
        assert "地方創生2.0" in resp.read().decode("utf-8")
