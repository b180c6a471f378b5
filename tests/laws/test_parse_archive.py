"""parse_statute on real e-Gov files whose structure the parser once rejected (tests/laws/egov/).

The files are copied unchanged from the e-Gov archive (egov-laws/<era-year>/<file>; statutes are
not subject to copyright, 著作権法第13条). Each one stands for a form of law counted with
scripts/count_law_parse: a main provision without 条, 別表 written as items, 法令番号 of every
kind, captions on the label line, excerpted articles, 目次 forms, 附則 of ordinances. Three large
Acts (住民基本台帳法, 労働基準法, 国家公務員法) and an amending-instruction article are read from the
archive itself when it is beside the repository (shared/data/egov-laws.tar.xz, as
tests/collections reads it).
"""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

import pytest

from indexer.laws import StatuteParseError, parse_statute

EGOV = Path(__file__).parent / "egov"
ARCHIVE = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "egov-laws.tar.xz"
FILES = sorted(EGOV.glob("*.md"))


def _read(prefix: str) -> str:
    (path,) = [f for f in FILES if f.name.startswith(prefix)]
    return path.read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.split("\n") if ln.strip()]


@pytest.mark.parametrize("path", FILES, ids=[f.name[:15] for f in FILES])
def test_every_file_parses_with_exact_offsets(path):
    text = path.read_text(encoding="utf-8")
    s = parse_statute(text)
    assert s.articles
    for a in s.articles:
        seg = text[a.start:a.end]
        assert seg == seg.strip() and seg
        if a.caption_span:
            assert text[a.caption_span[0]:a.caption_span[1]] == a.caption
        for p in a.paragraphs:
            assert a.start <= p.start < p.end <= a.end
            for it in p.items:
                assert text[it.start:it.end].startswith(it.label)
    keys = [a.key for a in s.articles]
    assert len(keys) == len(set(keys))


def test_main_provision_of_bare_paragraphs():
    # 年齢計算ニ関スル法律: 「① 年齢ハ出生ノ日ヨリ之ヲ起算ス」 ②, ③, no 条.
    text = _read("135AC1000000050")
    s = parse_statute(text)
    (main,) = s.main_articles
    assert (main.label, main.key, main.suppl_act) == ("本則", "main", None)
    assert [p.num for p in main.paragraphs] == [1, 2, 3]
    assert text[main.start:main.end].startswith("① 年齢ハ出生ノ日ヨリ之ヲ起算ス")
    assert text[main.start:main.end].endswith("明治六年第三十六号布告ハ之ヲ廃止ス")


def test_main_provision_of_bare_items():
    # 本初子午線経度計算方及標準時ノ件: three items 「一」, no paragraph number.
    text = _read("119IO0000000051")
    (main,) = parse_statute(text).main_articles
    assert [(p.num, [it.label for it in p.items]) for p in main.paragraphs] == [(1, ["一", "一", "一"])]
    assert text[main.start:main.end].startswith("一 英国グリニツチ天文台")


def test_main_provision_of_sentences():
    # 復興庁の所管に属する不動産登記嘱託職員を指定する庁令: sentences and a list, then 附則.
    text = _read("505M60000004004")
    s = parse_statute(text)
    (main,) = s.main_articles
    body = text[main.start:main.end]
    assert "不動産登記令（平成十六年政令第三百七十九号）第七条第二項" in body
    assert body.endswith("会計に関する事務を担当する参事官")
    assert "附" not in body and s.articles[-1].label == "附則"


def test_appended_table_written_as_items():
    text = _read("415CO0000000412")
    s = parse_statute(text)
    (table,) = s.tables
    assert table.label == "別表"
    # Its items are the table's lines, not items of the article before it.
    last = s.articles[-1]
    assert last.end < table.start
    assert re.search(r"^一 ", text[table.start:table.end], re.M)


@pytest.mark.parametrize(("prefix", "number"), [
    ("108DF0000000103", "明治八年太政官布告第百三号"),
    ("119IO0000000000", "明治十九年勅令"),
    ("505M60000004004", "令和五年復興庁令第四号"),
    ("324RJNJ14005000", "昭和二十四年人事院規則一四―五"),
    ("326M50000042001", "昭和二十六年総理府・大蔵省令第一号"),
    ("127M10000001001", "明治二十七年閣令第一号"),
])
def test_law_numbers_of_every_kind(prefix, number):
    text = _read(prefix)
    assert parse_statute(text).law_number == number
    assert number in _lines(text)[:3]


def test_caption_on_the_label_line():
    text = _read("322AC0000000060")
    s = parse_statute(text)
    a = s.article("1")
    assert a.label == "第一条" and a.caption and a.caption.startswith("（") and a.caption.endswith("）")
    assert text[a.start:a.end].startswith(a.label + a.caption)


def test_excerpted_article_printed_as_its_label():
    # 日本学術会議法 附則: 「第十八条」 alone, then only its paragraphs ３ and ４.
    text = _read("507AC0000000070")
    a = parse_statute(text).article("suppl-18")
    assert a.label == "附則第十八条" and [p.num for p in a.paragraphs] == [3, 4]
    assert text[a.start:a.end].startswith("第十八条\n\n３ 前項の資産の価額は")


def test_branch_numbers_written_with_katakana_no():
    s = parse_statute(_read("138AC0000000063"))
    assert s.article("1-2").label == "第一条ノ二"


def test_toc_without_its_toc_line():
    # 陪審法: its 目次 has no 「目次」 line; its 「附則」 entry is no 附則 block.
    s = parse_statute(_read("212AC0000000050"))
    assert s.suppl_blocks[0].act is None and all(b.act for b in s.suppl_blocks[1:])
    assert s.article("1").heading_path == ["第一章 総則"]


def test_toc_heading_with_a_branch_number_is_not_the_first_heading_again():
    # 目次 「第一章 …」 then 「第一章の二 …」: the 目次 runs on to its 「附則」.
    s = parse_statute(_read("327CO0000000473"))
    assert s.suppl_blocks[0].line > 21 and s.article("1-2") is not None


def test_suppl_of_ordinances_keyed_apart():
    # 昭和二七年 総理府・大蔵省令第一号 and 大蔵省・運輸省令第一号 amend the same ordinance.
    s = parse_statute(_read("326M50000042001"))
    keys = [b.act_key for b in s.suppl_blocks]
    assert keys[1] == "s27-x1" and keys[2].startswith("s27-x1-") and len(set(keys)) == len(keys)


@pytest.mark.parametrize(("prefix", "act"), [
    ("324RJNJ01001000", "平成四年人事院規則一―十八"),
    ("426CO0000000100", "令和四年政令第百十二号"),  # 「令和四年年三月二五日」 as e-Gov prints it
])
def test_suppl_headings_naming_rules(prefix, act):
    s = parse_statute(_read(prefix))
    assert act in [b.act for b in s.suppl_blocks]


def test_still_rejected_names_file_place_reason():
    """What a file really lacks is still an error with its line (a 附則 heading with no act)."""
    text = "# 試験令\n\n平成十七年政令第二十四号\n\n試験令\n\n第一条 …。\n\n附 則 （昭和六一年六月三〇日）\n\n１ …。\n"
    with pytest.raises(StatuteParseError) as err:
        parse_statute(text)
    assert err.value.line == 9 and "cannot read" in err.value.reason


# ---- large Acts, read from the archive ------------------------------------------------------
MEMBERS = {
    "342AC0000000081": "egov-laws/342/342AC0000000081_20250620_507AC0000000074.md",  # 住民基本台帳法
    "322AC0000000049": "egov-laws/322/322AC0000000049_20250601_504AC0000000068.md",  # 労働基準法
    "322AC0000000120": "egov-laws/322/322AC0000000120_20250701_507AC0000000043.md",  # 国家公務員法
    "327AC1000000180": "egov-laws/327/327AC1000000180_20250601_504AC0000000068.md",  # 道路法
}


@pytest.fixture(scope="module")
def archive_laws() -> dict[str, str]:
    if not ARCHIVE.exists():
        pytest.skip(f"{ARCHIVE} is missing")
    want = {v: k for k, v in MEMBERS.items()}
    out: dict[str, str] = {}
    with tarfile.open(ARCHIVE, "r|*") as tar:
        for m in tar:
            if m.name in want:
                out[want[m.name]] = tar.extractfile(m).read().decode("utf-8")
                if len(out) == len(want):
                    break
    assert len(out) == len(want), sorted(set(want.values()) - set(out))
    return out


def test_large_acts_have_their_articles(archive_laws):
    s = parse_statute(archive_laws["342AC0000000081"])
    a = s.article("22")
    assert (a.label, a.caption) == ("第二十二条", "（転入届）") and len(a.paragraphs[0].items) == 7
    labour = parse_statute(archive_laws["322AC0000000049"])
    assert labour.article("22").caption == "（退職時等の証明）"
    assert labour.tables[0].label == "別表第一"
    npsa = parse_statute(archive_laws["322AC0000000120"])
    assert any(b.label.startswith("第一次改正法律附則") for b in npsa.suppl_blocks)
    assert npsa.article("22").caption == "（人事行政改善の勧告）"


def test_amendment_instruction_quotes_paragraphs(archive_laws):
    # 道路法 附則第五条: 「第三十条第四項を次のように改める。」 quotes 「４ …」 and 「２ …」.
    text = archive_laws["327AC1000000180"]
    a = next(x for x in parse_statute(text).articles if x.label == "附則第五条" and "第三十条第四項を次のように改める" in
             text[x.start:x.end])
    nums = [p.num for p in a.paragraphs]
    assert nums == sorted(set(nums))
