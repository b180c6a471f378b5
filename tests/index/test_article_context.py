"""Statute articles are embedded in their context: each chunk carries the law's title, the article's
number and caption, and each 項 of a long article has chunk(s) of its own headed by its 章・節.
Quotes and offsets stay verbatim: only the embedded text carries the context."""

from __future__ import annotations

from indexer.index.documents import ARTICLE_CHUNKS, embedding_passages, paragraph_texts, search_doc

LONG = "law-417ac0000000024-art5"  # 地域再生法 第五条（地域再生計画の認定）: many 項, in 第三章


def test_each_paragraph_of_a_long_article_is_embedded_under_its_context(engine):
    rec = engine.record(LONG)
    chunks = embedding_passages(rec, search_doc(rec, {}))
    assert 1 < len(chunks) <= ARTICLE_CHUNKS
    assert all(c.startswith("地域再生法 第五条（地域再生計画の認定）\n") for c in chunks)
    # Later chunks are headed by the 章 the article stands in, then hold a later 項 verbatim.
    chapter = rec["heading_path"][0]
    assert all(c.split("\n")[1] == " ＞ ".join(rec["heading_path"]) for c in chunks[1:]) and chapter
    paragraphs = paragraph_texts(rec)
    assert len(paragraphs) == len(rec["law"]["paragraphs"])
    assert paragraphs[3].split("\n")[0] in "\n".join(chunks[1:])  # the 4th 項, deep in the article
    assert paragraphs[3].split("\n")[0] not in chunks[0]


def test_paragraphs_are_slices_of_the_verbatim_text(engine):
    rec = engine.record(LONG)
    assert rec["text"] == rec["quotes"][0]["text"]  # the record itself is unchanged
    for para in paragraph_texts(rec):
        assert para in rec["text"]


def test_the_built_index_holds_a_row_per_chunk(engine):
    rec = engine.record(LONG)
    owners = list(engine.regional.vectors.owners)
    assert owners.count(LONG) == len(embedding_passages(rec, search_doc(rec, {}))) > 1
    short = engine.record("law-340ac1000000064-art21-2")  # two short 項: one chunk holds both
    assert owners.count(short["id"]) == 1


def test_a_deep_paragraph_is_found_by_meaning(engine):
    # 第五条 第四項第二号 (まち・ひと・しごと創生寄附活用事業) lies far past the article's first chunk:
    # embedded with the first chunk only, the article was not among the 50 nearest for this question.
    from indexer.search.filters import Filters

    ranking = engine.rank("企業から寄附を受けて地方公共団体が行う地方創生の事業", "semantic", Filters(kind=("article",)))
    assert LONG in [rid for rid, _ in ranking.hits[:3]]
