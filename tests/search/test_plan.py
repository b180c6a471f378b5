"""The query plan: one Sudachi pass on the query, each thesaurus string analysed once per process."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.search.plan import QueryPlanner
from indexer.text import analysis
from indexer.text.analysis import analyze
from indexer.text.thesaurus import load_thesaurus

THESAURUS = Path(__file__).resolve().parents[2] / "corpus" / "thesaurus.yaml"


@pytest.fixture()
def counted(monkeypatch) -> list[str]:
    """Every text Sudachi tokenizes, in order."""
    seen: list[str] = []
    original = analysis._tokenizer

    class Counting:
        def __init__(self, inner):
            self.inner = inner

        def tokenize(self, text, *args):
            seen.append(text)
            return self.inner.tokenize(text, *args)

    monkeypatch.setattr(analysis, "_tokenizer", lambda: Counting(original()))
    return seen


def test_each_expansion_term_alone_gives_the_tokens_of_all_joined():
    """Why the plan may analyse each thesaurus term alone (and once per process): over the whole
    thesaurus, the terms analysed one by one give the very tokens of one pass over them joined."""
    th = load_thesaurus(THESAURUS)
    for _, terms in th.entries:
        assert [t.term for t in analyze(" ".join(terms), "C")] == \
            [t.term for term in terms for t in analyze(term, "C")], terms


def test_a_plan_analyses_the_query_once(counted):
    planner = QueryPlanner(load_thesaurus(THESAURUS))
    q = "お年寄りが病院に行く足がない"
    first = planner.plan(q)
    assert first.expansions, "the thesaurus should rewrite お年寄り"
    counted.clear()
    second = planner.plan(q)
    assert counted == [q]  # the thesaurus strings were analysed by the first plan, once
    assert second == first


def test_plan_contents():
    planner = QueryPlanner(load_thesaurus(THESAURUS))
    plan = planner.plan("お年寄りの買い物")
    plains = {e.plain for e in plan.expansions}
    assert "お年寄り" in plains
    terms = [t for e in plan.expansions for t in e.terms]
    # The semantic side reads the query with its expansion terms in brackets.
    assert plan.semantic_text == f"お年寄りの買い物（{'、'.join(terms)}）"
    # One concept per expansion (its plain words and its terms), one per other query word.
    expansion_concept = next(c for c in plan.concepts if len(c) > 1)
    assert {t.term for t in analyze(terms[0], "C")} <= expansion_concept
    assert plan.form("ｶﾞｲﾄﾞ") == "ガイド"
    unexpanded = planner.plan("お年寄りの買い物", expand=False)
    assert unexpanded.expansions == () and unexpanded.semantic_text == "お年寄りの買い物"
