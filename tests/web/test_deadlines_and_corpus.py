"""Issue 21 on the server side: deadlines as written with their basis in every list and CSV, the from–to
deadline control, the home page and footer describing the whole corpus, citations that keep the official URL,
headings rendered rather than raw Markdown, and the /cases counts explained."""

from __future__ import annotations

import csv
import io
import re
from html import unescape

import pytest

from indexer.corpus.deadlines import NO_YEAR_LABEL, basis_text, resolve, written_with_basis
from indexer.search.filters import MAX_QUERY_CHARS

OFFICIAL = "https://www.cas.go.jp/jp/seisaku/atarashii_chihousousei/index.html"


def _csv(resp) -> list[dict]:
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return list(csv.DictReader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))


def _text(html: str) -> str:
    """What a person reads: the page without tags, scripts or styles."""
    html = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", "", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def _flat(html: str) -> str:
    """The text with no spaces at all, for phrases that run across inline elements."""
    return re.sub(r"\s+", "", _text(html))


# ---- the basis of a deadline, said once -------------------------------------------------------

@pytest.mark.parametrize(("phrase", "expected"), [
    ("集中対策期間（2025年度～2027年度）", "集中対策期間（2025年度～2027年度）〔会計年度〕"),
    ("2025年度中", "2025年度中〔会計年度〕"),
    ("2030年", "2030年〔暦年〕"),
    ("2030年代までに", "2030年代までに〔期間の最終年 2039年（2030年代の最終年として算出）〕"),
    ("今後10年間", "今後10年間〔期間の最終年 2034年（基本構想の対象期間10年から算出）〕"),
    ("中間年度の5年後", "中間年度の5年後〔会計年度 2030年度（基本構想を閣議決定した2025年の5年後として算出）〕"),
    ("早期に", f"早期に〔{NO_YEAR_LABEL}〕"),
])
def test_a_deadline_is_its_phrase_then_its_basis_never_the_year_twice(phrase, expected):
    d = resolve(phrase)
    assert written_with_basis(phrase, d.year, d.basis, d.note) == expected
    if d.note is None and d.year is not None:  # the phrase states its year: the basis does not repeat it
        assert str(d.year) not in basis_text(d.year, d.basis, d.note)


def test_search_csv_has_deadline_basis_and_value_columns(client):
    rows = _csv(client.get("/search.csv?q=交通空白"))
    assert {"期限", "期限の基準", "値"} <= set(rows[0])
    by_id = {r["ID"]: r for r in rows}
    gaps = by_id["target-1-transport-gaps"]
    assert gaps["期限"] == "集中対策期間（2025年度～2027年度）"
    assert gaps["期限の基準"] == "会計年度"
    assert "約2,000地区" in gaps["値"] and "約460地点" in gaps["値"]
    # A measure with several KPIs: one line per KPI, the three cells in step.
    measures = _csv(client.get("/search.csv?kind=measure"))
    many = [r for r in measures if r["値"].count("\n") >= 1]
    assert many, "no measure with several deadlines in the export"
    for r in many:
        assert len(r["期限"].split("\n")) == len(r["期限の基準"].split("\n")) == len(r["値"].split("\n")), r["ID"]
    # Records without targets leave the three cells empty (not 「—」).
    plain = [r for r in rows if r["種別"] in ("好事例", "データ")]
    assert plain and all(r["期限"] == r["期限の基準"] == r["値"] == "" for r in plain)


def test_every_dated_target_in_both_csvs_says_its_basis(client):
    targets = _csv(client.get("/targets.csv"))
    assert {"期限", "期限の基準", "値"} <= set(targets[0])
    for r in targets:
        if r["期限"]:
            assert r["期限の基準"], r["ID"]
            assert r["期限の基準"] == NO_YEAR_LABEL or r["期限の基準"].startswith(("会計年度", "暦年", "期間の最終年")), r
    furusato = next(r for r in targets if r["ID"] == "target-3-furusato-registration-total")
    assert furusato["期限"] == "今後10年間"
    assert furusato["期限の基準"] == "期間の最終年 2034年（基本構想の対象期間10年から算出）"
    search = {r["ID"]: r for r in _csv(client.get("/search.csv?kind=target"))}
    assert len(search) == len(targets)
    for r in targets:  # the same target, the same three cells, whichever export
        assert (search[r["ID"]]["期限"], search[r["ID"]]["期限の基準"]) == (r["期限"], r["期限の基準"]), r["ID"]


def test_result_chips_show_the_phrase_and_basis_not_a_bare_year(client):
    html = client.get("/search?q=交通空白").get_data(as_text=True)
    assert "期限集中対策期間（2025年度～2027年度）〔会計年度〕" in _flat(html)
    assert not re.search(r"期限\d{4}年(?![度代])", _flat(html)), "a chip shows a bare year"


def test_measure_and_target_pages_never_double_a_deadline(client, engine):
    dated = [r for r in engine.records if r["kind"] in ("measure", "target") and any(t.get("deadline") for t in r["targets"])]
    assert len(dated) > 20
    for rec in dated:
        text = _text(client.get(f"/records/{rec['id']}").get_data(as_text=True))
        for t in rec["targets"]:
            if t.get("deadline") and t.get("deadline_year"):
                # 「2025年度中（2025年）」: the phrase followed by its own year in brackets
                assert f"{t['deadline']}（{t['deadline_year']}年）" not in text, rec["id"]


def test_timeline_says_which_kind_of_year_each_group_holds(client):
    flat = _flat(client.get("/targets").get_data(as_text=True))
    assert re.search(r"2027年\d+件（会計年度\d+件・期間の最終年\d+件）", flat)
    assert "期限集中対策期間（2025年度～2027年度）〔会計年度〕" in flat


# ---- the from–to control -------------------------------------------------------------------------

def _selected(html: str, name: str) -> str | None:
    select = re.search(rf'<select id="[^"]+" name="{name}">(.*?)</select>', html, re.S)
    assert select, f"no {name} select"
    chosen = re.findall(r'<option value="(\d*)" selected>', select.group(1))
    return chosen[0] if chosen else None


@pytest.mark.parametrize("page", ["/targets", "/search?kind=target"])
def test_range_control_is_labelled_and_shows_the_range_in_the_url(client, page):
    join = "&" if "?" in page else "?"
    html = client.get(f"{page}{join}deadline_from=2026&deadline_to=2030").get_data(as_text=True)
    assert "<legend>期限年の範囲</legend>" in html
    for name, label in (("deadline_from", "開始年"), ("deadline_to", "終了年")):
        ident = re.search(rf'<select id="([^"]+)" name="{name}">', html).group(1)
        assert f'<label for="{ident}">{label}</label>' in html
    assert (_selected(html, "deadline_from"), _selected(html, "deadline_to")) == ("2026", "2030")
    # A single year from today's links fills both ends; no range leaves both at 「指定なし」.
    single = client.get(f"{page}{join}{'year' if page == '/targets' else 'deadline_year'}=2030").get_data(as_text=True)
    assert (_selected(single, "deadline_from"), _selected(single, "deadline_to")) == ("2030", "2030")
    free = client.get(page).get_data(as_text=True)
    assert (_selected(free, "deadline_from"), _selected(free, "deadline_to")) == (None, None)


def test_range_form_keeps_the_other_filters_and_drops_the_single_year(client):
    html = client.get("/targets?pillar=2&type=numeric&year=2030&sort=deadline_year").get_data(as_text=True)
    form = re.search(r'<form class="deadline-range".*?</form>', html, re.S).group(0)
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form))
    assert hidden == {"pillar": "2", "type": "numeric", "sort": "deadline_year"}


@pytest.mark.parametrize(("query", "low", "high"), [
    ("deadline_from=2025&deadline_to=2030", 2025, 2030),
    ("deadline_from=&deadline_to=2030", None, 2030),        # what the form sends without JavaScript
    ("deadline_from=2030&deadline_to=", 2030, None),
])
def test_range_filter_counts_match_across_pages_and_csvs(client, query, low, high):
    targets = client.get(f"/targets.json?{query}").get_json()
    search = client.get(f"/search.json?kind=target&{query}").get_json()
    assert targets["total"] == search["total"] > 0
    years = [t["deadline_year"] for t in targets["targets"]]
    assert all((low is None or y >= low) and (high is None or y <= high) for y in years)
    assert len(_csv(client.get(f"/targets.csv?{query}"))) == targets["total"]
    assert len(_csv(client.get(f"/search.csv?kind=target&{query}"))) == targets["total"]
    html = client.get(f"/targets?{query}").get_data(as_text=True)
    assert f"<strong>{targets['total']}件</strong>" in html


# ---- what is inside: home page and footer ---------------------------------------------------------

def test_home_page_describes_every_part_with_counts_and_no_empty_card(client, engine):
    html = client.get("/").get_data(as_text=True)
    text = _text(html)
    statutes = {r["source"] for r in engine.records if r.get("law")}
    articles = sum(1 for r in engine.records if r["kind"] == "article")
    assert len(statutes) == 21
    assert "地方創生2.0基本構想と関連資料" in text and f"関係法令 （{len(statutes)}法令・" in text
    assert f"{articles:,}" in text and "条文" in text and "別表" in text
    assert not re.search(r"\s0\s?件", text), "a card with 0件"
    assert "本文 0 件" not in text and "本文 0件" not in text
    assert "地域再生法" in text  # the statutes are named, not just counted
    # The footer names the statutes too, and no longer says everything is from the one document.
    footer = _text(html[html.index('<footer'):])
    assert f"関係法令{len(statutes)}法令" in footer and "同資料の原文" not in footer


def test_api_page_shows_code_not_backticks(client):
    html = client.get("/api").get_data(as_text=True)
    assert "`" not in _text(html)
    assert "<code>policykb search --json</code>" in html


def test_law_reader_renders_the_title_as_a_heading_not_markdown(client, engine):
    doc = next(r["source"] for r in engine.records if r.get("law") and r["source_title"] == "地域再生法")
    html = client.get(f"/sources/{doc}").get_data(as_text=True)
    assert "# 地域再生法" not in _text(html)
    assert re.search(r'<h2 class="doc-heading doc-title">(<span[^>]*>)?地域再生法', html)


# ---- citations -------------------------------------------------------------------------------------

def test_plain_citation_of_a_case_carries_the_official_url(client):
    data = client.get("/api/records/case-shizuoka-hamamatsu-kyomaruen").get_json()
    cit = data.get("citation") or data["record"]["citation"]
    assert OFFICIAL in cit["markdown"] and f"（{OFFICIAL}）" in cit["text"]
    html = client.get("/cases").get_data(as_text=True)
    assert f"（{OFFICIAL}）/records/case-shizuoka-hamamatsu-kyomaruen" in html  # the case card's copy text


def test_record_page_gives_a_selection_its_statistical_source(client):
    html = client.get("/records/data-tokyo-net-inflow-age").get_data(as_text=True)
    assert 'data-cite-origin="総務省「住民基本台帳人口移動報告」（日本人移動者）を基に作成"' in unescape(html)


# ---- the search box and /cases ---------------------------------------------------------------------

def test_search_box_says_the_length_limit_the_engine_enforces(client):
    html = client.get("/").get_data(as_text=True)
    assert f'data-max-chars="{MAX_QUERY_CHARS}"' in html and 'aria-describedby="q-limit"' in html
    assert f"検索語は{MAX_QUERY_CHARS:,}文字まで入力できます" in _text(html)


def test_choosing_a_prefecture_goes_to_its_cases_and_counts_are_explained(client):
    html = client.get("/cases").get_data(as_text=True)
    data = client.get("/cases.json").get_json()
    assert 'href="/cases?prefecture=%E5%B3%B6%E6%A0%B9%E7%9C%8C#list-h"' in html  # tile and list both
    assert 'id="list-h"' in html
    text = _text(html)
    on_map, region = len(data["cases"]), len(data["region_only"])
    assert region and f"都道府県のわかる事例 {on_map}件と、広域・地域名のみの事例 {region}件" in text
    assert f"合わせて{data['total']}件" in text
    chosen = client.get("/cases?prefecture=島根県").get_data(as_text=True)
    # A chosen prefecture un-chooses without jumping.
    assert re.search(r'href="/cases"[^>]*data-pref="島根県"', chosen) or 'href="/cases" class="tile' in chosen
