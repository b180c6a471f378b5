"""The case map: counts per prefecture, filters, citations."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import parse_qs, urlsplit

from tests.web.helpers import _json

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


