"""Citations resolved into typed links between records: statute → statute, and policy → statute.

A statute's own citations (「第五条第四項」, 「前条」, 「地方税法…第六条」) are resolved by
indexer.laws.resolve_references; those that land on an article held in the corpus become a
`cites` link from the citing article's record to the cited article's record. A citation inside
the same article (前項, 同項第二号) links nothing: the record already holds it. Citations inside
an amending act's 附則 stay text (the resolver leaves them unresolved: they point into that act).

Curated policy records are never edited: their citations of a statute (the comparison table's
「まち・ひと・しごと創生法第１条」, in Arabic or full-width digits) are found in their quotes at
load time and linked the same way. Links are stored once, on the citing side; the cited record
shows them as `cited_by` (indexer.corpus.loader.Corpus.links_both_ways).

Every resolved citation that lands on an article held also keeps its span in the citing record
(`law.references`: start, end, the cited record, the 項 named), so that the article's page links
the words themselves, as e-Gov does; a citation inside the same article (前項) is kept there too,
as a link to the 項 on the same page. `statute_citations` is the one reading of a statute's
citations that the regional corpus and 全法令 (indexer.index.collection_build) share.
"""

from __future__ import annotations

from indexer.corpus.derived import article_record_id, source_kind
from indexer.corpus.schema import LawCite, Link, Record
from indexer.corpus.sources import Source
from indexer.laws import (Reference, article_key, article_number_key, parse_statute, resolve_policy_reference,
                          resolve_references)


def _current_statutes(sources: dict[str, Source]) -> list[Source]:
    return [s for s in sources.values() if source_kind(s) == "statute" and not s.meta.get("superseded_by")]


def statute_citations(refs: list[Reference], key_of: dict[str, str]) -> dict[str, list[LawCite]]:
    """Citing article key → the citations of `refs` (resolve_references of one statute) that land on
    an article of a law in `key_of` (law id → its law key), as record ids, in text order. Whether
    the cited article exists is for the caller to say (a deleted article has no record)."""
    out: dict[str, list[LawCite]] = {}
    for ref in refs:
        if not ref.resolved or ref.type == "external" or not ref.target_law_id or not ref.target_article:
            continue
        target_key = key_of.get(ref.target_law_id)
        key = article_key(ref.target_article)
        if target_key is None or key is None:
            continue
        out.setdefault(ref.source_article, []).append(LawCite(
            start=ref.start, end=ref.end, target=article_record_id(target_key, key), paragraph=ref.target_paragraph))
    return out


def add_reference_links(records: list[Record], sources: dict[str, Source]) -> int:
    """Append `cites` links to the citing records; returns how many links were added."""
    statutes = _current_statutes(sources)
    key_of = {str(s.meta.get("law_id")): s.meta.get("law_key") or s.id for s in statutes if s.meta.get("law_id")}
    known = {}
    for s in statutes:
        if s.meta.get("law_id"):
            known[s.meta["title"]] = str(s.meta["law_id"])
            if s.meta.get("law_number"):
                known[s.meta["law_number"]] = str(s.meta["law_id"])
    by_id = {r.id: r for r in records}
    added = 0

    def link(src_id: str, target_law_id: str | None, target_article: str | None) -> None:
        nonlocal added
        if not target_law_id or not target_article or target_law_id not in key_of:
            return
        try:
            key = article_number_key(target_article)
        except ValueError:
            return
        target = article_record_id(key_of[target_law_id], key)
        rec = by_id.get(src_id)
        if rec is None or target == src_id or target not in by_id:
            return
        if any(l.type == "cites" and l.id == target for l in rec.links):
            return
        rec.links.append(Link(type="cites", id=target))
        added += 1

    for src in statutes:
        statute = parse_statute(src.text)
        law_key = src.meta.get("law_key") or src.id
        refs = resolve_references(statute, known)
        for ref in refs:
            if ref.resolved and ref.type != "external":
                link(article_record_id(law_key, ref.source_article), ref.target_law_id, ref.target_article)
        for source_key, cites in statute_citations(refs, key_of).items():
            rec = by_id.get(article_record_id(law_key, source_key))
            if rec is not None and rec.law is not None:
                rec.law.references = [c for c in cites if c.target in by_id]
    titles = {t: i for t, i in known.items() if not t.endswith("号")}
    for rec in records:
        if source_kind(sources[rec.source]) is not None:
            continue
        for q in rec.quotes:
            found = resolve_policy_reference(q.text, titles)
            if found:
                link(rec.id, *found)
    return added
