"""Issue 22, probes 3, 4 and 8, against a real server: `webapp.serve.make_server` (what `policykb serve`
runs, with its waitress limits) over a real build of a temporary corpus (conftest `small_site`).

- No link is built from the Host header: a hostile Host (and X-Forwarded-Host) sent to every page
  and API route of the app's url_map, with real ids, is found in no body and no header.
- A document without structure (one line of 60,000 characters) gives bounded passages, pages and JSON.
- What waitress refuses itself is answered in Japanese (JSON under /api), the limit stated; a raw
  UTF-8 query string is decoded.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
from urllib.parse import quote, urlsplit

import pytest

from indexer.limits import MAX_PASSAGE_CHARS
from tests.hardening.conftest import LONG_LINE
from webapp.serve import MAX_BODY_BYTES, MAX_HEADER_BYTES

HOSTILE = "evil.example"


def request(base: str, path: str, *, headers: dict | None = None, method: str = "GET", body: bytes | None = None,
            host: str | None = None) -> tuple[int, dict, bytes]:
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    try:
        conn.putrequest(method, path, skip_host=host is not None, skip_accept_encoding=True)
        if host is not None:
            conn.putheader("Host", host)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def raw(base: str, data: bytes) -> tuple[int, bytes]:
    """Send bytes as they are (http.client refuses non-ASCII URLs); (status, body)."""
    u = urlsplit(base)
    with socket.create_connection((u.hostname, u.port), timeout=60) as s:
        s.sendall(data)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def urls(site) -> list[str]:
    """Every GET route of the app, filled with real ids (each record and source, and their .json twins)."""
    values = {"rid": site.record_ids + [i + ".json" for i in site.record_ids[:2]],
              "doc": site.source_ids + [i + ".json" for i in site.source_ids[:1]],
              "filename": ["style.css"]}
    out = []
    for rule in site.app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        args = sorted(rule.arguments)
        assert set(args) <= set(values), f"no example value for {rule.rule}: add one"
        fills = [{}] if not args else [{args[0]: v} for v in values[args[0]]]
        for fill in fills:
            path = rule.rule
            for k, v in fill.items():
                path = re.sub(rf"<(?:\w+:)?{k}>", quote(v), path)
            needed = required_query(site, rule.rule)
            out.append(path + needed)
            out.append(path + (needed + "&" if needed else "?") + "q=" + quote("地域交通"))
    return out


def required_query(site, rule: str) -> str:
    """The query string a route cannot answer without (its own 400 otherwise): /api/cite cites the
    first quote of a real record, with the offsets the record's JSON gives."""
    if rule != "/api/cite":
        return ""
    rid = site.record_ids[0]
    status, _, body = request(site.base, f"/api/records/{quote(rid)}")
    assert status == 200, body[:200]
    q = json.loads(body)["record"]["quotes"][0]
    return f"?record={quote(rid)}&start={q['start']}&end={q['end']}"


def test_the_host_header_is_in_no_page_and_no_api(small_site):
    seen = 0
    for path in urls(small_site):
        status, headers, body = request(small_site.base, path, host=HOSTILE,
                                        headers={"X-Forwarded-Host": "forwarded." + HOSTILE})
        assert status in (200, 404), f"{path}: {status} {body[:300]!r}"
        assert HOSTILE.encode() not in body, f"{path} puts the Host header in its body"
        assert not any(HOSTILE in v for v in headers.values()), f"{path} puts the Host header in a header"
        seen += status == 200
    assert seen > 20
    # The record's citations are there, relative (no POLICYKB_BASE_URL is configured here).
    rid = small_site.record_ids[0]
    _, _, body = request(small_site.base, f"/records/{rid}", host=HOSTILE)
    assert f'data-cite-url="/records/{rid}"'.encode() in body


def test_a_document_without_structure_gives_bounded_passages_pages_and_json(small_site):
    big = [r for r in small_site.record_ids if r.startswith("doc-big-p")]
    assert len(big) >= len(LONG_LINE) // MAX_PASSAGE_CHARS
    for rid in big[:3]:
        status, _, body = request(small_site.base, f"/api/records/{rid}")
        assert status == 200
        rec = json.loads(body)["record"]
        assert 0 < len(rec["text"]) <= MAX_PASSAGE_CHARS
    status, _, page = request(small_site.base, f"/records/{big[0]}")
    assert status == 200 and len(page) < 100_000
    status, _, data = request(small_site.base, "/search.json?q=" + quote("地域交通") + "&k=100")
    assert status == 200 and len(data) < 100 * (MAX_PASSAGE_CHARS * 3 * 4)
    assert all(len(r["text"]) <= MAX_PASSAGE_CHARS for r in json.loads(data)["results"])


def _japanese(body: bytes) -> str:
    text = body.decode("utf-8")
    assert "generated by" not in text and "Request Header Fields Too Large" not in text and "Bad Request" not in text
    assert re.search(r"[ぁ-んァ-ヶ一-龠]", text)
    return text


@pytest.mark.parametrize("path,size", [("/search?q=", 40_000), ("/search?q=", 100_000), ("/api/search?q=", 40_000),
                                       ("/records/x.json?q=", 40_000)])
def test_a_url_over_the_header_limit_is_refused_in_japanese(small_site, path, size):
    status, headers, body = request(small_site.base, path + "a" * size)
    assert status == 431
    text = _japanese(body)
    if path.startswith("/api/") or ".json" in path:
        assert headers["content-type"].startswith("application/json")
        assert json.loads(text)["status"] == 431
    else:
        assert headers["content-type"].startswith("text/html") and '<html lang="ja">' in text
    assert f"{MAX_HEADER_BYTES // 1024} KB" in text
    assert "content-security-policy" in headers


def test_a_large_header_and_ten_thousand_parameters_are_refused_in_japanese(small_site):
    status, _, body = request(small_site.base, "/api/search?q=x", headers={"X-Filler": "b" * 64_000})
    assert status == 431 and f"{MAX_HEADER_BYTES // 1024} KB" in json.loads(_japanese(body))["error"]
    params = "&".join(["kind=article"] * 10_000)
    status, _, body = request(small_site.base, "/api/search?q=x&" + params)
    assert status == 431 and json.loads(_japanese(body))["status"] == 431


def test_a_body_over_the_limit_is_refused_in_japanese(small_site):
    status, _, body = request(small_site.base, "/api/search", method="POST", body=b"x" * (MAX_BODY_BYTES + 4096))
    assert status == 413
    assert f"{MAX_BODY_BYTES // 1024} KB" in json.loads(_japanese(body))["error"]


def test_a_raw_utf8_query_string_is_decoded(small_site):
    status, body = raw(small_site.base, "GET /api/search?q=地域交通 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert status == 200
    assert json.loads(body)["query"] == "地域交通"
    status, body = raw(small_site.base, "GET /search?q=交通 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert status == 200 and 'value="交通"' in body.decode("utf-8")


def test_a_malformed_request_is_refused_in_japanese(small_site):
    status, body = raw(small_site.base, b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n")
    assert status == 400
    assert json.loads(_japanese(body))["status"] == 400
    status, body = raw(small_site.base, b"GET /search?q=x HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n")
    assert status == 400 and '<html lang="ja">' in _japanese(body)
