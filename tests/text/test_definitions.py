"""The one reader of statutory definitions (indexer.text.definitions), on the statutes of the corpus."""

from __future__ import annotations

import re
from pathlib import Path

from indexer.text.definitions import ABBREVIATION, INLINE, TOHA, read_definitions
from indexer.text.legal_vocabulary import parse_definitions

SOURCES = Path(__file__).resolve().parents[2] / "corpus" / "sources"


def _statute(law_id: str) -> str:
    return next(SOURCES.glob(f"{law_id}_*.md")).read_text(encoding="utf-8")


def test_an_abbreviation_keeps_the_clause_it_names_as_its_body():
    found = {d.term: d for d in read_definitions(_statute("417AC0000000024"))}  # 地域再生法
    office = found["特定業務施設"]
    # The clause before the bracket, back to its 「、」, and the bracket's own words before 以下.
    assert office.form == ABBREVIATION
    assert office.body.startswith("本店又は主たる事務所") and office.body.endswith("業務施設(工場を除く)")
    assert found["地域再生計画"].body == "地域再生を図るための計画"


def test_the_three_forms_are_read_and_each_term_once_per_form():
    text = ("第二条　この法律において「空家等」とは、建築物であって居住その他の使用がなされていないことが常態であるものをいう。\n"
            "２　特定居住（当該地域外に住所を有する者が定期的な滞在のため当該地域内に居所を定めることをいう。以下同じ。）のため\n"
            "３　市町村は、計画（以下「空家等対策計画」という。）を定めることができる。計画（以下「空家等対策計画」という。）")
    got = [(d.term, d.form) for d in read_definitions(text)]
    assert got == [("空家等", TOHA), ("空家等対策計画", ABBREVIATION), ("特定居住", INLINE)]
    body = {d.term: d.body for d in read_definitions(text)}
    assert body["特定居住"].startswith("当該地域外に住所を有する者")


def test_legal_vocabulary_reads_the_same_とは_definitions_it_always_read():
    # The pattern legal_vocabulary had of its own, applied to every statute of the corpus.
    old = re.compile(r"「([^「」]{1,30})」とは、([^。]{4,200}?)(?:をいう|を指す)")
    for path in sorted(SOURCES.glob("*AC*.md")):
        text = path.read_text(encoding="utf-8")
        expected = list(dict.fromkeys(m.group(1) for m in old.finditer(text)))
        assert [d.term for d in read_definitions(text, (TOHA,), normalize=False)] == expected, path.name
    vocabulary = parse_definitions([("地域再生法", _statute("417AC0000000024")), ("空家法", _statute("426AC1000000127"))])
    assert "特定空家等" in {d.term for d in vocabulary}
