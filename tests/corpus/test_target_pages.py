"""What an official sees of a target: whole wording with the measured part marked, every value as written,
the deadline's basis and derivation, the caveat of the brackets — on the targets page, its CSV/JSON and record pages."""

from __future__ import annotations

import csv
import io

from indexer.corpus.statements import BRACKET_CAVEAT


def _csv(resp) -> list[dict]:
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))


def test_targets_json_carries_whole_wording_values_and_basis(client):
    rows = {t["id"]: t for t in client.get("/api/targets").get_json()["targets"]}
    spending = rows["target-2-inbound-tourism-spending"]
    assert spending["wording"] == "【2030年訪日外国人旅行者数6,000万人・消費額15兆円】"
    assert [m["text"] for m in spending["measured"]] == ["消費額15兆円"]
    assert spending["value"] == 15e12 and spending["value_display"] == "15兆円"  # JSON keeps the raw value
    assert spending["caveat"] == BRACKET_CAVEAT
    gaps = rows["target-1-transport-gaps"]
    assert [v["value"] for v in gaps["values"]] == [2000, 460]
    assert (gaps["deadline_year"], gaps["deadline_basis"], gaps["deadline_label"]) == (2027, "fiscal", "2027年度（会計年度）")
    vision = rows["target-vision-productivity"]
    assert vision["deadline_label"] == "2034年（基本構想の対象期間10年から算出）" and vision["caveat"] is None


def test_targets_csv_one_row_per_target_with_every_value(client):
    rows = {r["ID"]: r for r in _csv(client.get("/targets.csv"))}
    assert len(rows) == 44
    rel = rows["target-vision-relationship-population"]
    assert rel["値"] == "関係人口（実人数） 1,000万人／関係人口（延べ人数） 1億人"
    assert rows["target-4-digital-lifeline-drone"]["値"] == \
        "ドローン航路の整備（全国の国管理の一級河川） 1万km／ドローン航路の整備（送電網上空） 4万km"
    assert rows["target-2-culture-sports"]["値"] == "3,800億円"
    assert rows["target-2-inbound-tourism-visitors"]["値"] == "6,000万人"
    assert rows["target-vision-shopping"]["値"] == "10割" and rows["target-2-smart-agriculture"]["値"] == "50％"
    side = rows["target-3-urban-talent-side-jobs"]
    assert side["目標（原文）"].startswith("【2027年度までの3年間で") and side["測る部分"].startswith("プロ人事業")
    assert side["期限年の基準"] == "2027年度（会計年度）" and side["注記"] == BRACKET_CAVEAT
    assert rows["target-vision-youth-flow"]["注記"] == ""


def test_targets_page_marks_the_measured_part_and_states_the_rules(client):
    html = client.get("/targets").get_data(as_text=True)
    assert "【2030年訪日外国人旅行者数6,000万人・<mark>消費額15兆円</mark>】" in html
    assert "【2030年<mark>訪日外国人旅行者数6,000万人</mark>・消費額15兆円】" in html
    assert BRACKET_CAVEAT in html and 'class="caveat-mark"' in html
    assert "2034年（基本構想の対象期間10年から算出）" in html and "2027年度（会計年度）" in html
    assert "2025年度は2025年4月〜2026年3月ですが2025として扱います" in html
    assert "約2,000地区" in html and "約460地点" in html


def test_fiscal_years_are_filtered_by_the_year_written(client):
    rows = client.get("/api/targets?year=2025").get_json()["targets"]
    by_basis = {r["deadline_basis"] for r in rows}
    assert {"fiscal", "calendar"} <= by_basis  # 2025年度末頃 and 本年６月中 both count as 2025
    assert "target-5-regional-plans" in {r["id"] for r in rows}


def test_record_page_shows_whole_wording_values_deadline_and_caveat(client):
    html = client.get("/records/target-3-furusato-registration-total").get_data(as_text=True)
    assert "今後10年間で実人数1,000万人、<mark>延べ人数１億人</mark>を目指す】" in html
    assert BRACKET_CAVEAT in html and "2034年（基本構想の対象期間10年から算出）" in html
    assert "1億人" in html
    vision = client.get("/records/target-vision-relationship-population").get_data(as_text=True)
    assert "1,000万人" in vision and "1億人" in vision and "同じ目標の別の記載" in vision
    assert "本基本構想は今後10年間を対象として策定。" in vision  # the quote the derived year comes from
    measure = client.get("/records/measure-1-transport-gaps").get_data(as_text=True)
    assert "約2,000地区" in measure and "2027年度（会計年度）" in measure and BRACKET_CAVEAT in measure


def test_inferred_place_is_marked(client):
    rid = "case-tohoku-michinoku-shiokaze-trail"
    data = client.get(f"/api/records/{rid}").get_json()
    place = data.get("place") or data.get("record", {}).get("place")
    assert place["inferred"] is True and "八戸市から相馬市" in place["note"]
    assert "都道府県は推定" in client.get(f"/records/{rid}").get_data(as_text=True)
