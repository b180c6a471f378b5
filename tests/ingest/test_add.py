"""`policykb ingest`: documents into a corpus directory, records derived from them, bad input refused.

Each test works on its own small corpus in tmp_path; the statute is the fixture copy of
まち・ひと・しごと創生法 (and its PDF typeset at test time, see conftest.py).
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
import yaml

from policykb.cli import main
from indexer.corpus.loader import load_corpus
from indexer.ingest import EmptyDocument, NoTextLayer, UnsupportedFormat
from indexer.ingest.add import AlreadyInCorpus, ingest_file
from tests.ingest.conftest import POLICY_TXT, STATUTE_MD

LAW = "law-426ac0000000136"


@pytest.fixture()
def corpus(tmp_path) -> Path:
    root = tmp_path / "corpus"
    (root / "sources").mkdir(parents=True)
    (root / "records").mkdir()
    return root


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def _meta(corpus: Path, source_id: str) -> dict:
    for p in (corpus / "sources").glob("*.yaml"):
        meta = yaml.safe_load(p.read_text(encoding="utf-8"))
        if meta["id"] == source_id:
            return meta
    raise AssertionError(f"no metadata for {source_id}")


def test_statute_is_copied_byte_for_byte_with_its_metadata(corpus):
    done = ingest_file(STATUTE_MD, corpus)
    assert done.kind == "statute" and done.source_id == f"{LAW}-20210901"
    copy = corpus / "sources" / STATUTE_MD.name
    assert copy.read_bytes() == STATUTE_MD.read_bytes()
    meta = _meta(corpus, done.source_id)
    assert meta["sha256"] == hashlib.sha256(STATUTE_MD.read_bytes()).hexdigest()
    assert meta["title"] == "まち・ひと・しごと創生法"
    assert meta["law_number"] == "平成二十六年法律第百三十六号"
    assert meta["law_id"] == "426AC0000000136"
    assert meta["effective"] == "2021-09-01"
    assert meta["kind"] == "statute" and meta["format"] == "markdown"
    assert meta["url"] == "https://laws.e-gov.go.jp/law/426AC0000000136"


def test_statute_records_are_derived_articles(corpus):
    ingest_file(STATUTE_MD, corpus)
    c = load_corpus(corpus)
    assert not list((corpus / "records").glob("*")), "ingest never writes curated records"
    art = c.by_id[f"{LAW}-art1"]
    assert art.kind == "article" and art.title == "まち・ひと・しごと創生法 第一条（目的）"
    assert art.law.article == "第一条" and art.law.caption == "（目的）"
    assert art.law.heading_path == ["第一章 総則"]
    src = c.source_of(art)
    q = art.quotes[0]
    assert src.text[q.start:q.end] == q.text and q.text.startswith("第一条 この法律は")
    p1 = art.law.paragraphs[0]
    assert p1.num == 1 and src.text[p1.start:p1.end].startswith("第一条")
    # 附則 articles are keyed by the act that enacted their block.
    suppl = [r for r in c.records if r.id.startswith(f"{LAW}-art-suppl-")]
    assert suppl and all(r.law.article.startswith("附則") for r in suppl)
    assert f"{LAW}-art-suppl-h27-66-1" in c.by_id


def test_article_citation_names_law_number_and_paragraph(corpus):
    from indexer.corpus.citation import cite

    ingest_file(STATUTE_MD, corpus)
    c = load_corpus(corpus)
    art = c.by_id[f"{LAW}-art9"]
    whole = cite(art, c.source_of(art))
    # An article longer than 200 characters is cited by its first 項; the label is the place, not the words.
    assert whole.plain().startswith("まち・ひと・しごと創生法（平成二十六年法律第百三十六号）第九条第一項「都道府県は、")
    assert whole.plain().endswith(f"/records/{LAW}-art9")
    one = cite(art, c.source_of(art), paragraph=2)
    assert one.plain().startswith("まち・ひと・しごと創生法（平成二十六年法律第百三十六号）第九条第二項「")
    assert "「２" not in one.plain()


def test_pdf_statute_gives_the_same_articles_as_its_text(tmp_path, pdfs):
    a, b = tmp_path / "a", tmp_path / "b"
    for root in (a, b):
        (root / "sources").mkdir(parents=True)
    ingest_file(STATUTE_MD, a)
    done = ingest_file(pdfs.statute, b, effective="2021-09-01")
    assert done.kind == "statute"
    meta = _meta(b, done.source_id)
    assert meta["format"] == "pdf" and meta["original_file"] == "statute.pdf"
    assert meta["original_sha256"] == hashlib.sha256(pdfs.statute.read_bytes()).hexdigest()
    assert (b / "sources" / "statute.pdf").read_bytes() == pdfs.statute.read_bytes()
    text_arts = [r for r in load_corpus(a).records if r.kind == "article"]
    pdf_arts = [r for r in load_corpus(b).records if r.kind == "article"]
    assert [r.law.article for r in pdf_arts] == [r.law.article for r in text_arts]
    assert [r.law.caption for r in pdf_arts] == [r.law.caption for r in text_arts]

    def squash(s: str) -> str:
        return "".join(s.split())

    assert [squash(r.text) for r in pdf_arts] == [squash(r.text) for r in text_arts]


def test_policy_text_becomes_passages(corpus):
    done = ingest_file(POLICY_TXT, corpus, publisher="内閣官房", date="2025-06-13")
    assert done.kind == "document"
    c = load_corpus(corpus)
    passages = [r for r in c.records if r.kind == "passage"]
    assert len(passages) > 50
    assert passages[0].id == f"doc-{done.source_id.removeprefix('doc-')}-p1"
    src = c.source_of(passages[0])
    for r in passages:
        q = r.quotes[0]
        assert src.text[q.start:q.end] == q.text


@pytest.mark.parametrize("make, error", [
    (lambda d: (d / "empty.txt").write_bytes(b""), EmptyDocument),
    (lambda d: (d / "blank.md").write_text("  \n\n", encoding="utf-8"), EmptyDocument),
    (lambda d: (d / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200)), UnsupportedFormat),
    (lambda d: (d / "data.bin").write_bytes(bytes(range(256)) * 4), UnsupportedFormat),
])
def test_bad_files_are_refused_and_nothing_is_written(tmp_path, corpus, make, error):
    make(tmp_path)
    path = next(p for p in tmp_path.iterdir() if p.is_file())
    before = _tree(corpus)
    with pytest.raises(error):
        ingest_file(path, corpus)
    assert _tree(corpus) == before


def test_scanned_pdf_is_refused(corpus, pdfs):
    before = _tree(corpus)
    with pytest.raises(NoTextLayer):
        ingest_file(pdfs.scanned, corpus)
    assert _tree(corpus) == before


def test_same_file_twice_is_refused_and_says_so(tmp_path, corpus):
    ingest_file(STATUTE_MD, corpus)
    before = _tree(corpus)
    renamed = tmp_path / "copy.md"
    shutil.copy(STATUTE_MD, renamed)
    with pytest.raises(AlreadyInCorpus, match=f"already in the corpus.*{LAW}-20210901"):
        ingest_file(renamed, corpus)
    assert _tree(corpus) == before


def test_statute_that_does_not_parse_becomes_passages_with_the_line(tmp_path, corpus):
    bad = tmp_path / "broken.md"
    bad.write_text("# 試験法\n\n平成二十六年法律第九百九十九号\n\n試験法\n\n第二条 この法律は、試験をする。\n\n"
                   "第一条 この法律は、試験をしない。\n", encoding="utf-8")
    done = ingest_file(bad, corpus)
    assert done.kind == "document"
    assert any("line 9" in w and "ingested as passages" in w for w in done.warnings), done.warnings
    assert {r.kind for r in load_corpus(corpus).records} == {"passage"}


def test_newer_version_becomes_current_and_keeps_the_older(tmp_path, corpus):
    ingest_file(STATUTE_MD, corpus)
    newer = tmp_path / "426AC0000000136_20250401_507AC0000000001.md"
    newer.write_text(STATUTE_MD.read_text(encoding="utf-8").replace("潤いのある豊かな生活", "潤いのある豊かな暮らし"),
                     encoding="utf-8")
    done = ingest_file(newer, corpus)
    assert done.superseded == f"{LAW}-20210901"
    assert _meta(corpus, f"{LAW}-20210901")["superseded_by"] == f"{LAW}-20250401"
    assert "superseded_by" not in _meta(corpus, f"{LAW}-20250401")
    c = load_corpus(corpus)
    art = c.by_id[f"{LAW}-art1"]  # same id, now the newer text
    assert art.source == f"{LAW}-20250401" and "豊かな暮らし" in art.text
    assert len([r for r in c.records if r.id == f"{LAW}-art1"]) == 1
    from indexer.corpus.citation import cite

    assert "（令和7年（2025年）4月1日施行のもの）" in cite(art, c.source_of(art)).plain()


def test_cli_prints_one_line_per_bad_file_and_adds_the_good_ones(tmp_path, corpus, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    status = main(["--corpus", str(corpus), "ingest", str(empty), str(STATUTE_MD)])
    out, err = capsys.readouterr()
    assert status == 2
    assert err.strip().splitlines() == [f"policykb: {empty}: document is empty (本文がありません) (0 bytes)"]
    assert f"added statute {LAW}-20210901" in out
    assert "Traceback" not in out + err
