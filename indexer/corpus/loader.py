"""Loading and validating the corpus: sources plus the YAML record files.

Validation collects every problem before failing, each with the file, the
record id, the field and the reason, so a curator can fix a file in one pass.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from indexer.config import DEFAULT_CORPUS_DIR
from indexer.errors import CorpusError
from indexer.corpus.derived import derive_records
from indexer.corpus.references import add_reference_links
from indexer.corpus.schema import DERIVED_KINDS, INVERSE_LINK_TYPES, Record
from indexer.corpus.sources import Source, load_sources
from indexer.corpus.statements import caveat_span, is_bracketed, statement_problem
from indexer.text.normalize import normalize_for_match


@dataclass(frozen=True)
class Problem:
    file: str
    record_id: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: record '{self.record_id}': {self.field}: {self.reason}"


@dataclass
class Corpus:
    sources: dict[str, Source]
    records: list[Record]
    files: dict[str, str] = field(default_factory=dict)  # record id → file it came from

    def __post_init__(self) -> None:
        self.by_id = {r.id: r for r in self.records}

    def source_of(self, record: Record) -> Source:
        return self.sources[record.source]

    def links_both_ways(self) -> dict[str, list[tuple[str, str]]]:
        """Symmetric view of the links: id → [(link type, other id)]."""
        out: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for r in self.records:
            for link in r.links:
                if (link.type, link.id) not in out[r.id]:
                    out[r.id].append((link.type, link.id))
                back = INVERSE_LINK_TYPES.get(link.type, link.type)
                if (back, r.id) not in out[link.id]:
                    out[link.id].append((back, r.id))
        return dict(out)

    def reading_order(self) -> list[Record]:
        return sorted(self.records, key=lambda r: (r.source, r.quotes[0].start or 0, r.id))


def _read_file(path: Path, rel: str, problems: list[Problem]) -> list[tuple[Record, str]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        problems.append(Problem(rel, "-", f"line {line}", f"not UTF-8 (byte 0x{exc.object[exc.start]:02x}); save the file as UTF-8"))
        return []
    except yaml.YAMLError as exc:
        problems.append(Problem(rel, "-", "-", f"not valid YAML: {exc}"))
        return []
    if not isinstance(data, dict) or not isinstance(data.get("records"), list):
        problems.append(Problem(rel, "-", "records", "the file must hold a mapping with a 'records' list"))
        return []
    out = []
    for i, raw in enumerate(data["records"]):
        rid = raw.get("id", f"#{i + 1}") if isinstance(raw, dict) else f"#{i + 1}"
        if not isinstance(raw, dict):
            problems.append(Problem(rel, rid, "-", "a record must be a mapping"))
            continue
        if "text" in raw:
            problems.append(Problem(rel, rid, "text", "text is derived from quotes; do not write it"))
            continue
        raw = dict(raw)
        raw["quotes"] = [{"text": q} if isinstance(q, str) else q for q in raw.get("quotes", [])]
        try:
            out.append((Record.model_validate(raw), rel))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(x) for x in err["loc"]) or "-"
                reason = err["msg"]
                if err["type"] == "missing":
                    reason = "required field is missing"
                elif err["type"] == "literal_error":
                    reason = f"unknown value {err.get('input')!r}: {err['msg']}"
                problems.append(Problem(rel, str(rid), loc, reason))
    return out


def _check_record(rec: Record, rel: str, sources: dict[str, Source], problems: list[Problem]) -> None:
    def bad(fieldname: str, reason: str) -> None:
        problems.append(Problem(rel, rec.id, fieldname, reason))

    src = sources.get(rec.source)
    if src is None:
        bad("source", f"unknown source '{rec.source}' (known: {', '.join(sorted(sources))})")
        return
    if rec.section not in src.sections:
        bad("section", f"unknown section '{rec.section}' (known: {', '.join(src.sections)})")
    for i, q in enumerate(rec.quotes):
        if q.start is None or q.end is None:
            spans = src.find_all(q.text)
            if not spans:
                bad(f"quotes.{i}", f"quote not found in the source: {q.text[:40]!r}")
            else:
                bad(f"quotes.{i}", "quote has no offsets; run `policykb anchor`")
        elif not src.span_matches(q.text, q.start, q.end):
            if src.find_all(q.text):
                bad(f"quotes.{i}", f"offsets {q.start}-{q.end} do not hold this quote; run `policykb anchor`")
            else:
                bad(f"quotes.{i}", f"quote not found in the source: {q.text[:40]!r}")
    if rec.statistical_source and not src.find_all(rec.statistical_source):
        bad("statistical_source", "not found verbatim in the source")
    if rec.kind == "target" and rec.target is None:
        bad("target", "a target record needs its parsed target fields (at least type)")
    elif rec.kind == "target":
        _check_target(rec, src, bad)
    if rec.kind in ("measure", "pillar") and rec.pillar is None:
        bad("pillar", f"a {rec.kind} record needs its pillar (1–5)")
    if rec.kind == "comparison" and rec.category != "purpose" and rec.era is None:
        bad("era", "a comparison cell needs its era (kaizoron, 1.0, 2.0)")


def _check_target(rec: Record, src: Source, bad) -> None:
    """The wording (first quote) is a whole statement; what it measures and its deadline come from the source."""
    spec, wording = rec.target, rec.quotes[0]
    if wording.start is not None and wording.end is not None and src.span_matches(wording.text, wording.start, wording.end):
        why = statement_problem(src.text, wording.start, wording.end)
        if why:
            bad("quotes.0", f"a target's wording must be a whole statement of the source: {why}")
        elif is_bracketed(src.text, wording.start, wording.end) and caveat_span(src) is None:
            bad("quotes.0", "bracketed target, but the source's caveat for 【 】 is not found")
    for i, phrase in enumerate(spec.measured):
        if wording.text.count(phrase) != 1:
            bad(f"target.measured.{i}", f"must occur exactly once in the wording (quotes.0): {phrase!r}")
    if not spec.deadline:
        if spec.deadline_quote is not None:
            bad("target.deadline_quote", "a deadline quote without a deadline phrase")
        return
    where = spec.deadline_quote or wording
    if spec.deadline_quote is not None:
        q = spec.deadline_quote
        spans = src.find_all(q.text)
        if not spans:
            bad("target.deadline_quote", f"quote not found in the source: {q.text[:40]!r}")
            return
        if q.start is None or q.end is None or not src.span_matches(q.text, q.start, q.end):
            found = ", ".join(f"start: {s}, end: {e}" for s, e in spans)
            bad("target.deadline_quote", f"offsets missing or wrong; the quote stands at {found}")
            return
    if normalize_for_match(spec.deadline) not in normalize_for_match(where.text):
        bad("target.deadline", f"the deadline phrase {spec.deadline!r} is not in "
            + ("target.deadline_quote" if spec.deadline_quote else "the wording (quotes.0); add target.deadline_quote"))


def load_corpus(corpus_dir: Path | None = None, *, strict: bool = True) -> Corpus:
    """Load and validate; raise CorpusError listing every problem when strict."""
    corpus_dir = corpus_dir or DEFAULT_CORPUS_DIR
    if not (corpus_dir / "sources").is_dir():
        raise CorpusError([Problem(str(corpus_dir), "-", "sources", "no corpus here (a corpus holds sources/ and records/)")])
    problems: list[Problem] = []
    sources = load_sources(corpus_dir / "sources")
    for src in sources.values():
        if not src.path.exists():
            problems.append(Problem(str(src.path), "-", "file", "source text file is missing"))
        elif not src.verify_checksum():
            problems.append(Problem(str(src.path), "-", "sha256", "source text differs from its recorded checksum"))
    loaded: list[tuple[Record, str]] = []
    for path in sorted((corpus_dir / "records").glob("*.yaml")):
        loaded += _read_file(path, str(path.relative_to(corpus_dir.parent)), problems)
    for rec, rel in loaded:
        if rec.kind in DERIVED_KINDS:
            problems.append(Problem(rel, rec.id, "kind", f"'{rec.kind}' records are derived from ingested sources, "
                                    "not curated (use `policykb ingest`)"))
    curated = len(loaded)
    derived, derive_problems = derive_records(sources)
    problems += [Problem(str(corpus_dir / "sources"), "-", "-", why) for why in derive_problems]
    loaded += [(rec, f"(derived from {rec.source})") for rec in derived]
    seen: dict[str, str] = {}
    for rec, rel in loaded:
        if rec.id in seen:
            problems.append(Problem(rel, rec.id, "id", f"duplicate id (also in {seen[rec.id]})"))
        else:
            seen[rec.id] = rel
    for rec, rel in loaded[:curated]:
        _check_record(rec, rel, sources, problems)
    for rec, rel in loaded[curated:]:
        # Derived quotes are slices of the text by construction; check the cheap invariant only.
        text = sources[rec.source].text
        if any(text[q.start:q.end] != q.text for q in rec.quotes):
            problems.append(Problem(rel, rec.id, "quotes", "derived quote does not match its offsets"))
    for rec, rel in loaded:
        for i, link in enumerate(rec.links):
            if link.id not in seen:
                problems.append(Problem(rel, rec.id, f"links.{i}", f"dangling link to unknown id '{link.id}'"))
            elif link.id == rec.id:
                problems.append(Problem(rel, rec.id, f"links.{i}", "a record cannot link to itself"))
    if problems and strict:
        raise CorpusError(problems)
    records = []
    files = {}
    for rec, rel in loaded:
        if rec.id not in files:
            records.append(rec)
            files[rec.id] = rel
    # After validation: these links are resolved from the texts, so they can only point at records that exist.
    add_reference_links(records, sources)
    return Corpus(sources=sources, records=records, files=files)

