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


def test_over_all_laws_the_laws_are_proposed_by_their_stored_e5_vectors(laws_engine):
    # A build of 全法令 stores one e5 vector per Act (indexer.index.law_vectors): the laws nearest to
    # a measure by them are compared with it, on their title and purpose article.
    from indexer.search.basis import law_shelf, law_similarity, measure_vector

    shelf = law_shelf(laws_engine)
    acts = sorted(shelf.docs)[:5]
    assert acts and all(shelf.stored_vector(a) is not None for a in acts)
    vec = measure_vector(laws_engine, laws_engine.record("measure-3-migration"))
    near = shelf.nearest_e5(vec, 5)
    assert len(near) == 5 and all(n in shelf.docs for n in near)
    sims = law_similarity(laws_engine, shelf, vec, near)
    assert list(sims) == near and sims[near[0]] >= sims[near[-1]]


def test_the_build_stores_the_definitions_of_every_act(laws_engine):
    # What a record page reads instead of reading laws whole: each Act's definitions, as the shared
    # reader (indexer.text.definitions) finds them in its main provisions, stored by the build.
    from indexer.index.law_definitions import act_definitions
    from indexer.index.law_vectors import is_act
    from indexer.search.basis import law_shelf

    laws = laws_engine.collections["laws"]
    stored = laws.definitions()
    assert stored is not None and any(stored.values())
    acts = [d for d in laws.documents if is_act(d.split("-")[1].upper())]
    assert acts and set(stored) <= set(acts)
    for doc in acts:
        assert stored.get(doc, []) == act_definitions(laws.document_units(doc)), doc
    shelf = law_shelf(laws_engine)
    assert shelf.definitions_stored()
    lid = next(lid for lid, doc in shelf.docs.items() if stored.get(doc) and lid not in shelf.regional)
    assert [d.term for d in shelf.definitions(lid)] == [row[0] for row in stored[shelf.docs[lid]]]


def test_over_all_laws_the_statutes_own_word_still_leads_to_its_scheme(laws_engine):
    # Beside 全法令 the regional statutes' definitions are always read (they are in memory), and a term
    # defined as the measure's thing (特定業務施設: 「本店又は…」, for 本社機能) qualifies its law on its own.
    for rid, law, term in (("measure-3-migration", "law-419ac0000000052", "特定居住"),
                           ("measure-3-hq-relocation", "law-417ac0000000024", "特定業務施設")):
        found = laws_engine.suggest_articles(rid)
        assert found and found[0]["record"]["id"].startswith(law), rid
        assert term in found[0]["record"]["law"]["caption"]
