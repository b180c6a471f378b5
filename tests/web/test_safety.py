"""User text is escaped everywhere; bad parameters get a Japanese 4xx, never a 500."""

from __future__ import annotations

import pytest
from webapp import CSP
from webapp.highlight import highlight

from tests.web.helpers import BAD_SEARCH_PARAMS, XSS, XSS2, _json

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


