"""Citations ready to paste into an official document.

A citation quotes the record's substance verbatim, not just its heading:

- the whole record when it is short (≤ SHORT characters once its lines are joined)
  and always for a case (its description is what is cited) and a measure (its body);
- for a data record, its title and its statements (○ bullets, and sentences above
  the slide's ※ notes and sources); when they are long, only those that carry
  figures (a digit); a chart-only slide falls back to its labelled figures;
- otherwise the record's quotes in order up to LONG characters.

The quoted words are runs of the source: pieces that stand next to each other in
the source (nothing but whitespace between) are joined into one run, and an
omission between runs is written 「…」 (the source has no 「…」, so a run can be
found back in it). Every run is in `runs` so a test can find each one verbatim.

Format, plain: 発行主体『題名』（令和7年（2025年）6月13日）、章 ＞ 節、p.N「…」（原資料：…）（公式URL）/records/<id>
A statute's article is cited the way statutes are, at 条・項・号 (indexer.corpus.law_citation):
地域再生法（平成十七年法律第二十四号）第五条第一項「…」（本文：e-Gov法令検索（デジタル庁）、令和7年（2025年）6月1日時点のデータ）（e-Gov URL）/records/<id>,
with the version's 施行日 when the corpus holds more than one. e-Gov is named as the source of the
text, not as its author: the author of a law is the legislature, and its name is the citation.
`cite_selection` cites any selection of a stored record (the server's /api/cite).
The permalink is the record's path; the web app puts its own base URL in front.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.corpus import law_citation
from indexer.corpus.dates import japanese_date
from indexer.corpus.law_citation import CitationRangeError
from indexer.corpus.schema import Record
from indexer.corpus.sources import Source
from indexer.text.normalize import normalize_for_match

SHORT = 200
LONG = 200
# A data slide's statements are all quoted up to this length; beyond it, those with figures.
STATEMENTS = 300
OMISSION = "…"
# Labels a statistical-source line starts with; 「原資料：」 replaces them.
SOURCE_LABELS = re.compile(r"^\s*(?:（(?:出典|資料|備考)）|(?:出典|資料|備考)\s*[：:])\s*")
# Lines of a data slide that are not its statements: notes, sources, figure captions.
NOTE_LINE = re.compile(r"^\s*(?:※|（(?:出典|資料|備考)|(?:出典|資料|備考)\s*[：:]|[０-９0-9一二三．.]*図|（)")
BULLET = re.compile(r"^\s*[○◯◆◇●⇒•・]")
DIGIT = re.compile(r"[0-9０-９]")


@dataclass(frozen=True)
class Run:
    """One stretch of the source quoted without omission."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Citation:
    source_title: str
    publisher: str
    date: str
    section: str
    runs: tuple[Run, ...]
    truncated: bool
    statistical_source: str | None
    permalink: str
    source_url: str | None
    page: str | None
    # 「地域再生法（平成十七年法律第二十四号）第五条」: set for statute records, replaces publisher/title/place.
    law_ref: str | None = None
    # A statute's words laid out as in the law (one line per 項・号, 「一　…」), with 「…」 when cut.
    law_quote: str | None = None

    @property
    def quote(self) -> str:
        if self.law_quote is not None:
            return self.law_quote
        text = OMISSION.join(r.text for r in self.runs)
        return text + OMISSION if self.truncated else text

    @property
    def start(self) -> int:
        return min(r.start for r in self.runs)

    @property
    def end(self) -> int:
        return max(r.end for r in self.runs)

    @property
    def place(self) -> str:
        return "、".join(p for p in (self.section, self.page) if p)

    def _origin(self) -> str | None:
        if not self.statistical_source:
            return None
        return SOURCE_LABELS.sub("", _one_line(self.statistical_source)).rstrip("。")

    @property
    def origin(self) -> str | None:
        """The statistical source the record cites, as a citation names it (「原資料：」 without its label)."""
        return self._origin()

    def _official(self) -> str:
        # The document's official URL, as the Markdown form links it: in a pasted plain text it is the
        # address a reader can check the quote against (the permalink is this site's).
        return f"（{self.source_url}）" if self.source_url else ""

    def _text_source(self) -> str:
        """Where a statute's words were taken from: the publisher of the text and the data's date."""
        return f"本文：{self.publisher}、{japanese_date(self.date)}時点のデータ" if self.date else f"本文：{self.publisher}"

    def plain(self) -> str:
        if self.law_ref:
            return f"{self.law_ref}「{self.quote}」（{self._text_source()}）{self._official()}{self.permalink}"
        text = f"{self.publisher}『{self.source_title}』（{japanese_date(self.date)}）、{self.place}「{self.quote}」"
        if origin := self._origin():
            text += f"（原資料：{origin}）"
        return text + self._official() + self.permalink

    def markdown(self) -> str:
        if self.law_ref:
            ref = f"[{self.law_ref}]({self.source_url})" if self.source_url else self.law_ref
            # One quoted paragraph per line of the law, so that 項 and 号 stay on their own lines.
            quoted = "\n>\n".join(f"> {line}" for line in self.quote.split("\n"))
            return f"{quoted}\n\n— {ref}（{self._text_source()}）。 {self.permalink}"
        title = f"[{self.source_title}]({self.source_url})" if self.source_url else self.source_title
        md = f"> {self.quote}\n\n— {self.publisher}『{title}』（{japanese_date(self.date)}）、{self.place}"
        if origin := self._origin():
            md += f"。原資料：{origin}"
        return md + f"。 {self.permalink}"

    def as_dict(self) -> dict:
        return {
            "text": self.plain(), "markdown": self.markdown(), "quote": self.quote,
            "runs": [r.text for r in self.runs], "truncated": self.truncated,
            "source_title": self.source_title, "publisher": self.publisher, "date": self.date,
            "date_label": japanese_date(self.date), "section": self.section, "page": self.page,
            "statistical_source": self.statistical_source, "origin": self.origin, "permalink": self.permalink,
            "source_url": self.source_url, "span": [self.start, self.end], "law_ref": self.law_ref,
        }


@dataclass(frozen=True)
class _Piece:
    text: str
    start: int
    end: int
    quote: int


def _one_line(text: str) -> str:
    # Slide text breaks lines mid-word; a citation quotes it as one run.
    return "".join(part.strip() for part in text.splitlines())


def _quote_pieces(record: Record) -> list[_Piece]:
    return [_Piece(_one_line(q.text), q.start or 0, q.end or 0, i) for i, q in enumerate(record.quotes)]


def _is_stat_source(record: Record, piece: _Piece) -> bool:
    return bool(record.statistical_source) and normalize_for_match(piece.text) == normalize_for_match(record.statistical_source)


def _budget(pieces: list[_Piece], limit: int) -> tuple[list[_Piece], bool]:
    kept, used = [], 0
    for p in pieces:
        if kept and used + len(p.text) > limit:
            return kept, True
        kept.append(p)
        used += len(p.text)
    return kept, False


def _statements(rest: list[_Piece]) -> list[_Piece]:
    """Bullets anywhere, and sentences above the slide's notes (a note's continuation lines carry no ※)."""
    out, in_notes = [], False
    for p in rest:
        if NOTE_LINE.match(p.text):
            in_notes = True
        elif BULLET.match(p.text) or ("。" in p.text and not in_notes):
            out.append(p)
    return out


def _data_pieces(record: Record, body: list[_Piece]) -> tuple[list[_Piece], bool]:
    title, rest = body[0], body[1:]
    statements = _statements(rest)
    figures = [p for p in statements if DIGIT.search(p.text)]
    if figures and sum(len(p.text) for p in statements) > STATEMENTS:
        return [title, *figures], False
    if statements:
        return [title, *statements], False
    labelled = [p for p in rest if DIGIT.search(p.text) and not NOTE_LINE.match(p.text)]
    kept, cut = _budget(labelled, LONG)
    return [title, *kept], cut


def substance(source: Source, record: Record) -> tuple[list[_Piece], bool]:
    """The pieces of the record a citation quotes, in reading order, and whether some were left out at the end."""
    body = [p for p in _quote_pieces(record) if not _is_stat_source(record, p)] or _quote_pieces(record)
    if record.kind in ("case", "measure") or sum(len(p.text) for p in body) <= SHORT:
        return body, False
    if record.kind == "data":
        return _data_pieces(record, body)
    return _budget(body, LONG)


def _runs(source: Source, pieces: list[_Piece]) -> list[Run]:
    runs: list[Run] = []
    for p in pieces:
        if runs and source.text[runs[-1].end:p.start].strip() == "" and p.start >= runs[-1].end:
            prev = runs[-1]
            glue = "" if p.start == prev.end else " "
            runs[-1] = Run(prev.text + glue + p.text, prev.start, p.end)
        else:
            runs.append(Run(p.text, p.start, p.end))
    return runs


def _page_label(source: Source, start: int, end: int) -> str | None:
    first, last = source.page_of(start), source.page_of(max(start, end - 1))
    if first is None:
        return None
    return f"p.{first}" if first == last else f"p.{first}–{last}"


def law_reference(law: dict, place: str | None = None) -> str:
    """「<法令名>（<法令番号>）<place>」 (+ the 施行日 when several versions are held); place defaults to the article."""
    ref = f"{law['law_title']}（{law['law_number']}）{(law.get('article') or '') if place is None else place}"
    if (law.get("versions") or 1) > 1 and law.get("effective"):
        ref += f"（{japanese_date(law['effective'])}施行のもの）"
    return ref


def _statute_citation(law: dict, text: str, base: int, span: tuple[int, int], *, limit: int | None,
                      publisher: str, date: str, source_title: str, source_url: str | None, permalink: str) -> Citation:
    sel = law_citation.select(law, text, base, *span, limit=limit)
    return Citation(
        source_title=source_title, publisher=publisher, date=date,
        section=" ＞ ".join(law.get("heading_path") or []), runs=(Run(text[sel.start - base:sel.end - base], sel.start, sel.end),),
        truncated=sel.truncated, statistical_source=None, permalink=permalink, source_url=source_url, page=None,
        law_ref=law_reference(law, sel.place), law_quote=sel.quote,
    )


def cite(record: Record, source: Source, paragraph: int | None = None) -> Citation:
    """The record's citation; for a statute article, `paragraph` cites that one 項 alone."""
    if record.law is not None:
        law = record.law.model_dump()
        q = record.quotes[0]
        base = q.start or 0
        span = law_citation.paragraph_span(law, paragraph) if paragraph else None
        return _statute_citation(law, q.text, base, span or law_citation.default_span(law, q.text, base),
                                 limit=law_citation.WHOLE, publisher=source.publisher, date=source.date,
                                 source_title=source.title, source_url=source.url, permalink=f"/records/{record.id}")
    section = " ＞ ".join(s.label for s in source.section_path(record.section))
    pieces, truncated = substance(source, record)
    runs = tuple(_runs(source, pieces))
    return Citation(
        source_title=source.title, publisher=source.publisher, date=source.date, section=section,
        runs=runs, truncated=truncated, statistical_source=record.statistical_source,
        permalink=f"/records/{record.id}", source_url=source.url,
        page=_page_label(source, min(r.start for r in runs), max(r.end for r in runs)),
    )


def cite_paragraph(rec: dict, num: int) -> Citation | None:
    """A stored statute record's citation of its 項 `num` (a search's matched 項), quoted whole up to
    WHOLE characters, else by sentences; None when the record has no such 項."""
    law, quotes = rec.get("law"), rec.get("quotes") or []
    span = law_citation.paragraph_span(law, num) if law and quotes else None
    if span is None or quotes[0].get("start") is None:
        return None
    c = rec["citation"]
    return _statute_citation(law, quotes[0]["text"], quotes[0]["start"], span, limit=law_citation.WHOLE,
                             publisher=c["publisher"], date=c["date"], source_title=c["source_title"],
                             source_url=c.get("source_url"), permalink=c.get("permalink") or f"/records/{rec['id']}")


def cite_selection(rec: dict, start: int, end: int) -> Citation:
    """The citation of the source span [start, end) of a stored record (the dict of
    indexer.corpus.export.record_dict): offsets as its quotes use them, inside one of its quotes.

    A statute record's selection is placed at its 条・項・号 and quoted laid out as in the law; any
    other record's is quoted as one run, with the record's place, page and 原資料. Raises
    CitationRangeError (a QueryError: HTTP 400) when the span lies outside the record's quotes.
    """
    held = [q for q in rec.get("quotes") or [] if q.get("start") is not None and q.get("end") is not None]
    q = next((q for q in held if q["start"] <= start and end <= q["end"]), None)
    if start >= end or q is None:
        where = "、".join(f"{x['start']}–{x['end']}" for x in held) or "なし"
        raise CitationRangeError(f"選択範囲（文字位置 {start}–{end}）がこの記録の本文（文字位置 {where}）の中にありません。"
                                 "記録の本文の中の文字を選択してください。")
    c = rec["citation"]
    permalink = c.get("permalink") or f"/records/{rec['id']}"
    if rec.get("law"):
        return _statute_citation(rec["law"], q["text"], q["start"], (start, end), limit=None,
                                 publisher=c["publisher"], date=c["date"], source_title=c["source_title"],
                                 source_url=c.get("source_url"), permalink=permalink)
    quoted = _one_line(q["text"][start - q["start"]:end - q["start"]])
    if not quoted:
        raise CitationRangeError("選択範囲に文字がありません。記録の本文の中の文字を選択してください。")
    return Citation(
        source_title=c["source_title"], publisher=c["publisher"], date=c["date"], section=c.get("section") or "",
        runs=(Run(quoted, start, end),), truncated=False, statistical_source=c.get("statistical_source"),
        permalink=permalink, source_url=c.get("source_url"), page=c.get("page"),
    )
