"""Statute citations at 条・項・号, checked against the statute text itself (issue 20).

Each selection is made from the parser's offsets of the real 地域再生法 and まち・ひと・しごと創生法
texts of the corpus; what a citation quotes is compared with the source's own lines.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.corpus.citation import cite, cite_selection
from indexer.corpus.export import record_dict
from indexer.corpus.law_citation import WHOLE, CitationRangeError
from indexer.corpus.loader import load_corpus
from indexer.errors import QueryError

REPO = Path(__file__).resolve().parents[2]
LAW = "law-417ac0000000024"  # 地域再生法
HEAD = "地域再生法（平成十七年法律第二十四号）"
SOURCE = "（本文：e-Gov法令検索（デジタル庁）、令和7年（2025年）6月1日時点のデータ）"


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(REPO / "corpus", strict=False)


@pytest.fixture(scope="module")
def art5(corpus):
    rec = corpus.by_id[f"{LAW}-art5"]
    return rec, corpus.source_of(rec).text, record_dict(rec, corpus), corpus.source_of(rec)


def _source_lines(text: str, start: int, end: int) -> list[str]:
    """The source's own lines of a span, blanks trimmed and a label's half-width separator as 「　」."""
    lines = [ln.strip(" \u3000") for ln in text[start:end].split("\n") if ln.strip(" \u3000")]
    return [re.sub(r"^(\S+?) ", "\\1\u3000", ln, count=1) for ln in lines]


def test_whole_record_cites_the_first_paragraph_with_number_and_source(art5):
    rec, text, _, src = art5
    c = cite(rec, src)
    p1 = rec.law.paragraphs[0]
    body = text[p1.start:p1.end].split(" ", 1)[1].strip()  # 「第五条 」 is the place, not the words
    assert c.law_ref == f"{HEAD}第五条第一項"
    assert c.quote == body
    assert c.plain() == (f"{HEAD}第五条第一項「{body}」{SOURCE}（https://laws.e-gov.go.jp/law/417AC0000000024）"
                         f"/records/{LAW}-art5")
    # e-Gov is named as where the text comes from, never as an author in front of the title.
    assert not c.plain().startswith("e-Gov")
    assert c.markdown() == (f"> {body}\n\n— [{HEAD}第五条第一項](https://laws.e-gov.go.jp/law/417AC0000000024)"
                            f"{SOURCE}。 /records/{LAW}-art5")


def test_a_paragraph_with_items_keeps_them_on_their_own_lines(art5):
    rec, text, d, _ = art5
    p2 = rec.law.paragraphs[1]
    c = cite_selection(d, p2.start, p2.end)
    assert c.law_ref == f"{HEAD}第五条第二項"
    lines = c.quote.split("\n")
    expected = _source_lines(text, p2.start, p2.end)
    expected[0] = expected[0].split("\u3000", 1)[1]  # 「２　」: the place names it
    assert lines == expected
    assert lines[1:] == ["一\u3000地域再生計画の区域", "二\u3000地域再生を図るために行う事業に関する事項", "三\u3000計画期間"]
    assert f"「{c.quote}」" in c.plain()
    # Markdown: one quoted paragraph per line of the law.
    assert c.markdown().startswith("> 地域再生計画には、次に掲げる事項を記載するものとする。\n>\n> 一\u3000地域再生計画の区域\n>\n")


@pytest.mark.parametrize("items, place", [
    ((1,), "第五条第二項第二号"),
    ((0, 1), "第五条第二項第一号及び第二号"),
    ((0, 2), "第五条第二項第一号から第三号まで"),
])
def test_items_are_named(art5, items, place):
    rec, text, d, _ = art5
    p2 = rec.law.paragraphs[1]
    first, last = p2.items[items[0]], p2.items[items[-1]]
    c = cite_selection(d, first.start, last.end)
    assert c.law_ref == HEAD + place
    if len(items) == 1:  # the label of the one 号 is the place's too
        assert c.quote == text[first.start:first.end].split(" ", 1)[1]
    else:
        assert c.quote.split("\n") == _source_lines(text, first.start, last.end)


def test_part_of_a_sentence_and_several_paragraphs(art5):
    rec, text, d, _ = art5
    p2, p3, p4 = rec.law.paragraphs[1:4]
    word = text.index("地域再生計画の区域", p2.start)
    c = cite_selection(d, word, word + len("地域再生計画の区域"))
    assert (c.law_ref, c.quote) == (f"{HEAD}第五条第二項第一号", "地域再生計画の区域")
    assert cite_selection(d, p2.start + 3, p3.end).law_ref == f"{HEAD}第五条第二項及び第三項"
    assert cite_selection(d, p2.start, p4.end).law_ref == f"{HEAD}第五条第二項から第四項まで"
    whole = rec.quotes[0]
    c = cite_selection(d, whole.start, whole.end)
    assert c.law_ref == f"{HEAD}第五条" and c.quote.startswith("地方公共団体は、") and "\n２\u3000地域再生計画には" in c.quote


def test_a_long_paragraph_is_quoted_by_whole_sentences(corpus):
    longest = max((r for r in corpus.records if r.law and r.kind == "article"),
                  key=lambda r: max(p.end - p.start for p in r.law.paragraphs))
    para = max(longest.law.paragraphs, key=lambda p: p.end - p.start)
    c = cite(longest, corpus.source_of(longest), paragraph=para.num)
    assert c.truncated and c.quote.endswith("…")
    kept = c.quote.removesuffix("…")
    text = corpus.source_of(longest).text
    own = "".join(_source_lines(text, para.start, para.end))
    # Whole sentences from the start of the 項, as many as fit (at least one).
    assert kept.replace("\n", "") and own.replace("\u3000", "").find(kept.replace("\n", "").replace("\u3000", "")) <= 8
    assert kept.endswith("。") or "\n" in kept
    assert len(kept.replace("\n", "")) <= WHOLE or kept.count("。") == 1


def test_an_article_of_one_paragraph_names_its_items_without_the_paragraph(corpus):
    rec = next(r for r in corpus.records if r.law and r.kind == "article" and len(r.law.paragraphs) == 1
               and r.law.paragraphs[0].items and not r.law.suppl_act)
    item = rec.law.paragraphs[0].items[0]
    c = cite_selection(record_dict(rec, corpus), item.start, item.end)
    assert c.law_ref.endswith(f"{rec.law.article}第{item.label}号"), c.law_ref


def test_an_amending_acts_supplementary_provision_names_the_act(corpus):
    rec = next(r for r in corpus.records if r.law and r.law.suppl_act and r.law.suppl_act != r.law.law_number
               and r.law.article.startswith("附則第"))
    c = cite(rec, corpus.source_of(rec))
    assert f"附則（{rec.law.suppl_act}）第" in c.law_ref


@pytest.mark.parametrize("start, end", [(0, 10), (10, 5), (-1, 3), (10**9, 10**9 + 1)])
def test_offsets_outside_the_text_are_a_query_error(art5, start, end):
    _, _, d, _ = art5
    with pytest.raises(QueryError) as err:
        cite_selection(d, start, end)
    assert "選択範囲" in err.value.message and err.value.status == 400


def test_only_a_label_or_blanks_is_a_query_error(art5):
    rec, text, d, _ = art5
    p2 = rec.law.paragraphs[1]
    with pytest.raises(CitationRangeError):
        cite_selection(d, p2.start, p2.start + 1)  # 「２」 alone


def test_a_selection_of_a_policy_record_keeps_its_place_and_origin(corpus):
    rec = corpus.by_id["data-tokyo-net-inflow-age"]
    d = record_dict(rec, corpus)
    q = rec.quotes[1]
    c = cite_selection(d, q.start, q.end)
    assert c.quote == "".join(ln.strip() for ln in q.text.splitlines())
    assert c.plain().startswith("内閣官房") and "（原資料：" in c.plain()
    assert c.plain().endswith("/records/data-tokyo-net-inflow-age")
