"""Targets read against the source: whole wording, every bracket, deadlines with basis and quote, numbers as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from indexer.corpus.deadlines import PLAN_SPAN_YEARS, PLAN_YEAR, deadline_label, resolve
from indexer.corpus.export import record_dict
from indexer.corpus.loader import CorpusError, load_corpus
from indexer.corpus.numbers import official_number, value_label
from indexer.corpus.schema import normalize_unit
from indexer.corpus.statements import BRACKET_CAVEAT
from indexer.text.normalize import normalize_for_match
from tests import source_scan

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(REPO / "corpus")


@pytest.fixture(scope="module")
def text() -> str:
    return source_scan.SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def targets(corpus) -> dict[str, dict]:
    links = corpus.links_both_ways()
    return {r.id: record_dict(r, corpus, links)["targets"][0] for r in corpus.records if r.kind == "target"}


def _squeeze(s: str) -> str:
    return normalize_for_match(s)


def test_every_wording_is_a_whole_statement_found_in_the_source(targets, text):
    brackets = {(b.start, b.end) for b in source_scan.target_brackets(text)}
    assert len(targets) == 44
    for tid, t in targets.items():
        q = t["wording_quote"]
        assert _squeeze(text[q["start"]:q["end"]]) == _squeeze(t["wording"]), tid
        if t["bracketed"]:
            # read the source itself: the span opens with 【 and closes at the first 】 after it
            assert text[q["start"]] == "【" and text[q["end"] - 1] == "】", tid
            assert "】" not in text[q["start"]:q["end"] - 1] and (q["start"], q["end"]) in brackets, tid
        else:
            line_start = text.rfind("\n", 0, q["start"]) + 1
            before = text[line_start:q["start"]].strip()
            assert not before or before.endswith("。"), f"{tid} starts mid-line after {before!r}"
            line_end = text.find("\n", q["end"])
            after = text[q["end"]:line_end].strip()
            assert not after or t["wording"].endswith("。"), f"{tid} stops before {after!r}"


def test_every_policy_package_bracket_is_some_targets_whole_wording(targets, text):
    # the caveat's own empty 【 】 is not a target
    brackets = [b for b in source_scan.target_brackets(text) if b.text[1:-1].strip()]
    assert len(brackets) == 32
    wordings = {(t["wording_quote"]["start"], t["wording_quote"]["end"]) for t in targets.values()}
    for b in brackets:
        assert (b.start, b.end) in wordings, f"line {b.line}: {b.text!r} is no target's whole wording"


@pytest.mark.parametrize("ids, whole", [
    (("target-2-inbound-tourism-visitors", "target-2-inbound-tourism-spending"),
     "【2030年訪日外国人旅行者数6,000万人・消費額15兆円】"),
    (("target-3-furusato-registration-unique", "target-3-furusato-registration-total"),
     "【関係人口を可視化。関係施策と連携し、今後10年間で実人数1,000万人、延べ人数１億人を目指す】"),
    (("target-3-urban-talent-revicareer", "target-3-urban-talent-side-jobs"),
     "【2027年度までの3年間でレビキャリの大企業人材の登録を１万人、プロ人事業等における副業・兼業による専門人材の活用を１万人とすることを目指す】"),
    (("target-4-gx-dx-investment-ai-semiconductor", "target-4-gx-dx-investment-gx"),
     "【ＡＩ・半導体分野において今後10年間で50兆円を超える官民投資、ＧＸ分野では2032年度までの10年間に150兆円の官民投資を目指す】"),
    (("target-4-digital-lifeline-drone", "target-4-digital-lifeline-autonomous-driving"), None),
])
def test_split_brackets_share_the_whole_wording_and_mark_their_own_part(targets, text, ids, whole):
    a, b = (targets[i] for i in ids)
    assert a["wording"] == b["wording"] and a["wording_quote"] == b["wording_quote"]
    if whole:
        assert _squeeze(a["wording"]) == _squeeze(whole) and whole.startswith("【")
    marked = [[a["wording"][m["start"]:m["end"]] for m in t["measured"]] for t in (a, b)]
    assert marked[0] and marked[1] and marked[0] != marked[1]
    for t, parts in zip((a, b), marked):
        assert all(p and p in t["wording"] and p != t["wording"] for p in parts)
        assert t["caveat"]["text"] == BRACKET_CAVEAT


def test_the_shared_year_of_a_split_bracket_stays_with_both(targets):
    for tid in ("target-2-inbound-tourism-visitors", "target-2-inbound-tourism-spending"):
        assert "2030年" in targets[tid]["wording"] and targets[tid]["deadline_year"] == 2030
    assert "2027年度までの3年間" in targets["target-3-urban-talent-side-jobs"]["wording"]


def test_next_steps_targets_show_the_sentence_they_measure(targets):
    strategy = targets["target-next-steps-strategy-2025"]
    assert [m["text"] for m in strategy["measured"]] == ["2025年中に総合戦略を策定。"]
    review = targets["target-next-steps-review-5y"]
    assert [m["text"] for m in review["measured"]] == ["中間年度の5年後に必要な見直し。"]


def test_caveat_is_in_the_source_and_travels_with_every_bracketed_target(targets, text):
    assert text.count(BRACKET_CAVEAT) == 1
    start = text.index(BRACKET_CAVEAT)
    for tid, t in targets.items():
        if t["bracketed"]:
            assert t["caveat"] == {"text": BRACKET_CAVEAT, "start": start, "end": start + len(BRACKET_CAVEAT)}, tid
        else:
            assert t["caveat"] is None, tid
    assert sum(t["bracketed"] for t in targets.values()) == 37


def test_every_deadline_year_has_a_basis_and_a_quote_from_the_source(targets, text):
    dated = 0
    for tid, t in targets.items():
        if t["deadline_year"] is None:
            assert t["deadline_basis"] is None, tid
            continue
        dated += 1
        assert t["deadline_basis"] in ("fiscal", "calendar", "period"), tid
        q = t["deadline_quote"]
        assert q and _squeeze(text[q["start"]:q["end"]]) == _squeeze(q["text"]), tid
        assert _squeeze(t["deadline"]) in _squeeze(q["text"]), tid
        # the basis follows the words of the source: 年度 is a fiscal year
        if re.search(r"\d{4}年度", t["deadline"]):
            assert t["deadline_basis"] == "fiscal", tid
        if t["deadline_basis"] == "period":
            assert t["deadline_note"], f"{tid}: a derived year needs its note"
    assert dated >= 30


def test_transport_gaps_deadline_is_the_measures_period(targets, corpus):
    t = targets["target-1-transport-gaps"]
    assert t["deadline"] == "集中対策期間（2025年度～2027年度）"
    assert (t["deadline_year"], t["deadline_basis"]) == (2027, "fiscal")
    measure = corpus.by_id["measure-1-transport-gaps"]
    assert any(q.start <= t["deadline_quote"]["start"] and t["deadline_quote"]["end"] <= q.end for q in measure.quotes)


def test_relative_deadlines_follow_one_rule_from_the_plan_year(corpus):
    src = corpus.sources["chihou-sousei-2.0"]
    assert src.date.startswith(str(PLAN_YEAR)) and f"今後{PLAN_SPAN_YEARS}年間を対象" in src.text
    cases = {
        "今後10年間": (2034, "period"), "３年で": (2027, "period"), "３年後": (2028, "calendar"),
        "2030年代までに": (2039, "period"), "中間年度の5年後": (2030, "fiscal"), "本年６月中": (2025, "calendar"),
        "2025年度末頃": (2025, "fiscal"), "2026年通常国会": (2026, "calendar"), "早期に": (None, None),
        "集中対策期間（2025年度～2027年度）": (2027, "fiscal"),
    }
    for phrase, expected in cases.items():
        d = resolve(phrase)
        assert (d.year, d.basis) == expected, phrase
    assert deadline_label(*_triple(resolve("今後10年間"))) == "2034年（基本構想の対象期間10年から算出）"
    assert deadline_label(2027, "fiscal") == "2027年度（会計年度）"
    assert deadline_label(2030, "calendar") == "2030年（暦年）"
    assert deadline_label(*_triple(resolve("2030年代までに"))) == "2039年（2030年代の最終年として算出）"


def _triple(d):
    return d.year, d.basis, d.note


def test_written_deadline_year_that_breaks_the_rule_is_refused(tmp_path):
    import shutil

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    path = tmp_path / "corpus" / "records" / "72-measures-p2.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rec = next(r for r in data["records"] if r["id"] == "target-2-circular-economy")
    rec["target"]["deadline_year"] = 2028  # ３年で is 2025〜2027
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path / "corpus")
    assert "target-2-circular-economy" in str(err.value) and "deadline_year" in str(err.value)


def test_fragment_wording_is_refused(tmp_path):
    import shutil

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    path = tmp_path / "corpus" / "records" / "72-measures-p2.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rec = next(r for r in data["records"] if r["id"] == "target-2-inbound-tourism-spending")
    rec["quotes"] = [{"text": "消費額15兆円】", "start": 13533, "end": 13541}]
    rec["target"].pop("measured")
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path / "corpus")
    msg = str(err.value)
    assert "target-2-inbound-tourism-spending" in msg and "whole" in msg and "【2030年" in msg


def test_every_value_is_kept(targets):
    def vals(tid):
        return [(v["value"], v["unit"]) for v in targets[tid]["values"]]

    assert vals("target-vision-relationship-population") == [(1e7, "人"), (1e8, "人")]
    assert vals("target-1-transport-gaps") == [(2000, "地区"), (460, "地点")]
    assert vals("target-4-digital-lifeline-drone") == [(1e4, "km"), (4e4, "km")]
    for tid, t in targets.items():
        if t["values"]:
            first = t["values"][0]
            assert (t["value"], t["value_text"], t["unit"]) == (first["value"], first["value_text"], first["unit"]), tid
        if t["type"] == "numeric" and tid != "target-vision-productivity":  # 東京圏と同水準 has no number
            assert any(v["value"] is not None for v in t["values"]), f"{tid} is numeric but keeps no number"


def test_one_goal_in_two_places_is_linked_both_ways(corpus):
    links = corpus.links_both_ways()
    for other in ("target-3-furusato-registration-unique", "target-3-furusato-registration-total"):
        assert ("same-goal", other) in links["target-vision-relationship-population"]
        assert ("same-goal", "target-vision-relationship-population") in links[other]


def test_one_notation_per_unit(corpus):
    units = {v.unit for r in corpus.records if r.kind == "target" for v in r.target.values if v.unit}
    assert not any("%" in u for u in units) and "％" in units
    assert normalize_unit("%/年") == "％/年"


def test_places_as_written_and_inferred_ones_marked(corpus, text):
    urasoe = next(r for r in corpus.records if r.place and (r.place.municipality or "").startswith("浦添市"))
    assert urasoe.place.municipality == "浦添市等" and "浦添市等" in text
    trail = next(r for r in corpus.records if r.title == "みちのく潮風トレイル")
    assert trail.place.inferred and trail.place.note
    assert not any(p in "".join(q.text for q in trail.quotes) for p in trail.place.prefectures)


@pytest.mark.parametrize("value, unit, expected", [
    (15e12, "円", "15兆円"), (6e7, "人", "6,000万人"), (3.8e11, "円", "3,800億円"), (1e8, "人", "1億人"),
    (1e7, "人", "1,000万人"), (2000, "地区", "2,000地区"), (10, "割", "10割"), (50, "％", "50％"),
    (150e12, "円", "150兆円"), (1e4, "ha", "1万ha"), (4e4, "km", "4万km"), (13, "都市", "13都市"),
    (2.5, "倍", "2.5倍"), (12_345_678, "人", "1,234万5,678人"), (None, "円", ""),
])
def test_official_number(value, unit, expected):
    assert official_number(value, unit) == expected


def test_value_label_keeps_the_qualifiers_of_the_source():
    assert value_label(2000, "地区", "約2,000地区") == "約2,000地区"
    assert value_label(50e12, "円", "50兆円を超える") == "50兆円を超える"
    assert value_label(500, "サイト", "500以上") == "500サイト以上"
    assert value_label(None, None, "東京圏と同水準") == "東京圏と同水準"
