"""全法令's keyword query leaves out the phrase clauses that match no unit, and finds the same hits.

A phrase clause that matches nothing adds nothing to any score, but it kept tantivy intersecting
every word's positions under the union of the term lists (indexer.index.keyword_index.text_query).
"""

from __future__ import annotations

import json
from pathlib import Path

import tantivy

from indexer.index.keyword_index import TEXT_FIELDS, text_query

GOLD = Path(__file__).resolve().parents[1] / "gold" / "statutes.jsonl"


def _hits(index, query) -> list[tuple[float, int, int]]:
    return [(score, a.segment_ord, a.doc) for score, a in index.searcher.search(query, limit=1000, count=False).hits]


def _phrases(index, plan) -> list[bool]:
    """Whether each phrase clause text_query makes for the plan matches a unit (title and body, A and C)."""
    out = []
    for mode in "AC":
        words = [t.term.replace(" ", "_") for t in plan.tokens if t.mode == mode]
        if len(words) > 1:
            for field in (f for f in TEXT_FIELDS if f != "context"):
                phrase = tantivy.Query.phrase_query(index.schema, f"{field}_{mode.lower()}", words, slop=1)
                out.append(bool(index.searcher.search(phrase, limit=1, count=False).hits))
    return out


def test_phrases_matching_nothing_are_left_out_with_the_same_hits(laws_engine):
    index = laws_engine.collections["laws"].index
    questions = [json.loads(line)["query"] for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()][:25]
    # Titles of units, so that some phrases do match (a title's words in a row are its title_a phrase).
    some = index.searcher.search(tantivy.Query.all_query(), limit=400, count=False).hits[::40]
    titles = [t for t in (index.record(index.searcher.doc(a)["id"][0])["title"] for _, a in some) if len(t) > 6]
    matched = unmatched = 0
    for query in questions + titles:
        plan = laws_engine.plan(query)
        phrases = _phrases(index, plan)
        matched += sum(phrases)
        unmatched += phrases.count(False)
        whole = text_query(index.schema, list(plan.tokens), list(plan.extra))
        pruned = text_query(index.schema, list(plan.tokens), list(plan.extra), searcher=index.searcher)
        assert _hits(index, pruned) == _hits(index, whole), query
    assert matched and unmatched  # both branches were taken


def test_the_collections_keyword_list_is_unchanged_by_the_pruning(laws_engine):
    """CollectionIndex.keyword (what a search asks: the pruned text query, unwrapped without a facet) gives
    the hits of the whole query inside a Must clause (as it was asked before), in order, with their scores."""
    index = laws_engine.collections["laws"].index
    for line in GOLD.read_text(encoding="utf-8").splitlines()[:20]:
        plan = laws_engine.plan(json.loads(line)["query"])
        got = index.keyword(list(plan.tokens), list(plan.extra), list(plan.concepts), {}, 150)
        whole = tantivy.Query.boolean_query([(tantivy.Occur.Must, text_query(index.schema, list(plan.tokens),
                                                                              list(plan.extra)))])
        expected = [(index.searcher.doc(a)["id"][0], score)
                    for score, a in index.searcher.search(whole, limit=150, count=False).hits]
        assert [(h.id, h.score) for h in got] == expected


def test_window_tokens_are_the_window_s_analysis_at_the_text_s_offsets():
    from indexer.search.collection import UNIT_WINDOW, window_start, window_tokens
    from indexer.text.analysis import Token, analyze

    text = ("地域の活性化を図るため、計画の認定その他の措置を講ずる。" * 20
            + "特定地域づくり事業協同組合の認定の有効期間は三年とする。" + "補助金を交付する。" * 30)
    for needles in (frozenset({"協同組合"}), frozenset({"措置"}), frozenset({"見当たらない語"})):
        start = window_start(text, needles)
        got = window_tokens(text, needles)
        assert got == [Token(t.term, t.surface, t.start + start, t.end + start, t.mode)
                       for t in analyze(text[start:start + UNIT_WINDOW])]
        assert all(type(t) is Token and text[t.start:t.end] == t.surface for t in got)
    assert window_start(text, frozenset({"協同組合"})) > 0 and window_start(text, frozenset({"措置"})) == 0


def test_the_article_group_shows_what_the_page_shows_of_the_same_article(laws_engine):
    """The 条文 group's snippet of an article on the page comes from the page's analysis of it."""
    from indexer.search.filters import Filters

    seen = 0
    for line in GOLD.read_text(encoding="utf-8").splitlines()[:15]:
        resp = laws_engine.search(json.loads(line)["query"], mode="hybrid", filters=Filters(collection=("laws",)))
        page = {r["id"]: r for r in resp.results}
        for group in resp.groups:
            for item in group["results"]:
                if item["id"] in page:
                    seen += 1
                    assert (item["snippet"], item["highlights"]) == (page[item["id"]]["snippet"],
                                                                     page[item["id"]]["highlights"])
    assert seen


def test_a_frozen_heap_is_out_of_the_collector_s_reach_and_answers_the_same(laws_engine):
    import gc

    from indexer.search.budget import freeze_heap
    from indexer.search.filters import Filters

    only_laws = Filters(collection=("laws",))
    before = laws_engine.search("補助金の交付の決定", mode="keyword", filters=only_laws).as_dict()
    freeze_heap()
    try:
        assert gc.get_freeze_count() > 0
        assert not any(o is laws_engine for o in gc.get_objects())  # frozen: no collection walks it
        after = laws_engine.search("補助金の交付の決定", mode="keyword", filters=only_laws).as_dict()
        before.pop("took_ms"), after.pop("took_ms")
        assert after == before
    finally:
        gc.unfreeze()  # the rest of the test session as it was


def test_a_unit_s_window_is_analysed_once_per_place_and_forgotten_on_clear(laws_engine, monkeypatch):
    from indexer.search.collection import window_start, window_tokens

    laws = laws_engine.collections["laws"]
    laws.clear_caches()
    plan = laws_engine.plan("補助金の交付の決定")
    hits = laws.index.keyword(list(plan.tokens), list(plan.extra), list(plan.concepts), {}, 150)
    long_unit = next(h.id for h in hits if window_start(laws.record(h.id)["text"], plan.needles) > 0)
    text = laws.record(long_unit)["text"]
    first = laws.text_tokens(long_unit, plan.needles)
    assert first == window_tokens(text, plan.needles)
    assert laws.text_tokens(long_unit, plan.needles) is first  # the same window: kept
    other = laws.text_tokens(long_unit, frozenset())  # another place in the text: its own window
    assert other == window_tokens(text, frozenset()) and other is not first
    laws.clear_caches()
    assert laws.text_tokens(long_unit, plan.needles) is not first
    # Bounded: past its limit (WINDOW_CACHE), the least recently used window goes.
    from indexer.lru import BoundedCache

    monkeypatch.setattr(laws, "_windows", BoundedCache(3))
    kept = [laws.text_tokens(h.id, plan.needles) for h in hits[:4]]
    assert len(laws._windows) == 3
    assert laws.text_tokens(hits[0].id, plan.needles) is not kept[0]
    assert laws.text_tokens(hits[3].id, plan.needles) is kept[3]
