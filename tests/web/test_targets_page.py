"""The KPI table: sort, filter, timeline, CSV and JSON twins."""

from __future__ import annotations


from tests.web.helpers import _json, _csv_rows

def test_targets_csv_has_every_target(client, engine):
    resp = client.get("/targets.csv")
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment;")
    assert "text/csv" in resp.headers["Content-Type"]
    rows = _csv_rows(resp)
    target_ids = [r["id"] for r in engine.records if r["kind"] == "target"]
    assert rows[0][:3] == ["ID", "目標（原文）", "施策"]
    assert [r[0] for r in rows[1:]] == target_ids
    api = _json(client.get("/api/targets"))
    assert [t["id"] for t in api["targets"]] == target_ids and api["total"] == len(target_ids)


def test_targets_filter_and_sort(client):
    data = _json(client.get("/api/targets?sort=deadline_year&order=asc&pillar=2&type=numeric&year=2030"))
    assert data["targets"]
    for t in data["targets"]:
        assert t["pillar"] == 2 and t["type"] == "numeric" and t["deadline_year"] == 2030
    years = [t["deadline_year"] for t in _json(client.get("/api/targets?sort=deadline_year"))["targets"]]
    dated = [y for y in years if y is not None]
    assert dated == sorted(dated) and years[: len(dated)] == dated  # undated last
    desc = [t["deadline_year"] for t in _json(client.get("/api/targets?sort=deadline_year&order=desc"))["targets"]]
    assert [y for y in desc if y] == sorted(dated, reverse=True)
    none = _json(client.get("/api/targets?year=none"))["targets"]
    assert none and all(t["deadline_year"] is None for t in none)
    csv_rows = _csv_rows(client.get("/targets.csv?pillar=2&sort=value&order=desc"))
    api_rows = _json(client.get("/api/targets?pillar=2&sort=value&order=desc"))["targets"]
    assert [r[0] for r in csv_rows[1:]] == [t["id"] for t in api_rows]


def test_targets_page_has_sortable_table_and_timeline(client):
    html = client.get("/targets?sort=deadline_year").get_data(as_text=True)
    assert "data-sortable" in html and 'aria-sort="ascending"' in html
    for col in ("施策", "柱", "指標", "値", "単位", "期限", "期限年", "種別"):
        assert f">{col}<span class=\"sort-ind\"" in html
    assert "期限年ごとの年表" in html and "期限なし" in html and ">2030年<" in html


