"""Build mechanics on a small corpus of statutes: derived records indexed, the embedding cache
making a rebuild embed only new passages, per-stage figures, and search across documents.

The corpus is two small statutes (まち・ひと・しごと創生法, then デジタル社会形成基本法 added)
with an embedding cache of its own, so the counts of embedded passages are exact.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from indexer.config import REPO_ROOT, load_settings
from indexer.index.build import build
from indexer.ingest.add import ingest_file

LAWS = REPO_ROOT / "corpus" / "sources"
FIRST = LAWS / "426AC0000000136_20210901_503AC0000000036.md"
SECOND = LAWS / "503AC0000000035_20250401_506AC0000000046.md"


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("statutes")
    corpus = root / "corpus"
    (corpus / "sources").mkdir(parents=True)
    (corpus / "records").mkdir()
    shutil.copy(REPO_ROOT / "corpus" / "thesaurus.yaml", corpus / "thesaurus.yaml")
    monkeypatch_module.delenv("POLICYKB_EMBEDDING_CACHE", raising=False)
    settings = load_settings(corpus_dir=corpus, index_dir=root / "index")
    ingest_file(FIRST, corpus)
    first = build(settings, progress=False)
    ingest_file(SECOND, corpus)
    second = build(settings, progress=False)
    again = build(settings, force=True, progress=False)
    return settings, first, second, again


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def test_stages_are_timed_and_everything_is_embedded_once(two_builds):
    _, first, second, again = two_builds
    assert list(first.stages) == ["model", "validate", "records", "keyword index", "record tokens", "vectors", "finish"]
    assert first.passages > 20 and 0 < first.embedded <= first.passages
    # Adding a statute embeds its passages only: the first statute's come from the cache.
    assert 0 < second.embedded < second.passages
    assert second.passages - second.embedded >= first.embedded
    assert again.built and again.embedded == 0 and again.passages == second.passages


def test_search_finds_articles_of_both_statutes_and_filters_by_document(two_builds):
    from indexer.search.engine import SearchEngine
    from indexer.search.filters import parse_filters

    settings, *_ = two_builds
    engine = SearchEngine.open(settings)
    resp = engine.search("デジタル社会の形成に関する重点計画", mode="keyword", k=5)
    top = resp.results[0]
    assert top["kind"] == "article" and top["law"]["law_title"] == "デジタル社会形成基本法"
    assert top["citation"]["text"].startswith("デジタル社会形成基本法（令和三年法律第三十五号）第")
    docs = resp.facets["document"]
    assert set(docs) <= {"law-503ac0000000035-20250401", "law-426ac0000000136-20210901"}
    only = parse_filters({"document": ["law-426ac0000000136-20210901"]})
    filtered = engine.search("計画", mode="keyword", k=20, filters=only)
    assert filtered.results and all(r["source"] == "law-426ac0000000136-20210901" for r in filtered.results)


def test_matched_paragraph_is_the_one_holding_the_query_words(two_builds):
    from indexer.search.engine import SearchEngine

    settings, *_ = two_builds
    engine = SearchEngine.open(settings)
    # 第十六条第二項: 「本部員は、本部長及び副本部長以外の全ての国務大臣をもって充てる。」
    resp = engine.search("本部員 国務大臣 充てる", mode="keyword", k=3)
    hit = next(r for r in resp.results if r["id"] == "law-426ac0000000136-art16")
    assert hit["matched_paragraph"] == 2
