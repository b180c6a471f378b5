"""Sudachi analysis, and its round trip through a real tantivy index (tantivy-py's pre-tokenized test as template)."""

from __future__ import annotations

import threading

import tantivy

from indexer.text.analysis import analyze, terms
from indexer.index.keyword_format import ANALYZER, register_analyzer


def test_width_and_orthographic_variants_give_one_term():
    assert terms("ｲﾉﾍﾞｰｼｮﾝ", "C") == terms("イノベーション", "C") == ["イノベーション"]
    assert terms("ＣＣＲＣ", "C") == terms("ccrc", "C") == terms("CCRC", "C") == ["ccrc"]
    assert terms("こども", "C") == terms("子ども", "C") == terms("子供", "C")
    assert terms("取組", "C") == terms("取り組み", "C")


def test_numbers_keep_their_surface_so_versions_differ():
    assert terms("地方創生2.0", "C") != terms("地方創生1.0", "C")
    assert terms("地方創生２．０", "C") == terms("地方創生2.0", "C")
    assert terms("3,800億円", "C") == terms("3800億円", "C")
    assert "10000000" not in terms("１０００万人", "C")


def test_offsets_point_into_the_original_text():
    text = "地方ｲﾉﾍﾞｰｼｮﾝ創生構想と都会の高齢者が地方に移り\n住む"
    for tok in analyze(text):
        assert text[tok.start:tok.end] == tok.surface
    moved = [t for t in analyze(text, "C") if t.term == "移り住む"]
    assert moved and moved[0].surface == "移り\n住む"
    kana = [t for t in analyze(text, "C") if t.term == "イノベーション"]
    assert kana and kana[0].surface == "ｲﾉﾍﾞｰｼｮﾝ"


def test_mode_a_splits_what_mode_c_keeps():
    assert "地方創生" in terms("地方創生", "C")
    assert terms("地方創生", "A") == ["地方", "創生"]


def test_long_input_is_analysed_in_pieces():
    text = "関係人口の創出と地方創生の推進。" * 5000  # ≈240 KB, far over Sudachi's 49,149-byte limit
    toks = analyze(text, "C")
    assert len([t for t in toks if t.term == "地方創生"]) == 5000
    assert toks[-1].end <= len(text)


def test_one_tokenizer_per_thread():
    errors: list[BaseException] = []
    expected = terms("人口減少が進む中でも稼げる地方をつくる", "AC")

    def work():
        try:
            for _ in range(200):
                assert terms("人口減少が進む中でも稼げる地方をつくる", "AC") == expected
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_sudachi_terms_round_trip_through_tantivy(tmp_path):
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("body", stored=True, tokenizer_name=ANALYZER)
    index = tantivy.Index(sb.build(), path=str(tmp_path))
    register_analyzer(index)
    docs = ["都会の高齢者が地方に移り\n住むことを想定した日本版ＣＣＲＣ", "地方創生2.0の関係人口", "地方創生1.0の総合戦略"]
    with index.writer() as w:
        for d in docs:
            w.add_document(tantivy.Document(body=" ".join(terms(d, "C"))))
    # Reopen: the analyzer must be registered again.
    index = tantivy.Index.open(str(tmp_path))
    register_analyzer(index)
    index.reload()
    searcher = index.searcher()

    def hits(query):
        return [searcher.doc(a)["body"][0] for _, a in searcher.search(query, 10).hits]

    schema = index.schema
    assert len(hits(tantivy.Query.term_query(schema, "body", "ccrc"))) == 1
    assert len(hits(tantivy.Query.term_query(schema, "body", terms("移り住む", "C")[0]))) == 1
    assert len(hits(tantivy.Query.phrase_query(schema, "body", terms("関係人口", "C")))) == 1
    two = hits(tantivy.Query.phrase_query(schema, "body", terms("地方創生２．０", "C")))
    assert len(two) == 1 and "2.0" in two[0]


def _statute_text() -> str:
    from pathlib import Path

    laws = sorted((Path(__file__).resolve().parents[2] / "corpus" / "sources").glob("*.md"))
    return laws[0].read_text(encoding="utf-8")[:20_000]


def test_mode_a_split_from_mode_c_equals_a_tokenize_in_mode_a():
    # analyze() tokenizes once in mode C and splits each word into A units; a separate mode-A
    # tokenize of the same text must give the same tokens, or the index and the query disagree.
    text = _statute_text()
    both = analyze(text)
    assert [t for t in both if t.mode == "A"] == analyze(text, "A")
    assert [t for t in both if t.mode == "C"] == analyze(text, "C")
    assert sum(t.mode == "A" for t in both) > sum(t.mode == "C" for t in both)


def test_fast_normalisation_equals_the_char_by_char_one():
    from indexer.text.normalize import _nfkc_with_offsets_slow, nfkc_with_offsets

    samples = [_statute_text()[:3000], "①㈱㍻と\r\n移り\n住む　全角\n\nAB\nCD", "Ａ\nＢ", "ア\u3000\nイ", "\n", "",
               "ｲﾉﾍﾞｰｼｮﾝ\nです", "第一条　この法律は、\n地域の"]
    for text in samples:
        for whitespace in ("join-breaks", "drop"):
            assert nfkc_with_offsets(text, whitespace) == _nfkc_with_offsets_slow(text, whitespace), (text, whitespace)
