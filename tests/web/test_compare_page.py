"""The era comparison page: the table, the 1.0↔2.0 pairs, the theme box."""

from __future__ import annotations


from tests.web.helpers import _json

def test_compare_table_and_pairs(client, engine):
    data = _json(client.get("/api/compare"))
    assert [c["era"] for c in data["table"]["columns"]] == ["kaizoron", "1.0", "2.0"]
    cats = [row["category"] for row in data["table"]["rows"]]
    assert "施策の手法・考え方" in cats and "目指すもの・目標" in cats
    for row in data["table"]["rows"]:
        assert all(cell["id"] for cell in row["cells"])
    pair_count = sum(1 for r in engine.records if r["kind"] == "stance" and r["era"] == "2.0"
                     and any(l["type"] == "pair" for l in r["links"]))
    assert len(data["pairs"]) == pair_count > 0
    html = client.get("/compare").get_data(as_text=True)
    assert "1.0の反省" in html and "ハード事業中心" in html


def test_compare_theme_shows_each_era_side_by_side(client, engine):
    data = _json(client.get("/api/compare?theme=デジタル"))
    assert [c["era"] for c in data["theme_matches"]] == ["kaizoron", "1.0", "2.0"]
    kaizoron, *later = data["theme_matches"]
    assert kaizoron["none"] and kaizoron["hits"] == []  # 列島改造論 never spoke of デジタル (hand labels)
    for col in later:
        assert col["hits"] and not col["none"]
        assert all(engine.by_id[h["id"]]["era"] == col["era"] for h in col["hits"])
    # The era's cells of the comparison table, each judged (the stances have their own pairs below).
    two = [h["id"] for h in data["theme_matches"][2]["hits"]]
    assert two == ["cmp-goals-2.0", "cmp-methods-2.0"]
    html = client.get("/compare?theme=デジタル").get_data(as_text=True)
    assert "<mark>デジタル</mark>" in html


