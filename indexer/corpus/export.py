"""Records as plain dicts: the one shape shared by the CLI, the indexes and the web API."""

from __future__ import annotations

from indexer.corpus.citation import cite
from indexer.corpus.loader import Corpus
from indexer.corpus.schema import Record
from indexer.corpus.sources import Source
from indexer.corpus.statements import Span, caveat_span, is_bracketed, measured_spans


def _deadline_quote(rec: Record, src: Source) -> dict | None:
    """Where the source states the deadline: the phrase inside the wording, or the quote the record names."""
    spec = rec.target
    if not spec or not spec.deadline:
        return None
    if spec.deadline_quote is not None:
        q = spec.deadline_quote
        return {"text": q.text, "start": q.start, "end": q.end}
    wording = rec.quotes[0]
    for start, end in src.find_all(spec.deadline):
        if wording.start is not None and wording.end is not None and wording.start <= start and end <= wording.end:
            return Span(src.text[start:end], start, end).as_dict()
    return None


def target_dict(rec: Record, src: Source) -> dict:
    """A target as pages, API and CSV show it: the whole wording, what it measures, every value, the deadline's basis."""
    spec = rec.target.model_dump(exclude={"measured", "deadline_quote"}) if rec.target else {}
    wording = rec.quotes[0]
    bracketed = (wording.start is not None and wording.end is not None
                 and is_bracketed(src.text, wording.start, wording.end))
    caveat = caveat_span(src) if bracketed else None
    spans = measured_spans(wording.text, rec.target.measured if rec.target else [])
    return {
        "id": rec.id,
        "wording": wording.text,
        "wording_quote": {"text": wording.text, "start": wording.start, "end": wording.end},
        # offsets within `wording` of the part this target measures (the whole wording when it has it alone)
        "measured": [{"text": wording.text[s:e], "start": s, "end": e} for s, e in spans],
        "bracketed": bracketed,
        "caveat": caveat.as_dict() if caveat else None,
        **spec,
        "deadline_quote": _deadline_quote(rec, src),
    }


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
        # Only target records carry a deadline facet, so a count of targets is the same on /search and /targets.
        "deadline_year": sorted({t["deadline_year"] for t in rec["targets"] if t.get("deadline_year")})
        if rec["kind"] == "target" else [],
        "document": [rec["source"]],
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
        "targets": [target_dict(t, corpus.source_of(t)) for t in targets_of(rec, corpus, links)],
        "links": [{"type": t, "id": i} for t, i in links.get(rec.id, [])],
        "quotes": [q.model_dump() for q in rec.quotes],
        "citation": cite(rec, src).as_dict(),
        "source": rec.source,
        "source_title": src.short_title,
        # Statute records: law_id, law_title, law_number, article, caption, heading_path, paragraphs (with 号).
        "law": rec.law.model_dump() if rec.law else None,
        "heading_path": rec.heading_path,
    }
