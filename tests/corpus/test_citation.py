"""Citations: every record's quoted words are the source's own, and they carry the substance.

Each run of a citation is searched in the verbatim source after NFKC and whitespace
removal (the one rule quotes are matched by), inside the record's own quotes, and
the plain and Markdown texts are checked to hold exactly those runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.corpus.citation import OMISSION, cite
from indexer.corpus.loader import load_corpus
from indexer.text.normalize import normalize_for_match

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(REPO / "corpus", strict=False)


@pytest.fixture(scope="module")
def citations(corpus) -> dict[str, dict]:
    return {r.id: cite(r, corpus.source_of(r)).as_dict() for r in corpus.records}


@pytest.fixture(scope="module")
def normalized_sources(corpus) -> dict[str, str]:
    """Each source's text normalised once: thousands of records quote a few dozen sources."""
    return {sid: normalize_for_match(src.text) for sid, src in corpus.sources.items()}


def test_every_run_is_verbatim_source_text_within_the_record(corpus, citations, normalized_sources):
    bad = []
    for rec in corpus.records:
        c = citations[rec.id]
        source = normalized_sources[rec.source]
        own = normalize_for_match(rec.text)
        for run in c["runs"]:
            n = normalize_for_match(run)
            if not n or n not in source or n not in own:
                bad.append((rec.id, run[:40]))
            if OMISSION in run:
                bad.append((rec.id, "omission mark inside a run"))
    assert bad == []


def test_plain_and_markdown_hold_exactly_the_runs(corpus, citations, normalized_sources):
    for rec in corpus.records:
        if rec.law:  # a statute's words are laid out by 項・号 (tests/corpus/test_law_citation.py)
            continue
        c = citations[rec.id]
        quote = OMISSION.join(c["runs"]) + (OMISSION if c["truncated"] else "")
        assert c["quote"] == quote
        assert f"「{quote}」" in c["text"], rec.id
        assert c["markdown"].startswith(f"> {quote}\n"), rec.id
        # Each piece between omission marks is source text: what a reader can check.
        source = normalized_sources[rec.source]
        assert all(normalize_for_match(p) in source for p in quote.split(OMISSION) if p), rec.id


def test_source_place_date_and_permalink(corpus, citations):
    c = citations["measure-1-transport-gaps"]
    assert c["text"].startswith("内閣官房 新しい地方経済・生活環境創生本部事務局『地方創生2.0基本構想（概要）")
    assert "（令和7年（2025年）6月13日）、Ⅲ 地方創生2.0基本構想 ＞ ６．政策パッケージ（主な施策） ＞ (1)" in c["text"]
    # The official URL, as the Markdown form links it, then this site's permalink (issue 21).
    assert c["text"].endswith("」（https://www.cas.go.jp/jp/seisaku/atarashii_chihousousei/index.html）"
                              "/records/measure-1-transport-gaps")
    assert c["markdown"].endswith(" /records/measure-1-transport-gaps")
    assert c["permalink"] == "/records/measure-1-transport-gaps"
    url = "https://www.cas.go.jp/jp/seisaku/atarashii_chihousousei/index.html"
    assert c["source_url"] == url and f"]({url})" in c["markdown"]
    # The seed text has no page separators: no page is invented.
    assert c["page"] is None and "p." not in c["text"]


def test_data_citation_carries_its_figures(citations):
    c = citations["data-tokyo-net-inflow-age"]
    assert "2023年の東京圏の転入超過数は11.5万人" in c["text"]
    assert "10代後半、20代の若者が占めており" in c["text"]
    assert "（原資料：総務省「住民基本台帳人口移動報告」（日本人移動者）を基に作成）" in c["text"]
    assert "原資料：資料" not in c["text"]


def test_long_data_citation_keeps_figures_and_drops_notes(citations):
    c = citations["data-economic-affluence-prefecture"]
    assert "中央世帯（※2）の平均は５位" in c["text"] and "差額は25位" in c["text"]
    assert "※1世帯はすべて" not in c["text"]


def test_no_statistical_source_label_is_doubled(citations):
    for rid, c in citations.items():
        assert "原資料：資料" not in c["text"] and "原資料：出典" not in c["text"], rid
        assert "原資料：（" not in c["text"], rid


def test_case_citation_carries_its_description(corpus, citations):
    (rid,) = [r.id for r in corpus.records if r.kind == "case" and r.title.startswith("京丸園")]
    text = citations[rid]["text"]
    assert "農業を通じた障害者の社会参画をめざす「農福連携」を実施" in text
    assert "地域における農福連携の拡大に向け活動" in text


def test_measure_citation_carries_its_body(citations):
    text = citations["measure-1-transport-gaps"]["text"]
    assert "「「交通空白」解消に向けた取組方針2025」に基づき" in text
    assert "地域交通のリ・デザインを全面展開する。" in text


def test_short_records_are_quoted_whole(corpus, citations):
    for rec in corpus.records:
        body = "".join(line.strip() for line in rec.text.splitlines())
        # (a statute's citation leaves out the label its place names: tests/corpus/test_law_citation.py)
        if len(body) <= 200 and not rec.statistical_source and not rec.law:
            c = citations[rec.id]
            assert normalize_for_match("".join(c["runs"])) == normalize_for_match(rec.text), rec.id
            assert not c["truncated"], rec.id


def test_page_of_counts_form_feeds(tmp_path):
    from indexer.corpus.sources import Source

    text = "一頁目の本文\f二頁目\f三頁目の本文"
    path = tmp_path / "paged.txt"
    path.write_text(text, encoding="utf-8")
    src = Source(id="paged", path=path, title="t", short_title="t", publisher="p", date="2025-06-13", sha256="")
    assert [src.page_of(text.index(w)) for w in ("一頁目", "二頁目", "三頁目")] == [1, 2, 3]
    plain = Source(id="plain", path=REPO / "corpus/sources/chihou-sousei-2.0-kihon-kousou.txt",
                   title="t", short_title="t", publisher="p", date="2025-06-13", sha256="")
    assert plain.page_of(1000) is None
