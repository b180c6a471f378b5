"""A measure's legal basis: articles that could ground it, apart from resolved references, labelled,
each with its evidence in words (indexer.search.basis)."""

from __future__ import annotations

import re

# Measures whose names and texts carry numbers (2.0, 2030年, 6,000万人, 2025): a reason must
# never rest on such a number, nor on 「等」.
MEASURES = ("measure-1-ccrc", "measure-2-inbound-tourism", "measure-1-transport-gaps")


def test_a_measure_gets_articles_of_its_own_scheme(engine):
    found = engine.suggest_articles("measure-1-ccrc")
    assert 1 <= len(found) <= 3
    assert all(s["record"]["kind"] == "article" and not s["record"]["law"]["suppl_act"] for s in found)
    # The law's own scheme for 生涯活躍のまち (地域再生法 第十七条の二十四), found by its caption, first;
    # all of that law (its other schemes may follow: an article beside the scheme, on proposals of the
    # plan, creates no instrument of its own).
    assert "生涯活躍のまち" in found[0]["record"]["title"]
    assert all(s["record"]["id"].startswith("law-417ac0000000024") for s in found)
    assert any(r.startswith("見出し") and "生涯活躍のまち" in r for r in found[0]["reasons"])


def test_reasons_are_words_never_a_number_or_等_alone(engine):
    seen = 0
    for rid in MEASURES:
        for s in engine.suggest_articles(rid):
            assert s["reasons"], s["record"]["id"]
            for reason in s["reasons"]:
                assert re.search(r"[ぁ-んァ-ヶ一-龠]{2}", reason), reason
                for quoted in re.findall(r"「([^「」]*)」", reason):
                    bare = quoted.rstrip("等")
                    assert bare and not re.fullmatch(r"[\d０-９.,．，%％]+", bare), reason
                seen += 1
    assert seen >= 6


def test_policy_words_alone_are_no_basis(engine):
    # 推進・支援・地域 are in every promotion law: they never count as evidence.
    from indexer.search.basis import evidence, measure_terms

    terms = measure_terms("地域の推進", "地域の取組を支援し、推進する。")
    article = engine.record("law-417ac0000000024-art5")
    score, reasons = evidence(article, terms, set())
    assert score == 0 and reasons == []


def test_articles_get_no_suggestions(engine):
    assert engine.suggest_articles("law-426ac0000000136-art1") == []


def test_the_record_page_shows_the_basis_apart_and_labelled(client):
    html = client.get("/records/measure-1-ccrc").get_data(as_text=True)
    assert "根拠となりうる条文（提案）" in html and "提案の理由" in html
    section = html.split('class="xref-group xref-suggested"')[1].split("</section>")[0]
    assert "/records/law-417ac0000000024-art17-2" in section
    assert "見出し「" in section


def test_the_api_gives_the_basis_with_its_reasons(client):
    data = client.get("/api/records/measure-1-ccrc").get_json()
    basis = data["basis"]
    assert basis and all(b["url"].startswith("/records/law-") and b["reasons"] for b in basis)
    assert all(isinstance(r, str) for b in basis for r in b["reasons"])
    page = client.get("/records/measure-1-ccrc").get_data(as_text=True)
    assert all(b["url"] in page for b in basis)  # the page shows what the JSON gives


def test_the_law_is_found_by_its_own_word_for_the_measure(engine):
    # 二地域居住 is 特定居住 in 広域的地域活性化法 (its definition, read as data): the law's plan for it
    # (第二十二条 特定居住促進計画, the article issue 19 names) comes first, with the reason in words.
    found = engine.suggest_articles("measure-3-migration")
    assert found and found[0]["record"]["id"] == "law-419ac0000000052-art22"
    assert any("「特定居住」" in r and "「二地域居住」" in r for r in found[0]["reasons"])
    assert all(s["record"]["id"].startswith("law-419ac0000000052") for s in found)


def test_nothing_is_suggested_on_weak_evidence(engine):
    # A measure no statute of the corpus is about (働き方・職場改革, a new council for 企業城下町):
    # no article shares more than a general word with it, so none is put forward.
    for rid in ("measure-1-workstyle-reform", "measure-1-company-town"):
        assert engine.suggest_articles(rid) == [], rid


def test_only_acts_main_provisions_are_suggested(engine):
    for rid in ("measure-1-transport-gaps", "measure-5-regional-plans", "measure-3-migration"):
        for s in engine.suggest_articles(rid):
            law = s["record"]["law"]
            assert "AC" in law["law_id"] and not law["suppl_act"], s["record"]["id"]


def test_a_definition_that_opens_with_the_measures_word_gives_the_statutes_own_word(engine):
    # 本社機能 is nowhere in 地域再生法; its 特定業務施設 is defined as 「本店又は主たる事務所その他の…業務施設」,
    # and the thesaurus gives 本店 for 本社機能: the article that creates the scheme for such offices is found.
    found = engine.suggest_articles("measure-3-hq-relocation")
    reasons = [r for s in found for r in s["reasons"]]
    assert any("「特定業務施設」は「本店」" in r and "本社機能" in r for r in reasons)
    assert any("特定業務施設" in s["record"]["law"]["caption"] for s in found)


def test_a_record_page_encodes_the_measure_and_no_law(engine):
    # The laws are compared by the vectors the build stored: no law's title and purpose is encoded.
    from indexer.search.basis import law_shelf, suggest_basis

    engine.embedder.clear_cache()
    shelf = law_shelf(engine)
    assert suggest_basis(engine, "measure-2-nature") is not None
    assert all(shelf.law_vector(lid) is not None for lid in shelf.regional)
    assert not [lid for lid in shelf.titles if engine.embedder.cached(shelf.profile(lid)) is not None]


def test_a_law_defining_a_term_on_the_measures_phrase_is_about_it(engine):
    # 地域再生法 defines 「生涯活躍のまち形成事業計画」: a scheme named after the measure's 生涯活躍のまち.
    from indexer.search.basis import defined_on_phrase, law_shelf, measure_terms

    rec = engine.record("measure-1-ccrc")
    shelf = law_shelf(engine)
    got = defined_on_phrase(shelf, measure_terms(rec["title"], rec["text"]), list(shelf.titles))
    term, phrase, weight = got["417AC0000000024"]
    assert "生涯活躍のまち" in term and phrase in term and weight == 1.0
    found = engine.suggest_articles("measure-1-ccrc")
    # An article beside the scheme (what to do when a proposed plan is not made) ranks below the scheme.
    ranks = [s["record"]["law"]["caption"] for s in found]
    assert "生涯活躍のまち形成事業計画の作成" in ranks[0]
