"""Bad input in the pages: a message in Japanese, the form kept, never a silent cut or a nonsense page."""

from __future__ import annotations

import re


def test_empty_query_says_so_and_offers_examples(client):
    html = client.get("/search?q=").get_data(as_text=True)
    assert "検索語を入力してください" in html
    assert 'class="examples"' in html and "交通空白" in html


def test_overlong_query_is_refused_with_the_same_message_in_the_form(client):
    q = "あ" * 10_000
    resp = client.get("/search", query_string={"q": q})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "検索語が長すぎます（10,000文字）" in html and "1,000文字以内" in html
    assert re.search(r'<form class="search-form"[^>]*>', html)  # the form is there to shorten it
    assert html.count("あ") < 1_200  # the heading does not fill the screen with the query
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code == 400 and "検索語が長すぎます（10,000文字）" in api.get_json()["error"]
    # The form no longer cuts a pasted query silently.
    assert "maxlength" not in client.get("/").get_data(as_text=True).split('id="q"')[1].split(">")[0]


def test_a_page_past_the_end_says_how_many_pages_there_are(client):
    total = client.get("/api/search?q=交通空白").get_json()["total"]
    pages = -(-total // 10)
    for url in (f"/search?q=交通空白&page={pages + 1}", "/search?q=交通空白&page=9999", "/api/search?q=交通空白&page=9999"):
        resp = client.get(url)
        assert resp.status_code == 400
        body = resp.get_data(as_text=True)
        assert f"全{total:,}件、{pages:,}ページ" in body, url
    assert client.get(f"/search?q=交通空白&page={pages}").status_code == 200


def test_messages_name_no_english_parameter(client):
    for url in ("/search?q=交通&page=x", "/search?q=交通&k=0", "/search?q=交通&mode=x", "/targets?sort=x",
                "/targets?order=x", "/search?q=交通&deadline_from=x"):
        msg = client.get(url.replace("/search", "/api/search", 1) if url.startswith("/search") else
                         url.replace("/targets", "/api/targets", 1)).get_json()["error"]
        reason = msg.split("指定できる値")[0]  # the valid codes may follow; the reason itself is Japanese
        assert not re.search(r"\b(page|k|sort|order|mode|deadline_from)\b", reason), (url, msg)


def test_navigation_and_breadcrumbs_speak_japanese(client):
    html = client.get("/records/measure-1-transport-gaps").get_data(as_text=True)
    nav = html.split('class="site-nav"')[1].split("</nav>")[0]
    assert "API" not in nav and "JSON" not in nav
    crumbs = html.split('class="breadcrumb"')[1].split("</nav>")[0]
    assert "measure-1-transport-gaps" not in crumbs and "交通" in crumbs


def test_skip_link_to_results_comes_first(client):
    html = client.get("/search?q=交通空白").get_data(as_text=True)
    body = html.split("<body", 1)[1]
    first_link = re.search(r'<a [^>]*href="([^"]+)"', body).group(1)
    assert first_link == "#results-h" and 'id="results-h"' in html
