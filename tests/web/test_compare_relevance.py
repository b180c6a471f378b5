"""/compare judges each era's cells of the comparison table for a theme and says 「該当なし」 only
when none of them addresses it: checked against 30 themes labelled by hand without sight of the
engine, and against 20 blind themes (tests/gold/README_blind.md) the judgement was not tuned on.
scripts/compare_relevance prints the same figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.search.themes import judge, theme_phrases

GOLD = Path(__file__).resolve().parents[1] / "gold"
CELLS = {f"cmp-{row}-{era}" for row in ("situation", "goals", "methods") for era in ("kaizoron", "1.0", "2.0")}


def _labels(name: str) -> list[dict]:
    return [json.loads(line) for line in (GOLD / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _columns(client, name: str) -> list[tuple[dict, dict]]:
    out = []
    for lab in _labels(name):
        data = client.get("/compare.json", query_string={"theme": lab["theme"]}).get_json()
        out += [(lab, col) for col in data["theme_matches"]]
    return out


@pytest.mark.parametrize("name, floor", [
    # Measured 35/35 on the development themes (the related words were written with them in
    # view) and 31/31 on the blind ones: a 「該当なし」 the labels contradict is the harm.
    ("compare_themes.jsonl", 1.0), ("compare_themes_blind.jsonl", 0.9)])
def test_none_is_said_only_where_no_cell_addresses_the_theme(client, name, floor):
    cols = _columns(client, name)
    said = [(lab["theme"], col["era"]) for lab, col in cols if col["none"]]
    wrong = [(lab["theme"], col["era"]) for lab, col in cols if col["none"] and lab["relevant"].get(col["era"])]
    assert said
    assert 1 - len(wrong) / len(said) >= floor, wrong


def test_none_recall_and_the_cells_shown(client):
    cols = _columns(client, "compare_themes.jsonl")
    empty = [(lab, col) for lab, col in cols if not lab["relevant"].get(col["era"])]
    # Measured 35 of 35 columns the labels leave empty say 「該当なし」 (blind: 31 of 36).
    assert sum(col["none"] for _, col in empty) / len(empty) >= 0.9
    shown = [(h["id"], lab) for lab, col in cols for h in col["hits"]]
    assert {rid for rid, _ in shown} <= CELLS  # only the table's cells are judged
    # A cell shown is one the labels list: measured 79 of 84.
    assert sum(rid in lab["relevant"][rid.rsplit("-", 1)[1]] for rid, lab in shown) / len(shown) >= 0.9


def test_the_rows_the_issue_quoted_are_found(client):
    def column(theme: str, era: str) -> dict:
        data = client.get("/compare.json", query_string={"theme": theme}).get_json()
        return next(c for c in data["theme_matches"] if c["era"] == era)

    kaizoron = column("交通", "kaizoron")
    assert not kaizoron["none"] and "新幹線" in kaizoron["hits"][0]["snippet"]
    assert [h["row"] for h in kaizoron["hits"]] == ["施策の手法・考え方"]
    tourism = column("観光", "2.0")
    assert any("インバウンドの地方誘客" in h["snippet"] for h in tourism["hits"])
    assert not column("移住", "2.0")["none"]
    # What a cell says is judged, not where it ranks: 列島改造論 never spoke of GX.
    assert column("GX", "kaizoron")["none"]
    html = client.get("/compare", query_string={"theme": "観光"}).get_data(as_text=True)
    assert "<mark>インバウンド</mark>" in html


def test_a_phrase_is_held_in_one_line_by_its_word_units(engine):
    rec = engine.by_id["cmp-goals-2.0"]
    held = judge(rec, theme_phrases(engine.plan("広域連携"), engine.thesaurus))
    assert held.about and any("広域リージョン連携" in line for line in held.lines)
    # One common word of four does not make a cell about the theme.
    situation = judge(engine.by_id["cmp-situation-kaizoron"],
                      theme_phrases(engine.plan("人口の将来目標（長期の人口規模）"), engine.thesaurus))
    assert situation.held == ("人口",) and not situation.about
