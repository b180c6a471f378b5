"""/api/cite and the article page (issue 20): a selection cited at its 条・項・号, references in the
text linked, 項 anchors and jump links, and every bad selection a readable Japanese 400."""

from __future__ import annotations

import html
import re

import pytest

ART5 = "law-417ac0000000024-art5"          # 地域再生法 第五条
HEAD = "地域再生法（平成十七年法律第二十四号）"
ART9 = "law-426ac0000000136-art9"          # まち・ひと・しごと創生法 第九条, cited by 第五条


@pytest.fixture(scope="module")
def art5(engine) -> dict:
    return engine.record(ART5)


def _cite(client, rid: str, start, end):
    return client.get("/api/cite", query_string={"record": rid, "start": start, "end": end})


def test_a_paragraph_is_cited_with_law_number_and_items_on_their_lines(client, art5):
    p2 = art5["law"]["paragraphs"][1]
    resp = _cite(client, ART5, p2["start"], p2["end"])
    assert resp.status_code == 200
    data = resp.get_json()
    assert data["text"].startswith(f"{HEAD}第五条第二項「地域再生計画には、次に掲げる事項を記載するものとする。\n一\u3000地域再生計画の区域\n")
    assert data["text"].endswith(f"/records/{ART5}")
    assert data["markdown"].startswith("> 地域再生計画には、") and f"[{HEAD}第五条第二項](https://laws.e-gov.go.jp/" in data["markdown"]
    # The selection as the server read it: what a reader can check against the source.
    assert data["span"][0] > p2["start"] and data["span"][1] == p2["end"]


def test_one_item_and_the_whole_article(client, art5):
    item = art5["law"]["paragraphs"][1]["items"][2]
    data = _cite(client, ART5, item["start"], item["end"]).get_json()
    assert data["text"].startswith(f"{HEAD}第五条第二項第三号「計画期間」")
    q = art5["quotes"][0]
    data = _cite(client, ART5, q["start"], q["end"]).get_json()
    assert data["law_ref"] == f"{HEAD}第五条"


def test_a_policy_record_selection(client, engine):
    rec = engine.record("data-tokyo-net-inflow-age")
    q = rec["quotes"][1]
    data = _cite(client, rec["id"], q["start"], q["end"]).get_json()
    assert data["quote"] == "".join(line.strip() for line in q["text"].splitlines())
    assert "（原資料：" in data["text"]


@pytest.mark.parametrize("args, words", [
    ({"record": ART5, "start": "1", "end": "5"}, "選択範囲"),
    ({"record": ART5, "start": "9000", "end": "8000"}, "選択範囲"),
    ({"record": ART5, "start": "abc", "end": "5"}, "start は0以上の整数"),
    ({"record": ART5, "start": "-3", "end": "5"}, "start は0以上の整数"),
    ({"record": ART5, "start": "1" * 40, "end": "5"}, "start は0以上の整数"),
    ({"record": ART5, "end": "5"}, "start を指定してください"),
    ({"start": "1", "end": "5"}, "record に記録のIDを指定してください"),
])
def test_bad_selections_are_readable_400s(client, args, words):
    resp = client.get("/api/cite", query_string=args)
    assert resp.status_code == 400 and resp.is_json
    assert words in resp.get_json()["error"]


def test_an_unknown_record_is_a_404(client):
    resp = _cite(client, "no-such-record", 1, 2)
    assert resp.status_code == 404 and "見つかりませんでした" in resp.get_json()["error"]


def _lines(page: str) -> list[tuple[int, str]]:
    return [(int(at), html.unescape(re.sub(r"<[^>]+>", "", inner)))
            for at, inner in re.findall(r'<p data-at="(\d+)">(.*?)</p>', page)]


def test_the_article_page_links_its_references_and_anchors_its_paragraphs(client, art5):
    page = client.get(f"/records/{ART5}").get_data(as_text=True)
    # Each line's offset is the source's: its text is there in the record's quote.
    q = art5["quotes"][0]
    lines = _lines(page)
    assert len(lines) > 20
    for at, text in lines:
        assert q["text"][at - q["start"]:at - q["start"] + len(text)] == text
    # The citation of まち・ひと・しごと創生法 第九条第一項 is a link to that article's 項.
    assert f'<a class="ref-link" href="/records/{ART9}#para-1">まち・ひと・しごと創生法第九条第一項</a>' in page
    # 前項各号: a link to the 項 on this same page.
    assert '<a class="ref-link" href="#para-2">前項各号</a>' in page
    paragraphs = art5["law"]["paragraphs"]
    for p in paragraphs:
        assert f'id="para-{p["num"]}"' in page and f'href="#para-{p["num"]}"' in page
    jump = re.search(r'<nav class="jump-links".*?</nav>', page, re.S).group()
    assert [m for m in re.findall(r'href="#([^"]+)"', jump)] == ["text-h", "xg-cites", "xg-cited_by", "cite-h"]
    assert 'data-cite-record="' + ART5 + '"' in page and 'data-cite-api="/api/cite"' in page


def test_the_whole_record_citation_names_the_paragraph(client):
    data = client.get(f"/api/records/{ART5}").get_json()
    c = data["record"]["citation"]
    assert c["text"].startswith(f"{HEAD}第五条第一項「地方公共団体は、単独で又は共同して、")
    assert "（本文：e-Gov法令検索（デジタル庁）、令和7年（2025年）6月1日時点のデータ）" in c["text"]
    assert [b["label"] for b in data["text_layout"]][:2] == ["第一項", "第二項"]


def test_a_long_table_is_folded(client, engine):
    from webapp.records import FOLD_CHARS

    long = next(r for r in engine.records if r["kind"] == "table" and len(r["text"]) > FOLD_CHARS)
    short = next(r for r in engine.records if r["kind"] == "table" and len(r["text"]) <= FOLD_CHARS)
    page = client.get(f"/records/{long['id']}").get_data(as_text=True)
    assert '<details class="long-table"><summary>' in page and "の全文を表示" in page
    assert '<details class="long-table">' not in client.get(f"/records/{short['id']}").get_data(as_text=True)


def test_a_search_result_cites_the_paragraph_it_matched(engine):
    from indexer.laws import int_to_kanji
    from indexer.search import Filters

    results = engine.search("地域再生計画の区域 計画期間", mode="keyword", k=20,
                            filters=Filters(kind=("article",))).results
    matched = [r for r in results if r["matched_paragraph"]]
    assert matched
    for r in (r for r in matched if not r["law"].get("suppl_act")):
        assert f"{r['law']['article']}第{int_to_kanji(r['matched_paragraph'])}項" in r["citation"]["law_ref"], r["id"]


def test_a_result_line_names_the_paragraph_once(client, engine):
    """The citation on the result line already names the matched 項; the line must not say it a second way."""
    import html
    import re

    page = html.unescape(client.get("/search?q=地域再生計画の区域 計画期間&mode=keyword&kind=article").get_data(as_text=True))
    lines = re.findall(r'<p class="result-section">(.*?)</p>', page, flags=re.S)
    assert any("第五条第二項" in line for line in lines)
    for line in lines:
        assert "項に一致" not in line and len(re.findall(r"第[一二三四五六七八九十]+項", line)) <= 1, line
