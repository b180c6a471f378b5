"""CSV exports of search: every row of the result, in rank order."""

from __future__ import annotations

import pytest

from tests.web.helpers import _json, _csv_rows

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


