"""A collection this server does not hold (全法令 not ingested) is a state, not the user's error:
the regional results show with a plain note, the JSON says the same, and every example the /api
page advertises answers 200 on the default corpus."""

from __future__ import annotations

import re
from html import unescape

import pytest


def test_asking_for_laws_that_are_not_here_shows_the_regional_results_with_a_note(client, engine):
    assert "laws" not in engine.available_collections()
    for query in ({"q": "交通空白", "collection": "laws"}, {"q": "交通空白", "collection": ["laws", "regional"]}):
        resp = client.get("/search", query_string=query)
        assert resp.status_code == 200
        html = resp.get_data(as_text=True)
        note = re.search(r'<p class="notice unavailable-collection"[^>]*>(.*?)</p>', html).group(1)
        assert note == "全法令はこのサーバーには収録されていません。地域政策の資料から検索した結果を表示しています。"
        assert "`" not in html and "policykb ingest" not in html  # no commands shown to the public
        assert 'class="result"' in html
        data = client.get("/search.json", query_string=query).get_json()
        assert data["total"] > 0 and all(not r["id"].startswith("laws:") for r in data["results"])
        assert [c["name"] for c in data["unavailable_collections"]] == ["laws"]
        assert data["unavailable_collections"][0]["message"] == note
    # Listing without a query says it too; the regional collection alone says nothing.
    browse = client.get("/api/search", query_string={"collection": "laws", "kind": "case"}).get_json()
    assert browse["total"] > 0 and browse["unavailable_collections"][0]["label"] == "全法令"
    assert client.get("/api/search", query_string={"q": "交通空白"}).get_json()["unavailable_collections"] == []
    assert "unavailable-collection" not in client.get("/search?q=交通空白").get_data(as_text=True)


def test_an_unknown_collection_is_still_the_users_error(client):
    resp = client.get("/api/search", query_string={"q": "交通", "collection": "nonexistent"})
    assert resp.status_code == 400 and "`" not in resp.get_json()["error"]


def test_every_example_on_the_api_page_answers_200(client):
    html = client.get("/api").get_data(as_text=True)
    links = [unescape(h) for h in re.findall(r'<a href="(/[^"#]*)"', html)]
    examples = [h for h in links if h.startswith(("/api/", "/search", "/targets", "/cases", "/compare"))]
    assert len(examples) >= 8, examples
    for url in examples:
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code, resp.get_data(as_text=True)[:200])
