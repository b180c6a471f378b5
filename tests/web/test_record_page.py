"""The record page: quotes, citation, grouped cross-references, reading order."""

from __future__ import annotations

import re
import pytest

from tests.web.helpers import _json, _links

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




def test_a_law_with_a_last_day_says_so_on_its_articles_pages_and_in_json(client, engine):
    # 半島振興法 附則第二項: 「この法律は、令和十七年三月三十一日限り、その効力を失う。」 (indexer.laws.sunset).
    import datetime as dt

    from indexer.corpus.law_effect import JST, sunset_note

    rid = next(r["id"] for r in engine.records if (r.get("law") or {}).get("law_title") == "半島振興法"
               and r["kind"] == "article")
    html = client.get(f"/records/{rid}").get_data(as_text=True)
    today = dt.datetime.now(JST).date()
    verb = "効力を失っています" if today > dt.date(2035, 3, 31) else "効力を失います"
    assert f"この法律は令和17年（2035年）3月31日限りで{verb}（附則第二項）。" in html
    data = client.get(f"/api/records/{rid}").get_json()
    assert data["record"]["law"]["sunset"] == {"date": "2035-03-31", "article": "附則第二項"}
    # A law without one (地域再生法) has no such line; one past its day reads as past.
    other = next(r["id"] for r in engine.records if (r.get("law") or {}).get("law_title") == "地域再生法")
    assert ">効力<" not in client.get(f"/records/{other}").get_data(as_text=True)
    past = {"date": "2021-03-31", "article": "附則第三条"}
    assert sunset_note(past, today) == "令和3年（2021年）3月31日限りで効力を失っています（附則第三条）。"
