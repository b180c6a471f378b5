"""split_passages: heading paths from Markdown and Japanese outline markers, exact offsets, pages, sizes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.ingest import ExtractedText, Passage, extract_pdf_text, read_document, split_passages
from tests.ingest.conftest import POLICY_TXT

OUTLINE = """\
Ⅰ 東京一極集中の現状
１．人口の動向
（１）転入超過
○ 2023年の東京圏の転入超過数は11.5万人。
○ 転入超過数の大半を10代後半、20代の若者が占めており、
大学等への進学や就職が一つのきっかけになっている。
（２）大学の集中
① 学生数は南関東に集中している。
② 大学数も南関東に集中している。
【コラム】地方の取組
地方では様々な取組が進められている。

２．企業の集中
資本金10億円以上の大企業は東京都に集中している。
Ⅱ 基本構想
第１章 総論
地方創生2.0を起動する。
"""

MARKDOWN = """\
# 地方創生2.0 基本構想

前文の段落。

## 基本姿勢

### 若者・女性にも選ばれる地方

段落一。
続きの行。

段落二。

## 政策体系

- 項目一。
- 項目二。
"""

SENTENCE = "地域の実情に応じて環境の整備を図ることにより、魅力ある就業の機会の創出を図るものとする。"  # 44 characters


def _doc(text: str, fmt: str = "text") -> ExtractedText:
    return ExtractedText(path=Path("sample.txt"), text=text, format=fmt)


def _by_start(passages: list[Passage]) -> dict[str, list[str]]:
    return {p.text.split("\n")[0]: p.heading_path for p in passages}


def _check_invariants(doc: ExtractedText, passages: list[Passage], max_chars: int = 400) -> None:
    assert passages
    previous_end = 0
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
        assert p.text == p.text.strip(" \t\n\u3000") and p.start >= previous_end
        previous_end = p.end
        # Never ends mid-sentence: at a paragraph's end (a line end) or after a full stop.
        assert not doc.text[p.end :].split("\n", 1)[0].strip() or p.text[-1] in "。！？"
        if len(p.text) > max_chars:
            assert not re.search(r"。(?![）」』])", p.text[:-1]), "only one sentence may exceed max_chars"
        assert p.page == doc.page_at(p.start)


def test_plain_text_outline_markers_make_the_heading_path():
    doc = _doc(OUTLINE)
    passages = split_passages(doc)
    _check_invariants(doc, passages)
    paths = _by_start(passages)
    assert paths["○ 2023年の東京圏の転入超過数は11.5万人。"] == ["Ⅰ 東京一極集中の現状", "１．人口の動向", "（１）転入超過"]
    assert paths["① 学生数は南関東に集中している。"] == ["Ⅰ 東京一極集中の現状", "１．人口の動向", "（２）大学の集中"]
    assert paths["地方では様々な取組が進められている。"][-1] == "【コラム】地方の取組"
    # A family already open closes what is below it: ２． replaces １． and its (n) and 【】.
    assert paths["資本金10億円以上の大企業は東京都に集中している。"] == ["Ⅰ 東京一極集中の現状", "２．企業の集中"]
    assert paths["地方創生2.0を起動する。"] == ["Ⅱ 基本構想", "第１章 総論"]


def test_bullets_are_paragraphs_and_a_wrapped_bullet_stays_whole():
    doc = _doc(OUTLINE)
    texts = [p.text for p in split_passages(doc, max_paragraphs=1)]
    assert "○ 転入超過数の大半を10代後半、20代の若者が占めており、\n大学等への進学や就職が一つのきっかけになっている。" in texts
    assert "① 学生数は南関東に集中している。" in texts and "② 大学数も南関東に集中している。" in texts


def test_markdown_headings_make_the_heading_path():
    doc = _doc(MARKDOWN, "markdown")
    passages = split_passages(doc)
    _check_invariants(doc, passages)
    paths = _by_start(passages)
    assert paths["前文の段落。"] == ["地方創生2.0 基本構想"]
    assert paths["段落一。"] == ["地方創生2.0 基本構想", "基本姿勢", "若者・女性にも選ばれる地方"]
    assert paths["- 項目一。"] == ["地方創生2.0 基本構想", "政策体系"]
    one_each = [p.text for p in split_passages(doc, max_paragraphs=1)]
    assert "段落一。\n続きの行。" in one_each and "段落二。" in one_each


def test_long_paragraphs_are_cut_between_sentences_only():
    paragraph = SENTENCE * 20 + "（以下「法」という。）" + SENTENCE * 5  # 1,100 characters, one line
    huge_sentence = "、".join([SENTENCE[:-1]] * 12) + "。"  # one 527-character sentence
    doc = _doc(f"【長い段落】\n{paragraph}\n{huge_sentence}\n")
    passages = split_passages(doc)
    _check_invariants(doc, passages)
    assert all(len(p.text) <= 400 for p in passages[:-1])
    assert passages[-1].text == huge_sentence
    assert all(not p.text.startswith("）") for p in passages)  # not cut after 「という。」


def test_passages_are_one_to_three_short_paragraphs():
    doc = _doc("\n".join(f"第{i}の段落。" for i in range(10)) + "\n")
    passages = split_passages(doc)
    assert [p.text.count("\n") + 1 for p in passages] == [3, 3, 3, 1]


@pytest.mark.parametrize("name", ["statute", "policy"])
def test_pdf_passages_carry_their_page(pdfs, name):
    doc = extract_pdf_text(getattr(pdfs, name))
    passages = split_passages(doc)
    _check_invariants(doc, passages)
    pages = [p.page for p in passages]
    assert pages == sorted(pages) and pages[0] == 1 and pages[-1] == len(doc.page_starts)
    assert all(p.text.count("\n") <= 2 for p in passages)  # PDF text has one paragraph per line
    if name == "policy":
        assert passages[0].heading_path[0] == "Ⅰ 東京一極集中の現状について"


def test_policy_source_file_end_to_end():
    doc = read_document(POLICY_TXT)
    passages = split_passages(doc)
    _check_invariants(doc, passages)
    assert {p.heading_path[0] for p in passages if p.heading_path} >= {"Ⅰ 東京一極集中の現状について"}
    assert all(p.page is None for p in passages)
