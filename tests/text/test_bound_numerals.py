"""A kanji numeral written as part of a word of a query (二地域居住) is not searched as a number."""

from __future__ import annotations

import pytest

from indexer.text.analysis import analyze
from indexer.text.bound_numerals import bound_numerals, without_bound_numerals


def _kept(query: str) -> list[str]:
    tokens = tuple(analyze(query))
    return [t.surface for t in without_bound_numerals(tokens, bound_numerals(query, tokens)) if t.mode == "C"]


@pytest.mark.parametrize("query, dropped", [
    ("二地域居住を進める", "二"), ("東京一極集中の是正", "一"), ("二拠点居住", "二"), ("三世代同居", "三"),
    ("二次交通の確保", "二"), ("一次産業の担い手", "一"), ("大学 一都三県 集中", "三"),
])
def test_a_numeral_inside_a_word_is_not_a_term(query, dropped):
    assert dropped not in _kept(query)
    assert len(_kept(query)) >= 2  # the rest of the word is still searched


@pytest.mark.parametrize("query, numeral", [
    ("三年以内に", "三"), ("十回目", "十"), ("地域再生法第五条第二項", "二"), ("二以上の市町村", "二"),
    ("第一次", "一"), ("二次的な", "二"), ("2地域居住", "2"), ("五か年計画", "五"), ("一の市町村", "一"),
])
def test_quantities_ordinals_and_digits_keep_their_number(query, numeral):
    assert numeral in _kept(query)


def test_the_pair_names_the_word_after_the_numeral():
    tokens = tuple(analyze("二地域居住"))
    assert {(t.term, after) for t, after in bound_numerals("二地域居住", tokens)} == {("2", "地域")}


def test_a_search_highlights_the_whole_word_and_no_article_number(engine):
    assert ("2", "地域") in engine.planner.plan("二地域居住の推進").bound_words
    res = engine.search("二地域居住の推進", mode="hybrid")
    shown = [(r, r["snippet"][a:b]) for r in res.results for a, b in r["highlights"]]
    assert any(word.startswith("二地域居住") for _, word in shown)
    # Before, every 二 of 第二十二条 or 第二項 in an article was highlighted as the query's "2".
    assert not [word for r, word in shown if word == "二"], shown
    assert all("2" not in r["why"].get("keyword", {}).get("terms", {}).get("body", []) for r in res.results)


def test_an_expansion_s_numeral_is_bound_too(engine):
    # 二拠点 expands to 二地域居住 (the thesaurus): its 二 is no lone "2" either.
    plan = engine.planner.plan("二拠点居住を支える住まい")
    assert any("二地域居住" in e.terms for e in plan.expansions)
    assert "2" not in plan.highlight_terms
    assert ("2", "地域") in plan.bound_words


def test_a_number_that_counts_is_still_searched(engine):
    res = engine.search("地域再生法第五条第二項", mode="keyword")
    assert res.results and any("2" in field for r in res.results[:5]
                               for field in r["why"].get("keyword", {}).get("terms", {}).values())
