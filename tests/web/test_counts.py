"""A count of targets is the same on every page that shows one (search facets, /targets, their exports)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("year", ["2025", "2027", "2030"])
def test_targets_due_in_a_year_count_alike_everywhere(client, year):
    search = client.get(f"/search.json?deadline_year={year}").get_json()
    targets = client.get(f"/targets.json?year={year}").get_json()
    assert search["total"] == targets["total"] > 0
    facet = client.get("/search.json?kind=target").get_json()["facets"]["deadline_year"]
    assert facet[year] == targets["total"]


def test_targets_due_by_2030_one_range_everywhere(client):
    search = client.get("/search.json?deadline_to=2030").get_json()
    targets = client.get("/targets.json?deadline_to=2030").get_json()
    assert search["total"] == targets["total"]
    assert {r["id"] for r in search["results"]} == {t["id"] for t in targets["targets"]}
    assert all(t["deadline_year"] <= 2030 for t in targets["targets"])
