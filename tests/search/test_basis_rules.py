"""The rules of indexer.search.basis that need no index: a measure's words against a law's title,
the statutes' own words from their definitions, e5 similarity as relative evidence, and which
instrument an article creates."""

from __future__ import annotations

from indexer.search.basis import (
    W_LAW_SIM,
    W_MECHANISM,
    _standing_words,
    defined_terms,
    instrument_weight,
    law_evidence,
    measure_terms,
    similarity_bonus,
    statute_words,
)
from indexer.text.definitions import read_definitions
from tests.fresh_python import last_line


def test_a_word_inside_a_phrase_counts_only_as_the_phrase_head():
    terms = measure_terms("再生可能エネルギーの導入による地域脱炭素の推進", "")
    # 再生 qualifies 再生可能エネルギー; it is not the 再生 of 地域再生法.
    assert "再生" not in _standing_words(terms, "地域再生法")
    assert "エネルギー" in _standing_words(terms, "エネルギーの使用の合理化等に関する法律")
    migration = measure_terms("地方移住の更なる促進・二地域居住の促進", "")
    # 移住 is what 地方移住 names (the head of the compound).
    assert "移住" in _standing_words(migration, "山村振興法 移住の促進")


def test_the_statutes_own_word_shares_the_head_of_a_phrase():
    terms = measure_terms("地方移住の更なる促進・二地域居住の促進", "")
    text = ("ハ 特定居住（当該地域外に住所を有する者が定期的な滞在のため当該地域内に居所を定めることをいう。"
            "以下同じ。）のため必要な住宅")
    defined = [d.term for d in read_definitions(text)]
    assert defined == ["特定居住"]
    assert statute_words(terms, defined) == {"特定居住": "二地域居住"}
    # A head as general as 機能 or 社会 ties nothing: 本社機能 is not any 「…機能」 a law defines.
    hq = measure_terms("本社機能の地方分散", "")
    assert statute_words(hq, ["都市機能", "特定業務施設"]) == {}
    assert defined_terms("（以下「地域再生計画」という。）") == ["地域再生計画"]


def test_a_title_phrase_found_in_many_law_titles_weighs_less():
    terms = measure_terms("農林水産業の未来を創るスマート技術の開発・普及促進", "")
    rare = law_evidence("X", "農林水産業振興法", "", terms, set(), spread=lambda _: 1)
    common = law_evidence("X", "農林水産業振興法", "", terms, set(), spread=lambda _: 9)
    assert rare.score > common.score > 0
    assert rare.phrase and "法律名が施策の「農林水産業」を扱う" in rare.reasons


def test_a_named_law_is_evidence_in_words():
    terms = measure_terms("地域再生の推進", "地域再生法に基づく計画")
    ev = law_evidence("417AC0000000024", "地域再生法", "", terms, {"地域再生法"})
    assert ev.phrase and ev.reasons[0] == "施策が名指しする法律（地域再生法）"


def test_similarity_is_evidence_only_relative_to_the_laws_compared():
    # A narrow band, as e5 gives: the law far above the median gets the whole weight, one below loses.
    sims = {"a": 0.930, "b": 0.876, "c": 0.870, "d": 0.866, "e": 0.850}
    bonus = similarity_bonus(sims)
    assert bonus["a"] == W_LAW_SIM
    assert bonus["c"] == 0.0 and bonus["e"] < 0 < bonus["b"] < bonus["a"]
    # Too few laws to have a median: no evidence either way.
    assert similarity_bonus({"a": 0.9, "b": 0.8}) == {"a": 0.0, "b": 0.0}


def test_a_plan_certified_outweighs_an_exception_to_another_law():
    assert instrument_weight("生産方式革新実施計画の認定", "計画") > W_MECHANISM
    assert instrument_weight("供給促進交付金の交付", "交付金") > W_MECHANISM
    assert instrument_weight("株式会社日本政策金融公庫法の特例", "特例") < W_MECHANISM


def test_a_thesaurus_entry_about_one_phrase_lends_its_words_to_definitions():
    from indexer.search.basis import mechanism_keys
    from indexer.text.thesaurus import Thesaurus

    thesaurus = Thesaurus(((("本部", "本店", "本社"), ("本社機能",)), (("介護", "福祉"), ("地域共生社会", "相談支援"))))
    hq = mechanism_keys(measure_terms("本社機能の地方分散", ""), thesaurus)
    assert hq["本社機能"] == "本社機能" and hq["本店"] == "本社機能"
    # An entry that names a field (two statute terms) lends nothing: 介護 opens dozens of definitions.
    inclusive = mechanism_keys(measure_terms("包摂的な地域共生社会の実現", ""), thesaurus)
    assert "介護" not in inclusive and inclusive.get("地域共生社会") == "地域共生社会"


def test_a_measure_s_name_phrases_come_in_one_order_in_every_process(monkeypatch):
    # Which phrase a reason names (生涯活躍 or 生涯活躍のまち) followed a frozenset's order, which
    # follows the strings' hashes: another process, another reason for the same measure.
    name = "全世代・全員活躍型「生涯活躍のまち」（日本版ＣＣＲＣ）2.0の展開"
    code = ("from indexer.search.basis import measure_terms; "
            f"print(list(measure_terms({name!r}, '').title_phrases))")
    seen = set()
    for seed in ("1", "2", "3", "4"):
        monkeypatch.setenv("PYTHONHASHSEED", seed)
        seen.add(last_line(code))
    assert len(seen) == 1
    phrases = measure_terms(name, "").title_phrases
    assert "生涯活躍のまち" in phrases and len(phrases) >= 2
    assert [len(p) for p in phrases] == sorted((len(p) for p in phrases), reverse=True)  # the most specific first
