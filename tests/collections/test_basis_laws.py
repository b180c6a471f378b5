"""A measure's legal basis over 全法令: drawn from every law when the collection is ingested."""

from __future__ import annotations

from indexer.search.basis import basis_collections


def test_the_basis_is_drawn_from_all_laws_when_ingested(engine, laws_engine):
    assert basis_collections(engine) == ("regional",)
    assert basis_collections(laws_engine) == ("regional", "laws")
    found = laws_engine.suggest_articles("measure-1-ccrc")
    # The regional statutes stay searched beside 全法令: the law's own 生涯活躍のまち scheme is found.
    assert found and all(s["reasons"] and s["record"]["kind"] == "article" for s in found)
    assert any("生涯活躍のまち" in s["record"]["title"] for s in found)
