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
"""

from __future__ import annotations

from indexer.corpus.derived import article_record_id, source_kind
from indexer.corpus.schema import Link, Record
from indexer.corpus.sources import Source
from indexer.laws import article_number_key, parse_statute, resolve_policy_reference, resolve_references


def _current_statutes(sources: dict[str, Source]) -> list[Source]:
    return [s for s in sources.values() if source_kind(s) == "statute" and not s.meta.get("superseded_by")]


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
        for ref in resolve_references(statute, known):
            if ref.resolved and ref.type != "external":
                link(article_record_id(law_key, ref.source_article), ref.target_law_id, ref.target_article)
    titles = {t: i for t, i in known.items() if not t.endswith("号")}
    for rec in records:
        if source_kind(sources[rec.source]) is not None:
            continue
        for q in rec.quotes:
            found = resolve_policy_reference(q.text, titles)
            if found:
                link(rec.id, *found)
    return added
