"""Law answers on the query side (issue 19): law intent, legal vocabulary, the law not held.

Over the session's real index and model (tests/conftest.py `engine`): the regional collection, with
its 21 statutes and no 全法令.
"""

from __future__ import annotations

import pytest

from indexer.search.filters import Filters
from indexer.search.fusion import LAW_INTENT, interleave_articles
from indexer.search.law_names import find_law
from indexer.search.plan import law_intent
from indexer.text.analysis import analyze
from indexer.text.legal_vocabulary import SYNONYMS, LegalVocabulary, parse_definitions, read_synonyms


def _intent(q: str):
    return law_intent(q, tuple(analyze(q)))


# -- intent ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, cue", [
    ("地域再生計画の認定の根拠となる条文", "根拠"),
    ("副業で組合の仕事を手伝ってもいいか", "てもいい"),
    ("空き家の所有者を調べることはできるか", "できるか"),
    # permission and duty asked in plain sentences
    ("市が税金の記録を使ってよいのか", "てよいの"),
    ("町は特別にお金を借りられるのか", "られるのか"),
    ("職員が休みの日に農家を手伝うのは許されるのか", "許され"),
    ("何日以内に役所に知らせないといけないのか", "ないといけない"),
])
def test_wording_that_asks_about_law(query, cue):
    intent = _intent(query)
    assert intent.asks and cue in intent.cues


@pytest.mark.parametrize("query, cue", [("空き家に入って調べるときの手続", "手続"), ("住民監査請求の期限", "期限")])
def test_weak_cues_do_not_ask_outright(query, cue):
    """手続・期限 are as common in policy questions (行政手続のオンライン化): the 条文 group only."""
    intent = _intent(query)
    assert cue in intent.weak and not intent.asks


def test_a_policy_question_does_not_ask_about_law():
    for q in ("交通空白 対策", "スマート農業を進める施策は？", "島根県の好事例", "関係人口 延べ人数 目標"):
        assert not _intent(q).asks, q


def test_laws_and_articles_named():
    assert _intent("過疎法で使える借金").laws == ("過疎法",)
    assert _intent("地域再生法第五条の認定").laws == ("地域再生法",)
    assert _intent("地域再生法第五条の認定").articles == ("第五条",)
    assert _intent("地方自治法施行令の規定").laws == ("地方自治法施行令",)
    # 方法, 手法 and 「新しい法」 name no law
    assert _intent("申請の方法と手法").laws == ()
    assert _intent("新しい法を作る").laws == ()


def test_find_law_reads_abbreviations_and_keeps_to_acts():
    titles = ["空家等対策の推進に関する特別措置法", "地域再生法", "過疎地域の持続的発展の支援に関する特別措置法施行令"]
    assert find_law("空家法", titles) == "空家等対策の推進に関する特別措置法"
    assert find_law("地域再生法", titles) == "地域再生法"
    # The cabinet order under a law does not stand for the law itself.
    assert find_law("過疎法", titles) is None
    assert find_law("過疎地域の持続的発展の支援に関する特別措置法施行令", titles) is not None


def test_interleave_puts_articles_at_one_three_five():
    ranked = [(i, 1.0) for i in ("p1", "p2", "a1", "p3", "a2", "a3", "a4")]
    out = [i for i, _ in interleave_articles(ranked, {"a1", "a2", "a3", "a4"}, 3)]
    assert out == ["a1", "p1", "a2", "p2", "a3", "p3", "a4"]
    # Articles already higher stay; a list of articles only (a filter on 条文) is unchanged.
    ranked = [(i, 1.0) for i in ("a1", "a2", "p1", "p2", "a3")]
    assert [i for i, _ in interleave_articles(ranked, {"a1", "a2", "a3"}, 3)] == ["a1", "a2", "p1", "p2", "a3"]
    only = [(f"a{n}", 1.0) for n in range(6)]
    assert interleave_articles(only, {i for i, _ in only}, 3) == only


def test_a_question_about_law_gets_articles_in_its_top_five(engine):
    ranking = engine.rank("市町村が地域再生計画を作るときの法律上の手続き", "hybrid", Filters())
    assert ranking.info.law_reason == "cue"
    top = [engine.record(i) for i in ranking.ids[:5]]
    assert sum(r["kind"] == "article" for r in top) >= LAW_INTENT["cue_articles"]
    assert any(r["law"]["law_title"] == "地域再生法" for r in top if r["kind"] == "article")


def test_a_policy_question_keeps_its_policy_answers(engine):
    ranking = engine.rank("交通空白 対策", "hybrid", Filters())
    assert ranking.info.law_reason is None
    assert engine.record(ranking.ids[0])["kind"] != "article"
    assert "交通空白" in engine.record(ranking.ids[0])["title"]


def test_the_article_group_in_the_json(engine):
    data = engine.search("地域再生計画の認定の根拠となる条文").as_dict()
    group = next(g for g in data["groups"] if g["name"] == "articles")
    assert group["label"] == "条文" and group["reason"] == "cue"
    assert group["results"] and all(r["kind"] == "article" for r in group["results"])
    assert all(r["fused_rank"] >= 1 for r in group["results"])
    assert engine.search("交通空白 対策").as_dict()["groups"] == []


# -- vocabulary -----------------------------------------------------------------------------------

def test_sudachi_synonyms_are_read_as_documented():
    groups = read_synonyms(SYNONYMS)
    assert any("申請" in g for g in groups["届出"])
    # 用言 are left out (違う → 異なる says nothing of statute terms)
    assert "違う" not in groups


def test_definitions_are_parsed_from_the_statutes(engine):
    articles = [(r["title"], r["text"]) for r in engine.records
                if r["kind"] == "article" and r["law"]["law_title"] == "地方自治法"]
    terms = {d.term for d in parse_definitions(articles)}
    assert {"自治事務", "財産", "債権"} <= terms


def test_plain_words_gain_statute_terms_shown_in_the_reasons(engine):
    q = "空き家の持ち主を探すことはできるか"
    plan = engine.plan(q)
    assert any(e.plain == "持ち主" and "所有者" in e.terms for e in plan.expansions)
    # The semantic side reads the thesaurus's terms only.
    assert "所有者" not in plan.semantic_text
    data = engine.search(q).as_dict()
    shown = [e for r in data["results"] for e in (r["why"].get("keyword") or {}).get("expansions", [])]
    assert "持ち主 → 所有者" in shown


def test_the_issues_pairs_expand(engine):
    plan = engine.plan("村の借金はできるか")
    pairs = {(e.plain, t) for e in plan.expansions for t in e.terms}
    assert ("借金", "地方債") in pairs and ("村", "市町村") in pairs
    # 村 is a whole word: 山村 does not become 市町村
    assert not any(e.plain == "村" for e in engine.plan("山村の振興の根拠").expansions)
    # A weak cue (手続) does not bring statute terms either.
    assert not any(e.plain == "借金" for e in engine.plan("村の借金の手続").expansions)
    # A question whose wording is not about law keeps its words (a policy question about moving).
    assert not any(e.plain == "借金" for e in engine.plan("村の借金").expansions)


def test_a_pair_matches_a_verb_in_any_form(engine):
    """借りる → 地方債 whatever the verb's ending (Sudachi's dictionary form), as 引っ越す does."""
    for q in ("市役所がお金を借りて事業をしてよいのか", "町は特別にお金を借りられるのか"):
        pairs = {(e.plain, t) for e in engine.plan(q).expansions for t in e.terms}
        assert ("借りる", "地方債") in pairs, q
    # Lending is not borrowing: 貸す gains no 地方債.
    assert not any("地方債" in e.terms for e in engine.plan("施設を貸してよいのか").expansions)


def test_the_vocabulary_scans_the_statutes_only_for_words_of_the_dictionary(engine):
    """Words a client invents expand to nothing and leave nothing behind: what the vocabulary keeps
    per word is bounded by the synonym dictionary, not by what is sent."""
    vocab = LegalVocabulary.from_articles([(r["title"], r["text"]) for r in engine.records if r["kind"] == "article"])
    vocab.warm()
    invented = [f"ズモルカ{n}ペルト" for n in range(50)]
    for word in invented:
        q = f"{word}の手続はできるか"
        assert not [e for e in vocab.expand(q, tuple(analyze(q))) if e.plain not in ("手続", "手続き")]
    assert not set(vocab._counts) & {t.surface for w in invented for t in analyze(w)}
    # A plain word of the dictionary still gains its statute terms (届け出 → 届出・申請…).
    q = "持ち主の届け出はできるか"
    assert any(e.plain == "持ち主" and "所有者" in e.terms for e in vocab.expand(q, tuple(analyze(q))))
    assert "持ち主" in vocab._counts


# -- the law not held -------------------------------------------------------------------------------

def test_missing_law_in_the_json(engine):
    data = engine.search("過疎法で使える特別な借金").as_dict()
    [missing] = data["missing_laws"]
    assert missing["name"] == "過疎法" and missing["held_in"] == [] and missing["laws_ingested"] is False
    assert "全法令" in missing["note"] and "登録されていません" in missing["note"]
    assert "policykb" not in missing["note"] and "`" not in missing["note"]


def test_a_held_law_is_not_missing(engine):
    for q in ("空家法の代執行", "地域再生法の認定", "山村振興法はいつまで"):
        assert engine.search(q).as_dict()["missing_laws"] == [], q


def test_missing_law_on_the_page(client):
    page = client.get("/search", query_string={"q": "過疎法で使える特別な借金"}).get_data(as_text=True)
    assert "「過疎法」は検索した資料（地域政策）にありません。" in page
    assert "全法令（すべての法令）はこのサーバーに登録されていません" in page
    api = client.get("/api/search", query_string={"q": "過疎法で使える特別な借金"}).get_json()
    assert api["missing_laws"][0]["name"] == "過疎法"


# -- the harness ------------------------------------------------------------------------------------

def test_eval_reads_collection_and_also_articles(settings, tmp_path, capsys):
    """`policykb eval`: an article accepted by `also_articles` hits whatever its text; a question
    whose collection is `laws` is reported as not held on a server without 全法令."""
    import json

    from policykb.cli import main

    gold = tmp_path / "gold.jsonl"
    rows = [
        # expect is text no record holds: only the article identity can make it hit
        {"id": "x1", "query": "地域再生計画の認定", "category": "lookup", "expect": "（ない文字列）",
         "law_id": "417AC0000000024", "law_title": "地域再生法", "article": "第九十九条",
         "also_articles": ["第五条"], "collection": "regional", "split": "test"},
        {"id": "x2", "query": "住民票の写しの交付", "category": "plain", "expect": "住民票の写し",
         "law_id": "342AC0000000081", "law_title": "住民基本台帳法", "article": "第十二条",
         "collection": "laws", "split": "test"},
    ]
    gold.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    assert main(["--corpus", str(settings.corpus_dir), "--index-dir", str(settings.index_dir),
                 "eval", str(gold), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["hybrid"]["overall"]["n"] == 1 and report["hybrid"]["not_held"] == ["x2"]
    assert report["hybrid"]["overall"]["recall@5"] == 1.0


def test_warm_reads_the_laws_a_record_page_s_basis_suggestions_read(engine):
    """After the server's warm-up the first record page does not read the statutes' definitions."""
    from indexer.search.basis import law_shelf

    engine.warm()
    shelf = law_shelf(engine)
    assert len(shelf.regional) >= 21
    assert set(shelf._regional_definitions) == set(shelf.regional)
    assert shelf._regional_definitions["417AC0000000024"]  # 地域再生法 defines its terms
