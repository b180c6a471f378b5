"""What the web tests share: the routes to try, bad parameters, and small response readers."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape

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


