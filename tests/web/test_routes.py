"""Every page and JSON route answers 200 over the real index."""

from __future__ import annotations

import re
import pytest
from webapp import CSP

from tests.web.helpers import PAGES, JSON_ROUTES, _json

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


