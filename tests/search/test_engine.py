"""The search engine over a real index (tantivy + the converted e5 model), built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.search.engine import EXPORT_MAX_K
from indexer.search.filters import MAX_QUERY_CHARS, parse_filters
from indexer.errors import QueryError
from indexer.evaluation.metrics import evaluate, load_gold
from indexer.search import Filters
from indexer.text.normalize import normalize_for_match

REPO = Path(__file__).resolve().parents[2]


def ids(resp) -> list[str]:
    return [r["id"] for r in resp.results]


def test_rare_exact_terms_come_first_in_keyword_and_hybrid(engine):
    for mode in ("keyword", "hybrid"):
        assert ids(engine.search("RESAS", mode=mode))[0] == "role-state-2"
        top = engine.search("レビキャリ", mode=mode).results[0]
        assert "レビキャリ" in top["text"]


def test_numbers_match_across_formats(engine):
    a = ids(engine.search("3800億円", mode="keyword"))
    b = ids(engine.search("3,800億円", mode="keyword"))
    assert a[:3] == b[:3]
    assert any("3,800億円" in engine.record(i)["text"] for i in a[:3])


def test_versions_stay_apart(engine):
    top = engine.search("地方創生1.0", mode="keyword", filters=Filters(kind=("comparison",))).results[0]
    assert top["era"] == "1.0"
    top2 = engine.search("地方創生２．０ 基本構想", mode="keyword", filters=Filters(kind=("comparison",))).results[0]
    assert top2["era"] == "2.0"


def test_half_width_source_is_found_and_highlighted_from_full_width_query(engine):
    resp = engine.search("地方イノベーション創生構想", mode="keyword", k=20)
    hit = next(r for r in resp.results if r["id"] == "cmp-methods-2.0")
    marked = [hit["snippet"][s:e] for s, e in hit["highlights"]]
    assert any("ｲﾉﾍﾞｰｼｮﾝ" in m for m in marked), marked


def test_paraphrase_reaches_the_measure(engine):
    resp = engine.search("お年寄りが田舎に引っ越して元気に暮らせる場所", mode="hybrid", k=5)
    assert "measure-1-ccrc" in ids(resp)


def test_query_syntax_is_just_text(engine):
    plain = ids(engine.search("交通空白", mode="keyword"))
    for q in ['"交通空白"', "交通空白 AND (", "title:交通空白", "交通空白*", "交通空白 -", "交通空白 OR NOT"]:
        assert ids(engine.search(q, mode="keyword"))[:3] == plain[:3], q


def test_filters_restrict_every_mode(engine):
    f = Filters(kind=("case",), prefecture=("島根県",))
    for mode in ("keyword", "semantic", "hybrid"):
        resp = engine.search("まちづくり", mode=mode, k=20, filters=f)
        assert resp.results
        for r in resp.results:
            prefs = [r["place"]["prefecture"], *r["place"]["prefectures"]]
            assert r["kind"] == "case" and "島根県" in prefs
    years = engine.search("目標", mode="hybrid", k=50, filters=Filters(deadline_from=2030, deadline_to=2030))
    assert years.results and all(any(t.get("deadline_year") == 2030 for t in r["targets"]) for r in years.results)


def test_results_explain_why_and_cite(engine):
    r = engine.search("交通空白", mode="hybrid").results[0]
    assert r["why"]["fused_rank"] == 1
    assert "keyword" in r["why"] and r["why"]["keyword"]["terms"]
    assert "semantic" in r["why"] and 0 < r["why"]["semantic"]["similarity"] <= 1
    assert r["citation"]["text"] and r["citation"]["section"]
    expanded = engine.search("路線バスがなくなった", mode="hybrid").results[0]
    assert expanded["why"]["expansions"]


def test_facet_counts_add_up(engine):
    resp = engine.search("交通", mode="keyword", k=100)
    assert sum(resp.facets["kind"].values()) == resp.total


@pytest.mark.parametrize("query, mode, k", [("", "hybrid", 10), ("   ", "hybrid", 10), ("x" * (MAX_QUERY_CHARS + 1), "hybrid", 10),
                                            ("交通", "fuzzy", 10), ("交通", "hybrid", 0), ("交通", "hybrid", EXPORT_MAX_K + 1)])
def test_bad_queries_are_refused_with_a_message(engine, query, mode, k):
    with pytest.raises(QueryError) as exc:
        engine.search(query, mode=mode, k=k)
    assert str(exc.value)


def test_long_query_within_the_limit_works(engine):
    q = ("人口減少が進む地域で交通と買物をどう維持するか。" * 40)[:MAX_QUERY_CHARS]
    assert engine.search(q, mode="hybrid").results


@pytest.mark.parametrize("kwargs, valid", [({"kind": "policy"}, "measure"), ({"era": "3.0"}, "kaizoron"),
                                           ({"pillar": "9"}, "1, 2, 3, 4, 5"), ({"prefecture": "アトランティス"}, "47"),
                                           ({"deadline_year": "来年"}, "2030")])
def test_unknown_filter_values_name_the_valid_ones(kwargs, valid):
    with pytest.raises(QueryError) as exc:
        parse_filters(kwargs)
    assert valid in str(exc.value)


def test_gold_set_hybrid_beats_every_single_system(engine):
    from indexer.evaluation.baseline import TrigramBaseline

    gold = load_gold(REPO / "tests" / "gold" / "queries.jsonl")
    assert len(gold) >= 60
    text = {r["id"]: r["title"] + r["text"] for r in engine.records}

    def system(mode):
        return lambda q: [text[i] for i, _ in engine.rank(q, mode, Filters()).hits[:10]]

    base = TrigramBaseline(engine.records)
    report = evaluate(gold, {m: system(m) for m in ("hybrid", "keyword", "semantic")}
                      | {"fts5": lambda q: [text[i] for i in base.search(q, 10)]})
    hybrid = report["hybrid"]["overall"]
    assert hybrid["recall@5"] >= 0.95
    assert report["hybrid"]["by_category"]["paraphrase"]["recall@5"] >= 0.85
    for other in ("keyword", "semantic", "fts5"):
        assert hybrid["recall@5"] >= report[other]["overall"]["recall@5"], other
        assert hybrid["mrr@10"] > report[other]["overall"]["mrr@10"], other


def test_every_gold_expectation_exists_in_some_record(engine):
    hay = [normalize_for_match(r["title"] + r["text"]) for r in engine.records]
    for g in load_gold(REPO / "tests" / "gold" / "queries.jsonl"):
        assert any(normalize_for_match(e) in h for e in g.expect for h in hay), g.id


def test_a_facet_count_is_what_the_filter_returns(engine):
    for mode in ("hybrid", "semantic", "keyword"):
        resp = engine.search("交通空白", mode=mode, k=100)
        for kind, count in resp.facets["kind"].items():
            assert engine.search("交通空白", mode=mode, k=100, filters=Filters(kind=(kind,))).total == count, (mode, kind)


def test_hybrid_says_how_many_results_contain_the_query_words(engine):
    resp = engine.search("RESAS", mode="hybrid")
    assert resp.keyword_matches == len(engine.search("RESAS", mode="keyword", k=100).results) >= 1
    assert resp.total >= resp.keyword_matches
