"""resolve_references on the hand-labelled gold, with jlawcite's measured rates as floors; policy text."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.laws.gold import load_gold, match_predictions, score
from indexer.laws.parse import parse_statute
from indexer.laws.refs import (
    CORPUS_LAWS,
    cited_law_numbers,
    known_laws_from,
    resolve_policy_reference,
    resolve_references,
)

GOLD = Path(__file__).with_name("refs_gold.jsonl")

# jlawcite 2.5.0 on the same gold, measured by `.venv/bin/python scripts/measure_refs`
# (split → kind → (resolution rate, precision, recall)). Ours must not fall below them.
JLAWCITE = {
    "dev": {"same-law": (0.740, 0.945, 0.699), "cross-law": (0.820, 0.920, 0.754)},
    "heldout": {"same-law": (0.680, 0.912, 0.620), "cross-law": (0.389, 0.571, 0.222)},
    "all": {"same-law": (0.723, 0.936, 0.676), "cross-law": (0.722, 0.877, 0.633)},
}


@pytest.fixture(scope="module")
def corpus(law_texts, statutes):
    return statutes, known_laws_from(statutes), cited_law_numbers(list(law_texts.values()))


@pytest.fixture(scope="module")
def references(corpus):
    statutes, known, numbers = corpus
    return {law_id: resolve_references(s, known, numbers) for law_id, s in statutes.items()}


@pytest.fixture(scope="module")
def predictions(references):
    spans = {law_id: [(r.start, r.end, r.as_target() if r.resolved else None) for r in refs]
             for law_id, refs in references.items()}
    return match_predictions(load_gold(GOLD), spans)


def test_gold_is_well_formed(law_texts):
    gold = load_gold(GOLD)
    assert len(gold) == 252 and len({g.id for g in gold}) == len(gold)
    for g in gold:
        assert law_texts[g.law_id][g.start:g.end] == g.text, g.id
    kinds = {(split, kind): sum(1 for g in gold if g.split == split and g.kind == kind)
             for split in ("dev", "heldout") for kind in ("same-law", "cross-law")}
    assert kinds == {("dev", "same-law"): 123, ("dev", "cross-law"): 61,
                     ("heldout", "same-law"): 50, ("heldout", "cross-law"): 18}


@pytest.mark.parametrize("split", ["dev", "heldout", "all"])
@pytest.mark.parametrize("kind", ["same-law", "cross-law"])
def test_rates_not_below_jlawcite(predictions, split, kind):
    gold = [g for g in load_gold(GOLD) if split in ("all", g.split)]
    rates = score(gold, predictions)[kind]
    floor_resolution, floor_precision, floor_recall = JLAWCITE[split][kind]
    print(f"{split} {kind}: resolved {rates.resolution_rate:.3f} precision {rates.precision:.3f} "
          f"recall {rates.recall:.3f} (jlawcite {floor_resolution:.3f} {floor_precision:.3f} {floor_recall:.3f})")
    assert rates.resolution_rate >= floor_resolution
    assert rates.precision >= floor_precision
    assert rates.recall >= floor_recall


def test_offsets_are_exact(references, law_texts):
    for law_id, refs in references.items():
        text = law_texts[law_id]
        for r in refs:
            assert text[r.start:r.end] == r.text
            assert r.type in ("same-law", "cross-law", "external", "relative")


def _refs(references, law_id, article, paragraph=None, item=None):
    return [r for r in references[law_id] if r.source_article == article
            and (paragraph is None or r.source_paragraph == paragraph)
            and (item is None or r.source_item == item)]


def test_types_and_targets(references):
    refs = {r.text: r for r in _refs(references, "417AC0000000024", "4-3", 1)}
    jichi = refs["地方自治法（昭和二十二年法律第六十七号）第二百八十四条第一項"]
    assert (jichi.type, jichi.target_law_id, jichi.target_article, jichi.target_paragraph) == (
        "cross-law", "322AC0000000067", "第二百八十四条", 1)
    port = refs["港湾法（昭和二十五年法律第二百十八号）第四条第一項"]
    assert (port.type, port.target_law_id, port.target_law, port.target_law_title) == (
        "external", None, "昭和二十五年法律第二百十八号", "港湾法")
    nxt = refs["次条第一項"]
    assert (nxt.type, nxt.target_article, nxt.target_paragraph) == ("relative", "第五条", 1)
    carried = {r.text: r for r in _refs(references, "417AC0000000024", "4-3", 2)}["第三項"]
    assert (carried.type, carried.target_article, carried.target_paragraph) == ("same-law", "第四条の二", 3)


def test_items_lists(references):
    mae = [r for r in _refs(references, "426AC0000000136", "2", 1, "七") if r.text == "前各号"][0]
    assert mae.target_items == (1, 2, 3, 4, 5, 6)
    each = [r for r in _refs(references, "417AC0000000024", "5", 15) if r.text == "第二項各号"][0]
    assert each.target_items == (1, 2, 3)


def test_suppl_references(references):
    # In the original 附則: 附則第N条 is that 附則, a bare 第N条 the main provisions; 次条 of an
    # excerpted (抄) block is the next number even when e-Gov does not print it.
    refs = {r.text: r for r in _refs(references, "363AC0000000083", "suppl-1")}
    assert refs["附則第三条"].target_article == "附則第三条"
    assert refs["次条"].target_article == "附則第二条"
    assert refs["第三十四条"].target_article == "第三十四条"


def test_amending_suppl_left_unresolved(references, statutes):
    s = statutes["417AC0000000024"]
    amending = {a.key for a in s.articles if a.suppl_act not in (None, s.law_number)}
    refs = [r for r in references["417AC0000000024"] if r.source_article in amending]
    bare = [r for r in refs if not any(n in r.text for n in ("法", "令"))]
    assert bare and not any(r.resolved for r in bare)
    # 「附則第一条各号」 in 平成二十二年法律第六号's 附則 is that act's own 附則, not this statute's.
    assert all(not r.resolved for r in refs if r.text.startswith("附則第"))


def test_known_laws_match_the_files(statutes):
    known = known_laws_from(statutes)
    assert {t: i for t, i in known.items() if not t.endswith("号")} == CORPUS_LAWS


def test_default_known_laws(statutes):
    refs = resolve_references(statutes["426AC1000000127"])
    hit = [r for r in refs if r.text.startswith("地域再生法（")][0]
    assert (hit.target_law_id, hit.target_article, hit.target_paragraph, hit.target_items) == (
        "417AC0000000024", "第五条", 4, (8,))


@pytest.mark.parametrize(("policy", "expected"), [
    ("まち・ひと・しごと創生法第１条", ("426AC0000000136", "第一条")),
    ("地域再生法第17条の24に基づく計画", ("417AC0000000024", "第十七条の二十四")),
    ("地域再生法（平成十七年法律第二十四号）第五条第四項", ("417AC0000000024", "第五条")),
    ("構造改革特別区域法第４条", ("414AC0000000189", "第四条")),
    ("地方創生の推進について", None),
    ("地方税法第６条", None),
])
def test_resolve_policy_reference(policy, expected):
    assert resolve_policy_reference(policy) == expected


def test_text_is_required():
    s = parse_statute("試験法\n平成十七年法律第二十四号\n\n第一条 前条の規定。\n")
    bare = type(s)(s.title, s.law_number, s.articles, s.tables, s.suppl_blocks, s.toc)
    with pytest.raises(ValueError):
        resolve_references(bare)
