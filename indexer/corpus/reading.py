"""The reading view of a source: its whole text in order, cut into segments at every
heading and quote boundary, each segment naming the record quotes that cover it.

The web app renders this as it is and never parses the source. Computed at build
time and written to the index as `sources.json` (`reader_payload`).

Headings come from the source's outline (its metadata YAML). The outline has no
offsets, so each heading is placed where its label stands in the text, taking the
occurrence before the first quote of its section (labels repeat: the measure
pages and the case pages share (1)…(5)); a label not found verbatim is placed at
its section's first quote, and `start == end` says that nothing in the text is
its label.

Quotes of this corpus never overlap partly (34 pairs of records quote one and the
same span); a quote split across segments all the same keeps its anchor on its
first segment and its `quote` key on every one.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from indexer.corpus.dates import japanese_date
from indexer.corpus.loader import Corpus
from indexer.corpus.sources import Source


@dataclass(frozen=True)
class QuoteMark:
    anchor: str          # q-<record id>-<n>, n from 1 in the record's quote order
    record_id: str
    n: int
    kind: str
    title: str
    first: bool          # this segment starts the quote: the anchor goes here
    last: bool           # this segment ends the quote: the link to the record goes here


@dataclass(frozen=True)
class Heading:
    id: str
    label: str
    level: int
    start: int
    end: int
    page: int | None


@dataclass
class Segment:
    start: int
    end: int
    text: str
    heading: str | None = None          # the outline id when this segment is a heading's label
    page: int | None = None
    marks: list[QuoteMark] = field(default_factory=list)
    # A Markdown source's own markup, not its words (the 「# 」 of 「# 地域再生法」): the reader leaves it out.
    markup: bool = False
    # The level of the Markdown heading this segment is the text of (1 for 「# 地域再生法」), shown as a heading.
    title_level: int | None = None


@dataclass
class Part:
    """The text from one heading to the next: what a citation of a selection names as its place."""

    heading: str | None                 # outline id; None before the first heading
    section: str                        # the heading's path, 「Ⅲ … ＞ ６．… ＞ (1)…」
    segments: list[Segment]


@dataclass
class SourceView:
    id: str
    title: str
    short_title: str
    publisher: str
    date: str
    date_label: str
    url: str | None
    length: int
    headings: list[Heading]
    parts: list[Part]
    quote_count: int

    def as_dict(self) -> dict:
        return asdict(self)


def _depth(source: Source, sid: str) -> int:
    return len(source.section_path(sid))


def _section_starts(corpus: Corpus, source: Source) -> dict[str, int]:
    """Per section id, the first quote offset of its records or of its descendants'."""
    first: dict[str, int] = {}
    for rec in corpus.records:
        if rec.source != source.id or rec.section not in source.sections:
            continue
        start = min(q.start or 0 for q in rec.quotes)
        for sec in source.section_path(rec.section):
            first[sec.id] = min(first.get(sec.id, start), start)
    return first


def place_headings(corpus: Corpus, source: Source) -> list[Heading]:
    starts = _section_starts(corpus, source)
    out: list[Heading] = []
    floor = 0
    for sid, sec in source.sections.items():          # outline order
        bound = starts.get(sid)
        found = [s for s in source.find_all(sec.label) if s[0] >= floor and (bound is None or s[0] <= bound)]
        if found:
            start, end = found[-1] if bound is not None else found[0]
        elif bound is not None:
            start = end = max(bound, floor)
        else:
            continue
        out.append(Heading(sid, sec.label, _depth(source, sid), start, end, source.page_of(start)))
        floor = start
    return out


def _cuts(text_len: int, headings: list[Heading], quotes: list[tuple[int, int, QuoteMark]]) -> list[int]:
    points = {0, text_len}
    for h in headings:
        points.update((h.start, h.end))
    for s, e, _ in quotes:
        points.update((s, e))
    return sorted(p for p in points if 0 <= p <= text_len)


#: A Markdown ATX heading line (`policykb ingest` writes a statute's title as 「# 地域再生法」).
MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(\S.*?)[ \t]*$", re.MULTILINE)


def markdown_headings(source: Source) -> list[tuple[int, int, int]]:
    """(marker start, text start, text end) of each Markdown heading line; [] for a plain-text source."""
    if source.meta.get("format") != "markdown":
        return []
    return [(m.start(), m.start(2), m.end(2)) for m in MD_HEADING.finditer(source.text)]


def source_view(corpus: Corpus, source: Source) -> SourceView:
    quotes: list[tuple[int, int, QuoteMark]] = []
    for rec in corpus.reading_order():
        if rec.source != source.id:
            continue
        for n, q in enumerate(rec.quotes, 1):
            if q.start is None or q.end is None:
                continue
            quotes.append((q.start, q.end, QuoteMark(f"q-{rec.id}-{n}", rec.id, n, rec.kind, rec.title, True, True)))
    headings = place_headings(corpus, source)
    label_at = {(h.start, h.end): h.id for h in headings if h.end > h.start}
    text = source.text
    md = markdown_headings(source)
    cuts = sorted(set(_cuts(len(text), headings, quotes)) | {p for h in md for p in h})
    markers = {(a, b) for a, b, _ in md}
    md_titles = {(b, c): len(text[a:b].strip()) for a, b, c in md}
    parts: list[Part] = [Part(None, "", [])]
    for h in headings:
        path = " ＞ ".join(sec.label for sec in source.section_path(h.id))
        parts.append(Part(h.id, path, []))
    starts = [0] + [h.start for h in headings]
    for a, b in zip(cuts, cuts[1:]):
        if a == b:
            continue
        marks = [QuoteMark(m.anchor, m.record_id, m.n, m.kind, m.title, s == a, e == b)
                 for s, e, m in quotes if s <= a and b <= e]
        # The last part whose heading starts at or before this segment.
        index = max(i for i, st in enumerate(starts) if st <= a)
        parts[index].segments.append(Segment(a, b, text[a:b], label_at.get((a, b)), source.page_of(a), marks,
                                             markup=(a, b) in markers, title_level=md_titles.get((a, b))))
    return SourceView(
        id=source.id, title=source.title, short_title=source.short_title, publisher=source.publisher,
        date=source.date, date_label=japanese_date(source.date), url=source.url, length=len(text),
        headings=headings, parts=parts, quote_count=len(quotes),
    )


def reader_payload(corpus: Corpus) -> dict:
    """Every source's reading view, keyed by source id: what build writes to `sources.json`."""
    return {sid: source_view(corpus, src).as_dict() for sid, src in corpus.sources.items()}
