"""Citations become typed links both ways: statute → statute, and the seed's policy text → the statute."""

from __future__ import annotations

import pytest

from indexer.corpus import load_corpus


@pytest.fixture(scope="module")
def links():
    return load_corpus().links_both_ways()


def test_the_comparison_table_cites_the_creation_law_article_1(links):
    # 「まち・ひと・しごと創生法第１条」 in the seed (full-width digit) → the kanji article 第一条.
    assert ("cites", "law-426ac0000000136-art1") in links["cmp-purpose"]
    assert ("cited_by", "cmp-purpose") in links["law-426ac0000000136-art1"]


def test_statutes_cite_across_laws_and_are_cited_back(links):
    # 地域再生法 第五条 cites まち・ひと・しごと創生法 第九条 and 第十条 (地方版総合戦略).
    art5 = links["law-417ac0000000024-art5"]
    assert ("cites", "law-426ac0000000136-art9") in art5 and ("cites", "law-426ac0000000136-art10") in art5
    assert ("cited_by", "law-417ac0000000024-art5") in links["law-426ac0000000136-art10"]


def test_no_record_cites_itself_and_every_target_exists(links):
    ids = set(links)
    for rid, pairs in links.items():
        for link_type, other in pairs:
            if link_type in ("cites", "cited_by"):
                assert other != rid
                assert other in ids or other.startswith("law-"), (rid, other)


def test_record_page_shows_both_directions(client):
    html = client.get("/records/law-426ac0000000136-art1").get_data(as_text=True)
    assert "この条を引用している条文・施策" in html and "/records/cmp-purpose" in html
    html = client.get("/records/cmp-purpose").get_data(as_text=True)
    assert "この記録が引用している条文" in html and "/records/law-426ac0000000136-art1" in html
