"""Records as plain dicts: the one shape shared by the CLI, the indexes and the web API."""

from __future__ import annotations

from indexer.corpus.citation import cite
from indexer.corpus.loader import Corpus
from indexer.corpus.schema import Record


def target_dict(rec: Record) -> dict:
    spec = rec.target.model_dump() if rec.target else {}
    return {"id": rec.id, "wording": rec.quotes[0].text, **spec}


def targets_of(rec: Record, corpus: Corpus, links: dict[str, list[tuple[str, str]]]) -> list[Record]:
    if rec.kind == "target":
        return [rec]
    # Only targets that measure this record: a `related` target (a 目指す姿 goal
    # beside a measure) is shown as a cross-reference, not as the measure's own KPI.
    ids = [oid for ltype, oid in links.get(rec.id, []) if ltype == "measure"]
    return [corpus.by_id[i] for i in ids if corpus.by_id[i].kind == "target"]


def record_prefectures(rec: dict) -> list[str]:
    """Every prefecture a record dict names: its own, then those of a multi-prefecture case."""
    place = rec.get("place") or {}
    return list(dict.fromkeys(([place["prefecture"]] if place.get("prefecture") else []) + list(place.get("prefectures") or [])))


def facet_values(rec: dict) -> dict[str, list]:
    """A record dict's values per filterable facet: what the keyword index stores and the facets count."""
    return {
        "kind": [rec["kind"]],
        "pillar": [rec["pillar"]] if rec.get("pillar") else [],
        "era": [rec["era"]] if rec.get("era") else [],
        "prefecture": record_prefectures(rec),
        "deadline_year": sorted({t["deadline_year"] for t in rec["targets"] if t.get("deadline_year")}),
    }


def record_dict(rec: Record, corpus: Corpus, links: dict[str, list[tuple[str, str]]] | None = None) -> dict:
    links = corpus.links_both_ways() if links is None else links
    src = corpus.source_of(rec)
    return {
        "id": rec.id,
        "kind": rec.kind,
        "title": rec.title,
        "text": rec.text,
        "section": " ＞ ".join(s.label for s in src.section_path(rec.section)),
        "section_id": rec.section,
        "category": rec.category,
        "pillar": rec.pillar,
        "era": rec.era,
        "place": rec.place.model_dump() if rec.place else None,
        "themes": rec.themes,
        "statistical_source": rec.statistical_source,
        "targets": [target_dict(t) for t in targets_of(rec, corpus, links)],
        "links": [{"type": t, "id": i} for t, i in links.get(rec.id, [])],
        "quotes": [q.model_dump() for q in rec.quotes],
        "citation": cite(rec, src).as_dict(),
        "source": rec.source,
    }
