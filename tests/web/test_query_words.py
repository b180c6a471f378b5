"""Odd input: invisible format characters are removed before analysis, and a query with no
searchable word gets a message and examples, not the semantic side's nearest 40 records."""

from __future__ import annotations

import re

import pytest

from indexer.text.normalize import strip_format_chars


def test_format_characters_are_removed():
    assert strip_format_chars("交通\u200b空白\ufeff") == "交通空白"
    assert strip_format_chars("葛\U000E0100城市\ufe0f") == "葛城市"
    assert strip_format_chars("a\u2060b\u00ad") == "ab"


def test_a_zero_width_space_inside_a_word_finds_the_word(client):
    plain = client.get("/search.json", query_string={"q": "交通空白"}).get_json()
    split = client.get("/search.json", query_string={"q": "交通\u200b空白"}).get_json()
    assert split["query"] == "交通空白" and split["absent_terms"] == []
    assert [r["id"] for r in split["results"]] == [r["id"] for r in plain["results"]]
    html = client.get("/search", query_string={"q": "\ufeff交通\u200b空白"}).get_data(as_text=True)
    assert "資料のどこにも出てきません" not in html and "「<span class=\"q\">交通空白</span>」の検索結果" in html
    theme = client.get("/compare.json", query_string={"theme": "交\u200b通"}).get_json()
    assert theme["theme"] == "交通" and not theme["theme_matches"][0]["none"]


@pytest.mark.parametrize("query", ["😀🙂", "\u200b\u200b", "a", "。、！？", "x y", "🚃\ufe0f"])
def test_a_query_without_a_searchable_word_gets_a_message_and_examples(client, query):
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["total"] == 0 and data["results"] == []
    assert data["no_searchable_words"] is True and "検索できる語句が含まれていません" in data["message"]
    assert "交通空白" in data["examples"]
    resp = client.get("/search", query_string={"q": query})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert "検索できる語句が含まれていません" in html
    assert 'class="result"' not in html and "附則" not in html
    assert "CSVで保存" not in html  # nothing to save
    assert re.search(r'<ul class="example-queries">.*href="/search\?q=', html, re.S)


def test_a_word_beside_the_emoji_is_still_searched(client):
    data = client.get("/api/search", query_string={"q": "🚃 移住"}).get_json()
    assert data["total"] > 0 and "no_searchable_words" not in data


def test_an_over_long_query_gets_the_japanese_message(client):
    resp = client.get("/search", query_string={"q": "交通" * 5000})
    assert resp.status_code == 400 and "検索語が長すぎます（10,000文字）" in resp.get_data(as_text=True)


def test_the_page_offers_a_search_with_the_materials_word_for_an_absent_one(client):
    html = client.get("/search", query_string={"q": "持ち主が手入れしない空き家"}).get_data(as_text=True)
    notice = re.search(r'<p class="notice absent-terms".*?</p>', html, re.S).group(0)
    assert "「持ち主」に近い語で資料にあるもの" in notice
    link = re.search(r'<a href="([^"]+)">「所有者」</a>', notice)
    assert link, notice
    followed = client.get(link.group(1).replace("&amp;", "&"))
    assert followed.status_code == 200
    assert "「<span class=\"q\">所有者が手入れしない空き家</span>」の検索結果" in followed.get_data(as_text=True)
