"""Bounded cost per request: the cap on a query's words and the work budget of a search (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.search.plan import ANALYSE_FIRST, MAX_QUERY_WORDS, QueryPlanner, analyse_capped, cap_tokens
from indexer.text.analysis import analyze
from indexer.text.thesaurus import load_thesaurus

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "gold" / "queries.jsonl"


def gold_words() -> list[str]:
    return [w for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()
            for w in json.loads(line)["query"].split()]


def long_query(chars: int = 990) -> str:
    """Gold query words joined until `chars`, as scripts/bench_http's expensive clients send."""
    out, words = "", gold_words()
    i = 0
    while len(out) < chars:
        out += words[i % len(words)] + " "
        i += 1
    return out[:chars]


def distinct_c_terms(tokens) -> list[str]:
    return list(dict.fromkeys(t.term for t in sorted(tokens, key=lambda t: t.start) if t.mode == "C"))


def test_a_query_within_the_cap_is_analysed_whole_and_nothing_is_cut():
    q = "近所を走っていた路線バスが廃止されて、お年寄りが病院に行けない"
    tokens, cut_at = analyse_capped(q)
    assert cut_at is None
    assert tokens == tuple(analyze(q))


def test_every_gold_query_is_within_the_cap():
    """The cap leaves today's answers alone: no gold query has as many different words."""
    planner = QueryPlanner(load_thesaurus(ROOT / "corpus" / "thesaurus.yaml"))
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if line.strip():
            assert planner.plan(json.loads(line)["query"]).cut_at is None


def test_the_cap_keeps_the_first_words_and_says_where_the_rest_begins():
    q = long_query()
    full = tuple(analyze(q))
    words = distinct_c_terms(full)
    assert len(words) > MAX_QUERY_WORDS
    kept, cut_at = cap_tokens(full)
    assert distinct_c_terms(kept) == words[:MAX_QUERY_WORDS]
    # The first word left out begins at the cut, and no token kept reaches past it.
    first_out = next(t for t in sorted(full, key=lambda t: t.start)
                     if t.mode == "C" and t.term == words[MAX_QUERY_WORDS])
    assert first_out.start == cut_at
    assert all(t.end <= cut_at for t in kept)


def test_a_long_query_is_analysed_on_its_head_with_the_same_words_kept():
    q = long_query()
    assert len(q) > ANALYSE_FIRST
    head_tokens, head_cut = analyse_capped(q)
    full_tokens, full_cut = cap_tokens(tuple(analyze(q)))
    assert head_cut == full_cut
    assert [(t.term, t.start, t.mode) for t in head_tokens] == [(t.term, t.start, t.mode) for t in full_tokens]


def test_the_plan_of_a_capped_query_searches_only_the_words_kept():
    planner = QueryPlanner(load_thesaurus(ROOT / "corpus" / "thesaurus.yaml"))
    q = long_query() + " お年寄り"  # a thesaurus phrase past the cap is not expanded
    plan = planner.plan(q)
    assert plan.cut_at is not None and 0 < plan.cut_at < len(q)
    assert len({t.term for t in plan.tokens if t.mode == "C"}) == MAX_QUERY_WORDS
    assert plan.semantic_text.startswith(q[:plan.cut_at].rstrip())
    assert "お年寄り" not in plan.semantic_text and all(e.plain != "お年寄り" for e in plan.expansions)


def test_the_engine_answer_says_which_part_of_the_query_was_left_out(engine):
    q = long_query()
    r = engine.search(q, mode="keyword")
    plan = engine.plan(q)
    assert r.cut["max_words"] == MAX_QUERY_WORDS
    assert r.cut["words_from"] == q[plan.cut_at:] and r.cut["chars"] == len(q) - plan.cut_at
    assert "reasons" not in r.cut  # no work budget outside the server
    assert engine.search("交通空白", mode="keyword").cut == {}


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_past_the_work_budget_the_page_comes_without_analysis_and_says_so(engine, monkeypatch, mode):
    whole = engine.search("交通空白", mode=mode)
    monkeypatch.setattr(engine, "work_budget_s", 0.0)
    cut = engine.search("交通空白", mode=mode)
    # The same ranking, scores and counts; only the analysis of each result is left out.
    assert [r["id"] for r in cut.results] == [r["id"] for r in whole.results]
    assert [r["score"] for r in cut.results] == [r["score"] for r in whole.results]
    assert cut.total == whole.total and cut.facets == whole.facets
    assert cut.cut == {"reasons": len(cut.results)}
    assert any(r["highlights"] for r in whole.results)
    for r in cut.results:
        assert r["highlights"] == []
        if "keyword" in r["why"]:
            assert "words" not in r["why"]["keyword"] and "rank" in r["why"]["keyword"]
    monkeypatch.setattr(engine, "work_budget_s", 60.0)
    assert engine.search("交通空白", mode=mode).results == whole.results
